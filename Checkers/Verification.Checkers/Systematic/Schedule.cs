using System.Text.Json;
using System.Text.Json.Serialization;
using Verification.Runtime;
using Verification.Specs;

namespace Verification.Checkers.Systematic;

/// <summary>What a replay must share with the run that recorded it: the fault model (which actions exist) and the step and liveness settings.</summary>
public sealed record ReplaySettings
{
    /// <summary>The recorded run's <see cref="FaultModel.Network"/>.</summary>
    public required NetworkOrder Network { get; init; }

    /// <summary>The recorded run's <see cref="FaultModel.CrashKinds"/>.</summary>
    public required IReadOnlyList<CrashKind> CrashKinds { get; init; }

    /// <summary>The recorded run's <see cref="FaultModel.MaxCrashes"/>.</summary>
    public required int MaxCrashes { get; init; }

    /// <summary>The recorded run's <see cref="FaultModel.MaxDownAtOnce"/>.</summary>
    public required int MaxDownAtOnce { get; init; }

    /// <summary>The recorded run's <see cref="FaultModel.MaxLosses"/>.</summary>
    public required int MaxLosses { get; init; }

    /// <summary>The recorded run's <see cref="FaultModel.MaxDuplicates"/>.</summary>
    public required int MaxDuplicates { get; init; }

    /// <summary>The recorded run's <see cref="FaultModel.MaxPartitions"/>.</summary>
    public required int MaxPartitions { get; init; }

    /// <summary>The recorded run's <see cref="TestOptions.MaxSteps"/>.</summary>
    public required int MaxSteps { get; init; }

    /// <summary>The recorded run's <see cref="TestOptions.FairAfterSteps"/>.</summary>
    public required int FairAfterSteps { get; init; }

    /// <summary>The recorded run's <see cref="TestOptions.LivenessThreshold"/>.</summary>
    public required int LivenessThreshold { get; init; }

    /// <summary>The recorded run's <see cref="TestOptions.CheckLiveness"/>.</summary>
    public required bool CheckLiveness { get; init; }

    /// <summary>Recorded only by newer runs; absent in older schedule files, which were never synchronous after the fair point.</summary>
    public bool SynchronousAfterFairPoint { get; init; }

    /// <summary>The recorded run's <see cref="FaultModel.Roles"/> (absent: every node in one role).</summary>
    public IReadOnlyList<NodeRole>? Roles { get; init; }

    /// <summary>The recorded run's <see cref="FaultModel.Detector"/> (absent: none).</summary>
    public FailureDetector? Detector { get; init; }

    /// <summary>The recorded run's <see cref="FaultModel.Timing"/> (absent in older files: asynchronous).</summary>
    public Timing Timing { get; init; }

    /// <summary>The recorded run's <see cref="FaultModel.MaxMessageDelay"/>.</summary>
    public int MaxMessageDelay { get; init; } = 1;

    /// <summary>The settings of a run under <paramref name="options"/>, as a schedule records them.</summary>
    public static ReplaySettings From(TestOptions options) => new()
    {
        Network = options.Faults.Network,
        CrashKinds = options.Faults.CrashKinds,
        MaxCrashes = options.Faults.MaxCrashes,
        MaxDownAtOnce = options.Faults.MaxDownAtOnce,
        MaxLosses = options.Faults.MaxLosses,
        MaxDuplicates = options.Faults.MaxDuplicates,
        MaxPartitions = options.Faults.MaxPartitions,
        MaxSteps = options.MaxSteps,
        FairAfterSteps = options.FairAfterSteps,
        LivenessThreshold = options.LivenessThreshold,
        CheckLiveness = options.CheckLiveness,
        SynchronousAfterFairPoint = options.SynchronousAfterFairPoint,
        Roles = options.Faults.Roles.Count == 0 ? null : options.Faults.Roles,
        Detector = options.Faults.Detector,
        Timing = options.Faults.Timing,
        MaxMessageDelay = options.Faults.MaxMessageDelay,
    };

    /// <summary><paramref name="options"/> with these fault, step and liveness settings in place of its own (strategy, seed and the rest kept).</summary>
    public TestOptions ApplyTo(TestOptions options) => options with
    {
        Faults = new FaultModel
        {
            Network = Network,
            CrashKinds = CrashKinds,
            MaxCrashes = MaxCrashes,
            MaxDownAtOnce = MaxDownAtOnce,
            MaxLosses = MaxLosses,
            MaxDuplicates = MaxDuplicates,
            MaxPartitions = MaxPartitions,
            Roles = Roles ?? [],
            Detector = Detector,
            Timing = Timing,
            MaxMessageDelay = MaxMessageDelay,
        },
        MaxSteps = MaxSteps,
        FairAfterSteps = FairAfterSteps,
        LivenessThreshold = LivenessThreshold,
        CheckLiveness = CheckLiveness,
        SynchronousAfterFairPoint = SynchronousAfterFairPoint,
    };

