namespace Verification.Controlled;

/// <summary>
/// The run's TaskScheduler: every task queued to it becomes an operation, run when the strategy chooses it, never
/// inline (an inlined task would run outside a scheduling decision).
/// </summary>
internal sealed class ControlledScheduler(ControlledRuntime runtime) : TaskScheduler
{
    public override int MaximumConcurrencyLevel => 1;

    protected override void QueueTask(Task task) => runtime.OnQueued(task);

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    protected override IEnumerable<Task>? GetScheduledTasks() => null;

    public void Execute(Task task) => TryExecuteTask(task);
}

/// <summary>
/// The run's SynchronizationContext, installed on every operation thread: awaits capture it, so each continuation
/// (and Task.Yield) is posted here and becomes an operation. Send runs inline: the caller is the running operation.
/// </summary>
internal sealed class ControlledContext(ControlledRuntime runtime) : SynchronizationContext
{
    public override void Post(SendOrPostCallback d, object? state) => runtime.OnPosted(d, state);

    public override void Send(SendOrPostCallback d, object? state)
    {
        if (ControlledRuntime.TryCurrent(out var current, out _) && current == runtime) d(state);
        else runtime.ReportUncontrolled("SynchronizationContext.Send to the controlled context from a thread the runtime does not control", $"thread {Environment.CurrentManagedThreadId}");
    }

    public override SynchronizationContext CreateCopy() => this;
}
