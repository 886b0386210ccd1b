namespace Verification.Controlled;

/// <summary>Whether an operation may be chosen at the next scheduling point.</summary>
internal enum OperationStatus
{
    /// <summary>Runnable: created and not started yet, or stopped at a scheduling point.</summary>
    Enabled,

    /// <summary>Waiting for something (a lock, a semaphore, a task, a pulse, a virtual timer); enabled again when <see cref="Operation.CanProceed"/> says so.</summary>
    Blocked,

    /// <summary>Its work item has returned.</summary>
    Completed,
}

/// <summary>
/// A logical task of the program: the test body, or a task it started (Task.Run, Task.Factory.StartNew). Every await
/// continuation of its code is a separate operation; the task is what the report names them by.
/// </summary>
internal sealed class LogicalTask(int id, string entry)
{
    public int Id { get; } = id;

    /// <summary>Where it starts: the delegate's method and, in an explained run, the call site ("Account.CreateAsync (lambda) at Accounts.cs:14").</summary>
    public string Entry { get; } = entry;

    /// <summary>The task the program holds for it (Task.Run's result, the body's task); null until known.</summary>
    public Task? Task { get; set; }

    /// <summary>The task its start delegate returned (an async lambda's), which an async stack walks from.</summary>
    public Task? Inner { get; set; }

    /// <summary>The async method it last resumed in (an await continuation), for a report of where it is suspended.</summary>
    public string? LastResumedIn { get; set; }

    public string Name => Id == 0 ? $"body ({Entry})" : $"task {Id} ({Entry})";
}

/// <summary>
/// One work item of the controlled runtime: the body's start, a started task, or an await continuation, run on a
/// thread the runtime owns. Exactly one operation runs at a time; the others wait on their <see cref="Gate"/> (the
/// baton) or have not started. A blocked operation keeps its thread, parked on the gate, so blocking primitives
/// (a contended lock, Monitor.Wait, SemaphoreSlim.Wait, Task.Wait) can be modelled by simply not choosing it.
/// </summary>
internal sealed class Operation(int id, Task work, LogicalTask? logical, string what)
{
    /// <summary>Creation order; deterministic under the same choices, so recorded schedules name operations by it.</summary>
    public int Id { get; } = id;

    /// <summary>The task whose execution is this operation's work.</summary>
    public Task Work { get; } = work;

    /// <summary>The logical task it belongs to: set at creation for a started task, and when a continuation resumes (its execution context carries the task).</summary>
    public LogicalTask? Logical { get; set; } = logical;

    /// <summary>What it does when it starts: "start", "resume Account.CreateAsync", "timer callback".</summary>
    public string What { get; } = what;

    public OperationStatus Status { get; set; } = OperationStatus.Enabled;

    /// <summary>Whether its thread has been given the work (an operation that never ran has none).</summary>
    public bool Started { get; set; }

    /// <summary>The baton: released by the operation that chose this one, waited on by this one's thread when it gives the baton away.</summary>
    public SemaphoreSlim Gate { get; } = new(0);

    /// <summary>While blocked: true when what it waits for has happened (checked at every scheduling point).</summary>
    public Func<bool>? CanProceed { get; set; }

    /// <summary>
    /// A wake-up of an async wait (SemaphoreSlim.WaitAsync): like an await of a task nobody completes, it does not keep
    /// a run whose body has finished from ending; a thread blocked in a synchronous wait does (a deadlock).
    /// </summary>
    public bool IsAsyncWait { get; set; }

    /// <summary>While blocked: what it waits on ("lock on BoundedBuffer", "Monitor.Wait(BoundedBuffer)", "task 3").</summary>
    public string? WaitingOn { get; set; }

    /// <summary>While blocked, in an explained run: the call site and stack where it blocked.</summary>
    public string? WaitingWhere { get; set; }

    /// <summary>The last scheduling point it reached, for the watchdog's and the step bound's reports.</summary>
    public string LastPoint { get; set; } = "not started";

    /// <summary>The trace entry of its current turn (steps it runs without being preempted share one).</summary>
    public TraceEntry? TraceEntry { get; set; }

    /// <summary>A task the escape listener saw it schedule and the runtime's scheduler has not (yet) queued: if it stays so, the task escaped.</summary>
    public int? EscapeTaskId { get; set; }

    /// <summary>Where that task was started.</summary>
    public string? EscapeSite { get; set; }

    public string Name => Logical is { } task ? $"{task.Name}{(What == "start" ? "" : $", {What}")}" : $"operation {Id} ({What})";
}