    /// <summary>Value equality over the crash-kind list too (records compare lists by reference).</summary>
    public bool SameAs(ReplaySettings other) =>
        this with { CrashKinds = other.CrashKinds, Roles = other.Roles, Detector = other.Detector } == other && CrashKinds.SequenceEqual(other.CrashKinds)
        && JsonSerializer.Serialize(Roles) == JsonSerializer.Serialize(other.Roles) && JsonSerializer.Serialize(Detector) == JsonSerializer.Serialize(other.Detector);

    /// <summary>Rejects values a hand-edited file may hold and a run never writes.</summary>
    internal void Validate(string where)
    {
        if (!Enum.IsDefined(Network)) throw new SpecException($"{where}: Settings.Network is {(int)Network}, not one of {string.Join(", ", Enum.GetNames<NetworkOrder>())}");
        if (CrashKinds is null) throw new SpecException($"{where}: Settings.CrashKinds is missing (a list such as [\"Amnesia\"])");
        foreach (var kind in CrashKinds)
            if (!Enum.IsDefined(kind)) throw new SpecException($"{where}: Settings.CrashKinds holds {(int)kind}, not one of {string.Join(", ", Enum.GetNames<CrashKind>())}");
        if (MaxCrashes < 0 || MaxDownAtOnce < 0 || MaxLosses < 0 || MaxDuplicates < 0 || MaxPartitions < 0)
            throw new SpecException($"{where}: Settings has a negative fault budget");
        if (MaxSteps < 1 || FairAfterSteps < 0 || LivenessThreshold < 1)
            throw new SpecException($"{where}: Settings.MaxSteps must be at least 1, FairAfterSteps at least 0 and LivenessThreshold at least 1");
    }
}

/// <summary>
/// One step of a schedule: the action, by its description, the values nodes chose while it ran, and a fingerprint of
/// what it did (effects, observed events, the node's new state) that a replay compares to notice divergence.
/// </summary>
/// <param name="Action">The action as the trace describes it (<c>deliver n0→n1: …</c>, <c>timer n2 'Election'</c>, <c>crash n1 (amnesia)</c>); replay finds it among the enabled ones by this text.</param>
/// <param name="Choices">The values nodes chose while it ran, in order.</param>
public sealed record ScheduleStep(string Action, IReadOnlyList<int> Choices)
{
    /// <summary>A hash of what the step did, compared on replay to say where a node stopped behaving the same; null (not compared) in a step written by hand.</summary>
    public string? Fingerprint { get; init; }

    /// <summary>
    /// For a step that delivers, drops or copies a message: which message, by where it was sent. Replay matches the
    /// step by it as well as by its text, and minimisation by it alone, so removing an earlier step that only changed
    /// the message's content (not whether it is sent) keeps the step. Null in a step written by hand (text only).
    /// </summary>
    public MessageOrigin? Origin { get; init; }
}

/// <summary>Where a message was sent: the step that sent it (its number in the schedule, 0 for start-up) and its position among that step's sends (from 0).</summary>
/// <param name="Step">The number of the step that sent it (1 for the first step), or 0 when a node sent it at start-up.</param>
/// <param name="Send">Its position among the messages that step sent (a duplication's copy is 0).</param>
public sealed record MessageOrigin(int Step, int Send);

/// <summary>
/// A replayable run: the system it was recorded on, the choices at start-up, then each step's action and choices.
/// Saved as JSON; replay finds each action among the enabled ones by its description, so a schedule stays readable
/// and survives minimisation.
/// </summary>
/// <param name="Protocol">The name of the protocol it was recorded on.</param>
/// <param name="Strategy">The strategy that found it (e.g. "pct(d=3)").</param>
/// <param name="Seed">The tester's seed.</param>
/// <param name="Iteration">The run's iteration number.</param>
/// <param name="StartChoices">The values nodes chose during start-up.</param>
/// <param name="Steps">The steps after start-up, in order.</param>
public sealed record Schedule(string Protocol, string Strategy, int Seed, long Iteration, IReadOnlyList<int> StartChoices, IReadOnlyList<ScheduleStep> Steps)
{
    /// <summary>The settings that decide which actions are enabled and when a run fails; replay uses them, so a schedule file is self-contained.</summary>
    public ReplaySettings? Settings { get; init; }

    /// <summary>The registered system and configuration it was recorded on (null for a protocol assembled by hand).</summary>
    public SystemIdentity? System { get; init; }

    /// <summary>The file of the assembly that defines the system, so `verify replay` can load a user's system.</summary>
    public string? Assembly { get; init; }

