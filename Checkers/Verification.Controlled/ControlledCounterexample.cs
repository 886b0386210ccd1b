using System.Text;

namespace Verification.Controlled;

/// <summary>What ended a reported controlled run.</summary>
public enum ControlledFailure
{
    /// <summary>The body threw (an assertion, or an exception of the code under test).</summary>
    Exception,

    /// <summary>A task the program started faulted and nothing observed the exception.</summary>
    UnobservedException,

    /// <summary>A property of the spec failed on the events the run observed (ControlledSpec.Observe), a liveness monitor ended hot, or the whole-history check failed.</summary>
    SpecViolation,

    /// <summary>Nothing could run any more: every operation blocked or awaiting, no timer pending, the body unfinished.</summary>
    Deadlock,

    /// <summary>The run reached the step bound with tasks unfinished (a liveness report: a livelock, or a body longer than the bound).</summary>
    StepBound,

    /// <summary>The program did concurrent work the runtime does not control (an escaped task, a foreign thread, an unsupported primitive).</summary>
    Uncontrolled,

    /// <summary>An operation ran for the watchdog's time without a scheduling point (an uncontrolled OS wait, an endless loop).</summary>
    Hang,
}

/// <summary>A controlled run's report: what happened, the interleaving that led there (minimised when it is a bug), and the schedule that replays it.</summary>
/// <param name="Kind">What ended the run.</param>
/// <param name="Property">"Deadlock", the exception's type name, "Termination within N steps", "UncontrolledConcurrency", "Unsupported: …", "Watchdog".</param>
/// <param name="Details">The account: the exception and its user frames; every blocked operation and unfinished task with what it waits on and where.</param>
/// <param name="Schedule">The choices that replay it.</param>
/// <param name="Trace">The interleaving, one line per turn of an operation (what it ran until it stopped) or fired timer.</param>
/// <param name="SchedulePath">The file the schedule was saved to (null when not saved).</param>
public sealed record ControlledCounterexample(ControlledFailure Kind, string Property, string Details, ControlledSchedule Schedule, IReadOnlyList<string> Trace, string? SchedulePath) : Counterexample(Property)
{
    /// <summary>The failing run's scheduling points before minimisation.</summary>
    public int OriginalSteps { get; init; }

    /// <summary>Its preemptions (choices other than letting the running operation go on) before minimisation.</summary>
    public int OriginalPreemptions { get; init; }

    /// <summary>Preemptions in <see cref="Schedule"/>.</summary>
    public int Preemptions { get; init; }

    /// <inheritdoc/>
    public override string Describe()
    {
        var text = new StringBuilder();
        var what = Kind switch
        {
            ControlledFailure.Exception => "exception",
            ControlledFailure.UnobservedException => "unobserved task exception",
            ControlledFailure.Deadlock => "deadlock",
            ControlledFailure.SpecViolation => "spec violation",
            ControlledFailure.StepBound => "step bound reached",
            ControlledFailure.Uncontrolled => "uncontrolled concurrency",
            _ => "watchdog",
        };
        text.AppendLine($"{what}: {Property}, found by {Schedule.Strategy} in iteration {Schedule.Iteration} (seed {Schedule.Seed})");
        var minimised = OriginalSteps != Schedule.Decisions.Count || OriginalPreemptions != Preemptions
            ? $" (minimised from {OriginalSteps} steps, {OriginalPreemptions} preemptions)" : "";
        text.AppendLine($"interleaving: {Schedule.Decisions.Count} scheduling points, {Preemptions} preemptions{minimised}");
        foreach (var line in Trace) text.AppendLine("  " + line);
        text.AppendLine(Details);
        if (SchedulePath is not null) text.Append($"replay: ControlledTest.Replay(body, \"{SchedulePath}\")");
        return text.ToString().TrimEnd();
    }
}
