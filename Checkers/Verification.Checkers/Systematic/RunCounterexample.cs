using System.Text;

namespace Verification.Checkers.Systematic;

/// <summary>What ended a failing run: a property of the spec, or a handler that broke the node contract or a bound.</summary>
public enum FailureKind
{
    /// <summary>An invariant, step property or guard of the spec failed, or a whole-history check.</summary>
    Safety,

    /// <summary>A liveness monitor stayed hot past the threshold under fair scheduling, or the run ended with it hot.</summary>
    Liveness,

    /// <summary>A node's handler threw.</summary>
    HandlerException,

    /// <summary>A node's handler ran longer than the step budget (an endless loop).</summary>
    HandlerTimeout,

    /// <summary>A handler broke the node contract: it changed a state, message or node object in place, or returned a null state.</summary>
    ModelError,

    /// <summary>A bound of the test was reached (messages in flight, a message too large to describe).</summary>
    ResourceLimit,
}

/// <summary>A found bug of a run: what failed, the schedule that reproduces it (minimised), and the readable history of that schedule.</summary>
public sealed record RunCounterexample(
    FailureKind Kind,
    string Property,
    string Details,
    Schedule Schedule,
    IReadOnlyList<string> Trace,
    int OriginalSteps,
    string? SchedulePath) : Counterexample(Property)
{
    /// <inheritdoc/>
    public override string Describe()
    {
        var text = new StringBuilder();
        var what = Kind switch
        {
            FailureKind.Safety => "safety violation",
            FailureKind.Liveness => "liveness violation",
            FailureKind.HandlerException => "handler exception",
            FailureKind.HandlerTimeout => "handler timeout",
            FailureKind.ModelError => "model error",
            _ => "resource limit",
        };
        text.AppendLine($"{what}: {Property}, found by {Schedule.Strategy} in iteration {Schedule.Iteration} (seed {Schedule.Seed})");
        text.AppendLine($"schedule: {Schedule.Steps.Count} steps{(OriginalSteps != Schedule.Steps.Count ? $" (minimised from {OriginalSteps})" : "")}");
        foreach (var line in Trace) text.AppendLine("  " + line);
        text.AppendLine(Details);
        if (SchedulePath is not null)
            text.Append(Schedule.System is null
                ? $"replay: tester.Replay(Schedule.Load(\"{SchedulePath}\"))"
                : $"replay: verify replay {SchedulePath}   (or in code: tester.Replay(Schedule.Load(\"{SchedulePath}\")))");
        return text.ToString().TrimEnd();
    }
}