    /// <summary>The fingerprint of start-up (every node's Start), compared like a step's.</summary>
    public string? StartFingerprint { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Encoder = global::System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(), new IdentityConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Files larger than this are not read (a schedule of 100,000 steps is a few MB).</summary>
    public const long MaxFileBytes = 256L * 1024 * 1024;

    /// <summary>The schedule as indented JSON, the form <see cref="Save"/> writes and <see cref="Load"/> reads.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json) + "\n";

    /// <summary>Writes the schedule to <paramref name="path"/> as JSON (see <see cref="SaveIn"/> to pick a unique name).</summary>
    public void Save(string path) => File.WriteAllText(path, ToJson());

    /// <summary>
    /// Saves under <paramref name="directory"/> with a name made of the protocol, the property and a hash of the
    /// content: two different counterexamples never share a file, and the same one is written to the same file.
    /// </summary>
    public string SaveIn(string directory, string property)
    {
        Directory.CreateDirectory(directory);
        var json = ToJson();
        var path = Path.Combine(directory, $"{Safe(Protocol)}-{Safe(property)}-{StableHash.Of(json):x16}.schedule.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static string Safe(string name)
    {
        var safe = string.Concat(name.Select(c => char.IsLetterOrDigit(c) ? c : '_'));
        return safe.Length <= 60 ? safe : safe[..60];
    }

    /// <summary>
    /// Reads a schedule file; a missing, oversized, malformed or inconsistent file throws <see cref="SpecException"/>
    /// naming the file and what is wrong.
    /// </summary>
    public static Schedule Load(string path)
    {
        if (!File.Exists(path)) throw new SpecException($"{path}: schedule file not found");
        if (new FileInfo(path).Length > MaxFileBytes) throw new SpecException($"{path}: larger than {MaxFileBytes / (1024 * 1024)} MB, not a schedule file");
        Schedule? schedule;
        try
        {
            schedule = JsonSerializer.Deserialize<Schedule>(File.ReadAllText(path), Json);
        }
        catch (JsonException ex)
        {
            throw new SpecException($"{path}: not a schedule file ({ex.Message.Split(" Path:")[0].Split(" LineNumber:")[0]}{(ex.Path is null ? "" : $" at {ex.Path}")})");
        }
        if (schedule is null) throw new SpecException($"{path}: empty schedule file");
        schedule.Validate(path);
        return schedule;
    }

    /// <summary>Everything a hand-edited file can get wrong and a run never writes, as one-line errors naming the member.</summary>
    internal void Validate(string where)
    {
        if (string.IsNullOrEmpty(Protocol)) throw new SpecException($"{where}: \"Protocol\" is missing (the name of the system the schedule was recorded on)");
        if (Strategy is null) throw new SpecException($"{where}: \"Strategy\" is missing");
        if (StartChoices is null) throw new SpecException($"{where}: \"StartChoices\" is missing (a list of numbers, [] for none)");
        if (Steps is null) throw new SpecException($"{where}: \"Steps\" is missing (a list of steps)");
        if (Iteration < 0) throw new SpecException($"{where}: \"Iteration\" is negative");
        CheckChoices(StartChoices, $"{where}: StartChoices");
        for (var i = 0; i < Steps.Count; i++)
        {
            var step = Steps[i] ?? throw new SpecException($"{where}: step {i + 1} is null");
            if (string.IsNullOrEmpty(step.Action)) throw new SpecException($"{where}: step {i + 1} has no \"Action\"");
            if (step.Choices is null) throw new SpecException($"{where}: step {i + 1} has no \"Choices\" (a list of numbers, [] for none)");
            CheckChoices(step.Choices, $"{where}: step {i + 1}");
            if (step.Origin is { } origin && (origin.Step < 0 || origin.Step > i || origin.Send < 0))
                throw new SpecException($"{where}: step {i + 1}'s \"Origin\" {{ Step: {origin.Step}, Send: {origin.Send} }} is not a message an earlier step sent (Step is 0 for start-up or the number of an earlier step, Send from 0)");
        }
        Settings?.Validate(where);
        if (System is { } system && (string.IsNullOrEmpty(system.System) || string.IsNullOrEmpty(system.Configuration)))
            throw new SpecException($"{where}: \"System\" needs both \"System\" and \"Configuration\"");
    }

    private static void CheckChoices(IReadOnlyList<int> choices, string where)
    {
        foreach (var choice in choices)
            if (choice < 0) throw new SpecException($"{where}: a choice of {choice}; choices are option numbers from 0");
    }
}

/// <summary>Writes a system identity's configuration as a JSON object (readable in the file) rather than as an escaped string.</summary>
internal sealed class IdentityConverter : JsonConverter<SystemIdentity>
{
    public override SystemIdentity? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new JsonException("\"System\" must be an object with \"System\" and \"Configuration\"");
        var name = root.TryGetProperty("System", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "";
        var configuration = root.TryGetProperty("Configuration", out var c) ? c.ValueKind == JsonValueKind.String ? c.GetString()! : JsonSerializer.Serialize(c) : "";
        return new SystemIdentity(name, configuration);
    }

    public override void Write(Utf8JsonWriter writer, SystemIdentity value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("System", value.System);
        writer.WritePropertyName("Configuration");
        using (var configuration = JsonDocument.Parse(value.Configuration)) configuration.RootElement.WriteTo(writer);
        writer.WriteEndObject();
    }
}
