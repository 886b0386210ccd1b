namespace Verification.Specs.Examples;

/// <summary>A small operating-system alphabet for the seed's Clock, Executing, priority_p and waiting_p.</summary>
public abstract record SchedulerEvent;

/// <summary>One unit of time passes.</summary>
public sealed record ClockTick : SchedulerEvent;

/// <summary>Process <see cref="Process"/> becomes the executing process.</summary>
/// <param name="Process">The process, 0..n−1.</param>
public sealed record Dispatch(int Process) : SchedulerEvent;

/// <summary>Process <paramref name="Process"/>'s priority (priority_p) becomes <paramref name="Priority"/>.</summary>
/// <param name="Process">The process, 0..n−1.</param>
/// <param name="Priority">Its new priority.</param>
public sealed record SetPriority(int Process, int Priority) : SchedulerEvent;

/// <summary>
/// The seed's example of dependent variables: waiting_p(Nil) = 0, waiting_p(σe) = 0 if Executing(σe) = p and
/// waiting_p + (Clock(σe) − Clock) otherwise. It reads Clock and Executing after the event, so the evaluation
/// order puts them first.
/// </summary>
public static class Scheduler
{
    /// <summary>The spec's name, as the CLI takes it and reports show it.</summary>
    public const string Name = "Scheduler";

    /// <summary>The value of Executing before any process has been dispatched.</summary>
    public const int Idle = -1;

    /// <summary>Builds the spec for processes 0..<paramref name="processes"/>−1.</summary>
    /// <param name="processes">How many processes, each with its own priority_p and waiting_p.</param>
    public static Spec<SchedulerEvent> Create(int processes = 3)
    {
        var spec = new SpecBuilder<SchedulerEvent>(Name);
        // Declared before the variables they depend on, so the derived order is visibly not the declaration order.
        var waiting = spec.Family<int>("waiting", processes);
        var priority = spec.Family<int>("priority", processes);
        var executing = spec.Variable<int>("Executing");
        var clock = spec.Variable<int>("Clock");

        spec.Define(clock, initial: 0, next: e => e is ClockTick ? clock.Now + 1 : clock.Now);
        spec.Define(executing, initial: Idle, next: e => e.When((Dispatch d) => d.Process).Else(executing.Now));
        spec.Define(priority, p => 0, (e, p) => e.When((SetPriority s) => s.Process == p ? s.Priority : priority.Now(p)).Else(priority.Now(p)));
        spec.Define(waiting, p => 0, (e, p) => executing.Next == p ? 0 : waiting.Now(p) + (clock.Next - clock.Now));

        spec.Invariant("WaitingAtMostClock", processes, p => 0 <= waiting.Now(p) && waiting.Now(p) <= clock.Now);
        spec.Invariant("ExecutingDoesNotWait", processes, p => executing.Now != p || waiting.Now(p) == 0);
        spec.StepProperty("ClockMonotone", e => clock.Next >= clock.Now);
        return spec.Build();
    }
}
