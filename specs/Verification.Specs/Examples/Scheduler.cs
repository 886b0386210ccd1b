namespace Verification.Specs.Examples;

/// <summary>A small operating-system alphabet for the seed's Clock, Executing, priority_p and waiting_p.</summary>
public abstract record SchedulerEvent;

/// <summary>One unit of time passes.</summary>
public sealed record ClockTick : SchedulerEvent;

/// <summary>Process <see cref="Process"/> becomes the executing process.</summary>
public sealed record Dispatch(int Process) : SchedulerEvent;

public sealed record SetPriority(int Process, int Priority) : SchedulerEvent;

/// <summary>
/// The seed's example of dependent variables: waiting_p(Nil) = 0, waiting_p(σe) = 0 if Executing(σe) = p and
/// waiting_p + (Clock(σe) − Clock) otherwise. It reads Clock and Executing after the event, so the evaluation
/// order puts them first.
/// </summary>
public static class Scheduler
{
    public const string Name = "Scheduler";
    public const int Idle = -1;

    public static Spec<SchedulerEvent> Create(int processes = 3)
    {
        var spec = new SpecBuilder<SchedulerEvent>(Name);
        // Declared before the variables they depend on, so the derived order is visibly not the declaration order.
        var waiting = spec.Family<int>("waiting", processes);
        var priority = spec.Family<int>("priority", processes);
        var executing = spec.Variable<int>("Executing");
        var clock = spec.Variable<int>("Clock");

        spec.Define(clock, initial: 0, next: e => e is ClockTick ? clock.Now + 1 : clock.Now);
        spec.Define(executing, initial: Idle, next: e => e is Dispatch ? ((Dispatch)e).Process : executing.Now);
        spec.Define(priority, p => 0, (e, p) => e is SetPriority && ((SetPriority)e).Process == p ? ((SetPriority)e).Priority : priority.Now(p));
        spec.Define(waiting, p => 0, (e, p) => executing.Next == p ? 0 : waiting.Now(p) + (clock.Next - clock.Now));

        spec.Invariant("WaitingAtMostClock", processes, p => 0 <= waiting.Now(p) && waiting.Now(p) <= clock.Now);
        spec.Invariant("ExecutingDoesNotWait", processes, p => executing.Now != p || waiting.Now(p) == 0);
        spec.StepProperty("ClockMonotone", e => clock.Next >= clock.Now);
        return spec.Build();
    }
}
