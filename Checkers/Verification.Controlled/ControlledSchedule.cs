using System.Text.Json;
using System.Text.Json.Serialization;
using Verification.Specs;

namespace Verification.Controlled;

/// <summary>
/// A replayable controlled run: the choice made at every scheduling point, by key — an operation's id (its creation
/// number, deterministic under the same choices) or −n for virtual timer n. Saved as JSON with the readable trace
/// beside it (the trace is for people; replay reads only the choices).
/// </summary>
/// <param name="Subject">The test it was recorded on.</param>
/// <param name="Strategy">The strategy that found it ("pct(d=3)", "dfs").</param>
/// <param name="Seed">The test's seed.</param>
/// <param name="Iteration">The run's iteration number.</param>
/// <param name="MaxSteps">The step bound it ran under.</param>
/// <param name="Decisions">The choice at each scheduling point, in order.</param>
public sealed record ControlledSchedule(string Subject, string Strategy, int Seed, long Iteration, int MaxSteps, IReadOnlyList<long> Decisions)
{
    /// <summary>What the run ended with ("Deadlock", "InvalidOperationException"), as the counterexample names it.</summary>
    public string? Property { get; init; }

    /// <summary>The run's readable trace (not read back).</summary>
    public IReadOnlyList<string>? Trace { get; init; }

    /// <summary>Files larger than this are not read.</summary>
    public const long MaxFileBytes = 64L * 1024 * 1024;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The schedule as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json) + "\n";

    /// <summary>Saves under <paramref name="directory"/>, named by subject, property and a hash of the choices (the same failure, the same file).</summary>
    public string SaveIn(string directory)
    {
        Directory.CreateDirectory(directory);
        var hash = Decisions.Aggregate(14695981039346656037UL, (h, d) => (h ^ (ulong)d) * 1099511628211UL);
        var path = Path.Combine(directory, $"{Safe(Subject)}-{Safe(Property ?? "run")}-{hash:x16}.controlled.json");
        File.WriteAllText(path, ToJson());
        return path;
    }

    private static string Safe(string name)
    {
        var safe = string.Concat(name.Select(c => char.IsLetterOrDigit(c) ? c : '_'));
        return safe.Length <= 60 ? safe : safe[..60];
    }

    /// <summary>Reads a schedule file; a missing, oversized or malformed file throws <see cref="SpecException"/> naming the file and the problem.</summary>
    public static ControlledSchedule Load(string path)
    {
        if (!File.Exists(path)) throw new SpecException($"{path}: schedule file not found");
        if (new FileInfo(path).Length > MaxFileBytes) throw new SpecException($"{path}: larger than {MaxFileBytes / (1024 * 1024)} MB, not a controlled schedule");
        ControlledSchedule? schedule;
        try
        {
            schedule = JsonSerializer.Deserialize<ControlledSchedule>(File.ReadAllText(path), Json);
        }
        catch (JsonException ex)
        {
            throw new SpecException($"{path}: not a controlled schedule (line {ex.LineNumber + 1}: {ex.Message.Split(" Path:")[0].Split(" LineNumber:")[0]})");
        }
        if (schedule is null) throw new SpecException($"{path}: empty schedule file");
        if (string.IsNullOrEmpty(schedule.Subject)) throw new SpecException($"{path}: \"Subject\" is missing");
        if (schedule.Decisions is null) throw new SpecException($"{path}: \"Decisions\" is missing (a list of choices)");
        if (schedule.MaxSteps < 1) throw new SpecException($"{path}: \"MaxSteps\" must be at least 1");
        return schedule;
    }
}
