using System.Text.Json;
using Verification.Specs;

namespace Verification.Checkers.Systematic;

/// <summary>What a replay must share with the run that recorded it: the fault model (which actions exist) and the step and liveness settings.</summary>
public sealed record ReplaySettings(
    NetworkOrder Network,
    IReadOnlyList<Verification.Runtime.CrashKind> CrashKinds,
    int MaxCrashes,
    int MaxDownAtOnce,
    int MaxLosses,
    int MaxDuplicates,
    int MaxPartitions,
    int MaxSteps,
    int FairAfterSteps,
    int LivenessThreshold,
    bool CheckLiveness,
    bool SynchronousAfterFairPoint = false)
{
    public static ReplaySettings From(TestOptions options) => new(
        options.Faults.Network, options.Faults.CrashKinds, options.Faults.MaxCrashes, options.Faults.MaxDownAtOnce, options.Faults.MaxLosses,
        options.Faults.MaxDuplicates, options.Faults.MaxPartitions, options.MaxSteps, options.FairAfterSteps, options.LivenessThreshold, options.CheckLiveness, options.SynchronousAfterFairPoint);

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
        },
        MaxSteps = MaxSteps,
        FairAfterSteps = FairAfterSteps,
        LivenessThreshold = LivenessThreshold,
        CheckLiveness = CheckLiveness,
        SynchronousAfterFairPoint = SynchronousAfterFairPoint,
    };

    /// <summary>Value equality over the crash-kind list too (records compare lists by reference).</summary>
    public bool SameAs(ReplaySettings other) => this with { CrashKinds = other.CrashKinds } == other && CrashKinds.SequenceEqual(other.CrashKinds);
}

/// <summary>One step of a schedule: the action, by its description, and the values nodes chose while it ran.</summary>
public sealed record ScheduleStep(string Action, IReadOnlyList<int> Choices);

/// <summary>
/// A replayable run: the choices at start-up, then each step's action and choices. Saved as JSON; replay finds each
/// action among the enabled ones by its description, so a schedule stays readable and survives minimisation.
/// </summary>
public sealed record Schedule(string Protocol, string Strategy, int Seed, long Iteration, IReadOnlyList<int> StartChoices, IReadOnlyList<ScheduleStep> Steps)
{
    /// <summary>The settings that decide which actions are enabled and when a run fails; replay uses them, so a schedule file is self-contained.</summary>
    public ReplaySettings? Settings { get; init; }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");

    public static Schedule Load(string path)
    {
        if (!File.Exists(path)) throw new SpecException($"{path}: schedule file not found");
        try
        {
            return JsonSerializer.Deserialize<Schedule>(File.ReadAllText(path), Json) ?? throw new SpecException($"{path}: empty schedule file");
        }
        catch (JsonException ex)
        {
            throw new SpecException($"{path}: not a schedule file ({ex.Message.Split(" Path:")[0]})");
        }
    }
}
