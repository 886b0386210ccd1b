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
/// <param name="Kind">What failed: a property, or a handler that threw, hung or broke the contract, or a bound.</param>
/// <param name="Property">The property that failed; for a handler failure, the exception's type or the broken rule (<c>StateChangedInPlace</c>, <c>MaxMessagesInFlight</c>, …).</param>
/// <param name="Details">The failure's report: the values the property reads, the exception, the state.</param>
/// <param name="Schedule">The schedule that reproduces it, minimised unless <see cref="TestOptions.Minimize"/> is off.</param>
/// <param name="Trace">The history of that schedule, one line per step.</param>
/// <param name="OriginalSteps">The failing run's length before minimisation.</param>
/// <param name="SchedulePath">The file the schedule was saved to; null when it could not be written.</param>
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
