using System.Reflection;
using System.Text;

namespace Verification.Controlled;

/// <summary>How a run ended.</summary>
internal enum RunEnd
{
    /// <summary>The body and every operation finished (virtual timers still pending after that are ignored).</summary>
    Finished,

    /// <summary>The body threw (its task faulted or was cancelled).</summary>
    Exception,

    /// <summary>A task the program started faulted and nothing observed its exception (await, Wait, Result, .Exception).</summary>
    UnobservedException,

    /// <summary>Nothing can run: no enabled operation, no pending timer, and the body unfinished or an operation blocked.</summary>
    Deadlock,

    /// <summary>The run reached the step bound with work left.</summary>
    StepBound,

    /// <summary>A property of the spec failed on the observed events (or a liveness monitor ended hot, or the whole-history check failed).</summary>
    SpecViolation,

    /// <summary>Concurrency the runtime does not control: work from a foreign thread, an escaped task, an unsupported primitive.</summary>
    Uncontrolled,

    /// <summary>An operation made no scheduling point for the watchdog's time (an OS wait or an endless loop).</summary>
    Hang,

    /// <summary>A replayed schedule's choice was not an option: the body did not run as when it was recorded.</summary>
    ReplayMismatch,
}

/// <summary>How a run ended, the property a report names, and the account of it.</summary>
internal sealed record RunOutcome(RunEnd End, string Property, string Details)
{
    public bool IsBug => End is RunEnd.Exception or RunEnd.UnobservedException or RunEnd.Deadlock or RunEnd.SpecViolation;
}

/// <summary>One step of a run: the operation chosen (or the timer fired) and, as the run goes on, what the operation did until it stopped.</summary>
internal sealed class TraceEntry(int step, Operation? operation, string? timer)
{
    public int Step { get; } = step;
    public Operation? Operation { get; } = operation;
    public string? Timer { get; } = timer;
    public string? Stopped { get; set; }
}

/// <summary>The thrown exception that unwinds an operation whose run has ended (deadlock found, bound reached, watchdog fired).</summary>
internal sealed class RunAbortedException() : Exception("the controlled run ended; this operation is being unwound");

/// <summary>
/// One controlled run. Every operation (the body's start, each started task, each await continuation, each timer
/// callback) runs on a thread of <see cref="OperationThreads"/>, but only one at a time: at a scheduling point the
/// running operation asks the strategy which option comes next — an enabled operation, or the earliest virtual timer —
/// and hands the baton over (releases the chosen one's gate, waits on its own). Await continuations come back as
/// operations because every operation thread has a SynchronizationContext of this run and runs its work inside a task
/// of this run's TaskScheduler (so TaskScheduler.Current, used by StartNew and ContinueWith, is this one too).
/// </summary>
internal sealed class ControlledRuntime
{
    [ThreadStatic] private static ControlledRuntime? threadRuntime;
    [ThreadStatic] private static Operation? threadOperation;
    /// <summary>Set around the runtime's own task starts, so the escape listener and QueueTask know the task is ours.</summary>
    [ThreadStatic] private static (LogicalTask? Task, string What)? pendingStart;

    /// <summary>The logical task of the running code; it flows through awaits, so a continuation learns its task when its context is restored.</summary>
    private static readonly AsyncLocal<LogicalTask?> CurrentTask = new(OnTaskContextChanged);

    /// <summary>Actor keys of operations without a task start here, above any task number.</summary>
    private const long ActorOfNoTask = 1L << 40;

    private static readonly DateTimeOffset Epoch = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly object gate = new();
    private readonly IControlledStrategy strategy;
    private readonly int maxSteps;
    private readonly List<Operation> operations = [];
    private readonly List<LogicalTask> tasks = [];
    private readonly List<VirtualTimer> timers = [];
    private readonly Dictionary<object, MonitorState> monitors = new(ReferenceEqualityComparer.Instance);
    private int nextTimer;
    private int steps;
    private volatile bool ended;
    private RunOutcome? outcome;
    private Operation? running;

    private readonly IRunObserver? observer;

    // Partial synchrony (ControlledOptions.TimersOnlyWhenIdle): a timer is offered only when no operation can run.
    private readonly bool timersOnlyWhenIdle;

    public ControlledRuntime(IControlledStrategy strategy, int maxSteps, bool explain, IRunObserver? observer = null, bool timersOnlyWhenIdle = false)
    {
        this.timersOnlyWhenIdle = timersOnlyWhenIdle;
        this.observer = observer;
        this.strategy = strategy;
        this.maxSteps = maxSteps;
        Explain = explain;
        Scheduler = new ControlledScheduler(this);
        Time = new VirtualTimeProvider(this);
    }

    /// <summary>Capture call sites and stacks at every scheduling point (a failing run's explanation; too slow for the search).</summary>
    public bool Explain { get; }

    public ControlledScheduler Scheduler { get; }
    public VirtualTimeProvider Time { get; }

    /// <summary>The virtual clock, in ticks since the run started; advanced only when a timer fires.</summary>
    public long Now { get; private set; }

    public DateTimeOffset UtcNow => Epoch.AddTicks(Now);

    /// <summary>The choices made, by key (operation id, or −timer id), in order: the run's replayable schedule.</summary>
    public List<long> Decisions { get; } = [];

    /// <summary>For each scheduling point (from 1): the choice and the non-preemptive default there; minimisation counts the points where they differ as preemptions.</summary>
    public List<(long Chosen, long Default)> Points { get; } = [];

    private List<TraceEntry> Trace { get; } = [];

    /// <summary>The trace so far, one line per turn of an operation or fired timer (read after the run ended, or by the watchdog's report).</summary>
    public List<string> TraceLines()
    {
        lock (gate)
            return [.. Trace.Select(e => e.Operation is { } operation ? $"{e.Step}. {operation.Name}: {e.Stopped ?? "(running)"}" : $"{e.Step}. {e.Timer}")];
    }

    /// <summary>Scheduling points so far; the watchdog watches it move.</summary>
    public int Steps => Volatile.Read(ref steps);

    /// <summary>The running code's runtime and operation, when it runs under a run that has not ended; interceptors forward to the BCL otherwise.</summary>
    public static bool TryCurrent(out ControlledRuntime runtime, out Operation operation)
    {
        runtime = threadRuntime!;
        operation = threadOperation!;
        return runtime is not null && operation is not null && !runtime.ended;
    }

    /// <summary>Whether the current thread runs an operation of some live run (the escape listener asks).</summary>
    internal static ControlledRuntime? OnOperationThread(out Operation? operation)
    {
        operation = threadOperation;
        return threadRuntime is { ended: false } runtime && operation is not null ? runtime : null;
    }

    /// <summary>Set while <see cref="TaskOf"/> runs in another context, whose switches are not this operation's.</summary>
    [ThreadStatic] private static bool peeking;

    private static void OnTaskContextChanged(AsyncLocalValueChangedArgs<LogicalTask?> change)
    {
        if (!peeking && change.ThreadContextChanged && change.CurrentValue is { } task && threadOperation is { } operation && operation.Logical is null) operation.Logical = task;
    }

    /// <summary>
    /// The logical task of the code a continuation resumes, read from the execution context its box captured at the
    /// await: the continuation's operation is then named by its task, and PCT gives it its task's priority, from the start.
    /// </summary>
    private static LogicalTask? TaskOf(object box)
    {
        if (CallSites.ContextOf(box) is not { } context) return null;
        LogicalTask? task = null;
        peeking = true;
        try
        {
            ExecutionContext.Run(context, _ => task = CurrentTask.Value, null);
        }
        finally
        {
            peeking = false;
        }
        return task;
    }

    // ---------------------------------------------------------------- running a body

    /// <summary>Runs <paramref name="body"/> to its end; the caller's thread only starts it and waits (with the watchdog).</summary>
    public RunOutcome Run(Func<Task> body, TimeSpan watchdog)
    {
        var root = new LogicalTask(0, CallSites.Describe(body.Method));
        tasks.Add(root);
        var caller = threadRuntime;
        threadRuntime = this; // the first task is queued from the caller's thread
        try
        {
            StartTask(root, body);
        }
        finally
        {
            threadRuntime = caller;
        }
        Operation? first;
        lock (gate) first = ChooseNext(null);
        if (first is not null) Resume(first);
        WaitWithWatchdog(watchdog);
        // Wake every parked operation so its thread unwinds (RunAbortedException) and returns to the pool.
        lock (gate)
            foreach (var operation in operations)
                if (operation.Started && operation.Status != OperationStatus.Completed) operation.Gate.Release();
        return outcome!;
    }

    private void WaitWithWatchdog(TimeSpan watchdog)
    {
        var period = TimeSpan.FromMilliseconds(Math.Clamp(watchdog.TotalMilliseconds / 4, 1, 250));
        var lastSteps = -1;
        var since = Environment.TickCount64;
        while (!WaitForEnd(period))
        {
            var now = Steps;
            if (now != lastSteps)
            {
                lastSteps = now;
                since = Environment.TickCount64;
                continue;
            }
            if (Environment.TickCount64 - since < watchdog.TotalMilliseconds) continue;
            lock (gate)
            {
                var stuck = running;
                End(new RunOutcome(RunEnd.Hang, "Watchdog",
                    $"{stuck?.Name ?? "no operation"} made no scheduling point for {watchdog.TotalSeconds:0.###} s (an OS wait the runtime does not control, e.g. a ManualResetEventSlim, I/O or an unrewritten lock, or an endless loop); "
                    + $"its last scheduling point: {stuck?.LastPoint ?? "none"}. Its thread is abandoned; the run is reported, not waited for."));
            }
            return;
        }
    }

    /// <summary>Waits up to <paramref name="period"/> for the run to end (<see cref="End"/> pulses the gate).</summary>
    private bool WaitForEnd(TimeSpan period)
    {
        lock (gate)
        {
            if (!ended) Monitor.Wait(gate, period);
            return ended;
        }
    }

    /// <summary>Starts a task of the program (the body, Task.Run) as a new operation of logical task <paramref name="task"/>; the result is the task the program holds.</summary>
    public Task StartTask(LogicalTask task, Func<Task> work, CancellationToken cancellationToken = default)
    {
        pendingStart = (task, "start");
        try
        {
            var started = Task.Factory.StartNew(() =>
            {
                CurrentTask.Value = task;
                var inner = work();
                task.Inner = inner;
                return inner;
            }, cancellationToken, TaskCreationOptions.DenyChildAttach, Scheduler).Unwrap();
            task.Task = started;
            return started;
        }
        finally
        {
            pendingStart = null;
        }
    }

    /// <summary>As <see cref="StartTask(LogicalTask, Func{Task}, CancellationToken)"/> for work that returns a value.</summary>
    public Task<T> StartTask<T>(LogicalTask task, Func<Task<T>> work, CancellationToken cancellationToken = default)
    {
        pendingStart = (task, "start");
        try
        {
            var started = Task.Factory.StartNew(() =>
            {
                CurrentTask.Value = task;
                var inner = work();
                task.Inner = inner;
                return inner;
            }, cancellationToken, TaskCreationOptions.DenyChildAttach, Scheduler).Unwrap();
            task.Task = started;
            return started;
        }
        finally
        {
            pendingStart = null;
        }
    }

    /// <summary>A new logical task, numbered in creation order, named by its delegate and (explaining) its call site.</summary>
    public LogicalTask NewTask(Delegate entry)
    {
        var name = CallSites.Describe(entry.Method);
        lock (gate)
        {
            var task = new LogicalTask(tasks.Count, Explain ? CallSites.Site() : name);
            tasks.Add(task);
            return task;
        }
    }

    /// <summary>TaskScheduler.QueueTask: every task queued here becomes an operation, unless it comes from a thread the run does not own.</summary>
    internal void OnQueued(Task task)
    {
        if (threadRuntime != this)
        {
            ReportUncontrolled("a task was queued to the controlled scheduler from a thread the runtime does not control", Foreign());
            return;
        }
        var start = pendingStart;
        pendingStart = null;
        if (threadOperation is { } current && current.EscapeTaskId == task.Id) current.EscapeTaskId = null;
        lock (gate)
        {
            if (ended) return;
            var logical = start?.Task;
            var what = start?.What ?? "start";
            if (start is null)
            {
                // The program's own Task.Factory.StartNew or ContinueWith (TaskScheduler.Current is this one): a new task.
                logical = new LogicalTask(tasks.Count, Explain ? $"StartNew/ContinueWith at {CallSites.Site()}" : "StartNew/ContinueWith");
                tasks.Add(logical);
                logical.Task = task;
            }
            operations.Add(new Operation(operations.Count, task, logical, what));
        }
    }

    /// <summary>SynchronizationContext.Post: an await continuation (or Task.Yield) becomes an operation.</summary>
    internal void OnPosted(SendOrPostCallback callback, object? state)
    {
        if (threadRuntime != this)
        {
            ReportUncontrolled("work was posted to the controlled SynchronizationContext from a thread the runtime does not control (an escaped Task.Run, a real timer, I/O, or ConfigureAwait(false))", Foreign());
            return;
        }
        var box = CallSites.Box(state);
        pendingStart = box is null ? (null, "callback") : (TaskOf(box), $"resume {CallSites.ResumedMethod(box)}");
        try
        {
            // Without the poster's execution context: the callback restores its own (an await continuation's), and the
            // poster's would otherwise be the first the operation's thread switches to.
            using (ExecutionContext.SuppressFlow()) new Task(() => callback(state)).Start(Scheduler);
        }
        finally
        {
            pendingStart = null;
        }
    }

    /// <summary>Queues <paramref name="work"/> as a new operation of no task (a timer's callback, a wake-up) and returns it. Called under the gate by the running operation.</summary>
    private Operation QueueOperation(Action work, string what)
    {
        pendingStart = (null, what);
        try
        {
            using (ExecutionContext.SuppressFlow()) new Task(work).Start(Scheduler);
        }
        finally
        {
            pendingStart = null;
        }
        return operations[^1];
    }

    /// <summary>
    /// A task that completes once <paramref name="ready"/> holds, for async waits on a condition (SemaphoreSlim.WaitAsync):
    /// an operation blocked on the condition completes it when the strategy chooses it, so its awaiters resume as
    /// operations, and a run where nothing else can happen reports it among the deadlocked.
    /// </summary>
    public Task WhenReady(Func<bool> ready, string waitingOn)
    {
        if (ready()) return Task.CompletedTask;
        var done = new TaskCompletionSource();
        lock (gate)
        {
            var waiter = QueueOperation(() => done.TrySetResult(), $"wake-up of {waitingOn}");
            waiter.Logical = threadOperation?.Logical;
            waiter.Status = OperationStatus.Blocked;
            waiter.IsAsyncWait = true;
            waiter.CanProceed = ready;
            waiter.WaitingOn = waitingOn;
            waiter.WaitingWhere = Explain ? CallSites.UserStack() : null;
        }
        return done.Task;
    }

    private static string Foreign() =>
        $"from thread {Environment.CurrentManagedThreadId} '{Thread.CurrentThread.Name ?? "unnamed"}' (thread pool: {Thread.CurrentThread.IsThreadPoolThread}); stack: {CallSites.UserStack(8)}";

    // ---------------------------------------------------------------- operations and the baton

    /// <summary>Gives <paramref name="operation"/> the baton: its first run on a thread of its own, or a release of its gate.</summary>
    private void Resume(Operation operation)
    {
        if (operation.Started)
        {
            operation.Gate.Release();
            return;
        }
        operation.Started = true;
        OperationThreads.Start(() => Execute(operation));
    }

    private void Execute(Operation operation)
    {
        threadRuntime = this;
        threadOperation = operation;
        // A context of its own per operation: a continuation captured here and completed by another operation then
        // differs from that one's context, so the BCL posts it (a new operation, a scheduling point) instead of
        // running it inline inside the completing operation, where no other interleaving could be explored.
        SynchronizationContext.SetSynchronizationContext(new ControlledContext(this));
        try
        {
            if (!ended) Scheduler.Execute(operation.Work); // the task captures the work's exceptions, RunAbortedException included
            Completed(operation);
        }
        catch (RunAbortedException)
        {
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(null);
            threadRuntime = null;
            threadOperation = null;
        }
    }

    private void Completed(Operation operation)
    {
        Operation? next;
        lock (gate)
        {
            operation.Status = OperationStatus.Completed;
            if (ended) return;
            if (operation.EscapeTaskId is not null) EndUncontrolled(operation);
            if (operation.What != "start" && operation.Work.Exception?.InnerException is { } escaped and not RunAbortedException)
            {
                // Not a task's own exception (those stay in the task, for whoever awaits it): one that escaped a posted
                // callback or a timer callback, which crashes a real process — an async void method that threw.
                End(new RunOutcome(RunEnd.Exception, escaped.GetType().Name,
                    $"{operation.Name} threw {escaped.GetType().FullName}: {escaped.Message} out of a callback (an async void method or a timer callback), which would crash the process\n{UserFrames(escaped)}"));
            }
            if (ended) return;
            var task = operation.Logical;
            Stop(operation, task?.Task is not { IsCompleted: true } done ? task is null ? "done" : "suspended at an await"
                : done.IsFaulted ? "faulted" : "finished"); // not done.Exception: reading it marks the exception observed
            if (task is not null && operation.What.StartsWith("resume ", StringComparison.Ordinal)) task.LastResumedIn = operation.What["resume ".Length..];
            next = ChooseNext(null);
        }
        if (next is not null) Resume(next);
    }

    /// <summary>A scheduling point of the running operation: it may be preempted here. <paramref name="what"/> says which primitive, for the trace.</summary>
    public void SchedulingPoint(Operation operation, string what) => Switch(operation, what);

    /// <summary>
    /// Blocks the running operation until <paramref name="canProceed"/> holds: it is not an option until then, and
    /// when it is chosen again this returns. Throws <see cref="RunAbortedException"/> when the run ends meanwhile.
    /// </summary>
    public void Block(Operation operation, string waitingOn, Func<bool> canProceed)
    {
        lock (gate)
        {
            operation.Status = OperationStatus.Blocked;
            operation.CanProceed = canProceed;
            operation.WaitingOn = waitingOn;
            operation.WaitingWhere = Explain ? CallSites.UserStack() : null;
        }
        Switch(operation, $"blocks on {waitingOn}");
    }

    private void Switch(Operation operation, string what)
    {
        Operation? next;
        lock (gate)
        {
            if (ended) throw new RunAbortedException();
            var point = Explain ? $"{what} at {CallSites.Site()}" : what;
            operation.LastPoint = point;
            Stop(operation, point);
            if (operation.EscapeTaskId is not null) EndUncontrolled(operation);
            next = ended ? null : ChooseNext(operation);
        }
        if (next is null) throw new RunAbortedException();
        if (next == operation) return;
        Resume(next);
        operation.Gate.Wait();
        if (ended) throw new RunAbortedException();
    }

    private static void Stop(Operation operation, string what)
    {
        if (operation.TraceEntry is { } entry) entry.Stopped = entry.Stopped is null ? what : $"{entry.Stopped} → {what}";
    }

    /// <summary>
    /// Makes the choice of one scheduling point (firing timers the strategy picks, which are steps too) and returns the
    /// operation to run, or null when the run ends here (then <see cref="outcome"/> says how). Called under the gate.
    /// </summary>
    private Operation? ChooseNext(Operation? current)
    {
        var options = new List<Operation>();
        var keys = new List<long>();
        var actors = new List<long>();
        while (true)
        {
            if (tasks[0].Task is { IsFaulted: true } or { IsCanceled: true })
            {
                End(Finish()); // the body failed: nothing the other operations do can undo that, and the trace stays short
                return null;
            }
            options.Clear();
            keys.Clear();
            actors.Clear();
            foreach (var operation in operations)
                if (operation.Status == OperationStatus.Enabled || (operation.Status == OperationStatus.Blocked && operation.CanProceed!()))
                {
                    options.Add(operation);
                    keys.Add(operation.Id);
                    // PCT's priorities belong to tasks (all of a task's continuations share one); an operation of no task has its own.
                    actors.Add(operation.Logical is { } task ? task.Id : ActorOfNoTask + operation.Id);
                }
            // After the body finished, a thread blocked in a synchronous wait is a deadlock; an async wait is not (as an await of a task nobody completes).
            var blocked = operations.Any(o => o.Status == OperationStatus.Blocked && !o.IsAsyncWait);
            var bodyDone = tasks[0].Task is { IsCompleted: true };
            var timer = timers.Count == 0 ? null : timers.MinBy(t => (t.Due, t.Id));
            if (options.Count == 0 && (timer is null || (bodyDone && !blocked)))
            {
                End(bodyDone && !blocked ? Finish() : Deadlock());
                return null;
            }
            if (timer is not null && timersOnlyWhenIdle && options.Count > 0) timer = null;
            if (timer is not null)
            {
                keys.Add(-timer.Id);
                actors.Add(-timer.Id);
            }
            var step = Interlocked.Increment(ref steps);
            if (step > maxSteps)
            {
                End(new RunOutcome(RunEnd.StepBound, $"Termination within {maxSteps} steps", $"the run reached {maxSteps} scheduling points with work left:\n{Unfinished()}"));
                return null;
            }
            var continuing = current is not null ? options.IndexOf(current) : -1;
            int pick;
            try
            {
                pick = strategy.Pick(keys, actors, continuing, step);
            }
            catch (Verification.Specs.SpecException mismatch)
            {
                End(new RunOutcome(RunEnd.ReplayMismatch, "Replay", mismatch.Message));
                return null;
            }
            Decisions.Add(keys[pick]);
            Points.Add((keys[pick], keys[GuidedChoices.Default(keys, continuing)]));
            Operation chosen;
            if (keys[pick] < 0)
            {
                timers.Remove(timer!);
                Now = Math.Max(Now, timer!.Due);
                Trace.Add(new TraceEntry(step, null, $"{timer.What} fires at t={TimeSpan.FromTicks(Now)}"));
                if (timer.Callback is null)
                {
                    timer.Signal!(); // only sets the runtime's own state (a flag a blocked operation's condition reads)
                    continue;
                }
                // Code the program sees (completing a delay's task, a TimeProvider callback) runs as an operation of its
                // own, started right away: timers complete in firing order, and nothing runs under the gate.
                chosen = QueueOperation(timer.Callback, $"{timer.What} elapsed");
            }
            else chosen = options[pick];
            if (chosen.Status == OperationStatus.Blocked)
            {
                chosen.Status = OperationStatus.Enabled;
                chosen.CanProceed = null;
                chosen.WaitingOn = null;
                chosen.WaitingWhere = null;
            }
            if (chosen != current || chosen.TraceEntry is null || Trace[^1] != chosen.TraceEntry)
            {
                chosen.TraceEntry = new TraceEntry(step, chosen, null);
                Trace.Add(chosen.TraceEntry);
            }
            running = chosen;
            return chosen;
        }
    }

    /// <summary>Every operation and the body finished: a violation if the body threw or a started task faulted unobserved.</summary>
    private RunOutcome Finish()
    {
        var body = tasks[0].Task!;
        if (body.IsFaulted || body.IsCanceled)
        {
            var error = body.IsFaulted ? body.Exception!.InnerException! : new TaskCanceledException(body);
            return new RunOutcome(RunEnd.Exception, error.GetType().Name, $"the body threw {error.GetType().FullName}: {error.Message}\n{UserFrames(error)}");
        }
        foreach (var task in tasks.Skip(1))
            if (task.Task is { IsFaulted: true } faulted && !ExceptionObserved(faulted))
            {
                var error = faulted.Exception!.InnerException!;
                return new RunOutcome(RunEnd.UnobservedException, error.GetType().Name,
                    $"{task.Name} threw {error.GetType().FullName}: {error.Message}, and nothing observed it (await, Wait, Result)\n{UserFrames(error)}");
            }
        if (observer?.AtEnd() is { } failure) return new RunOutcome(RunEnd.SpecViolation, failure.Property, failure.Details);
        return new RunOutcome(RunEnd.Finished, "", "");
    }

    /// <summary>ControlledSpec.Observe from the running operation: the run's monitor checks it; a failed property ends the run here.</summary>
    public void Observe(Operation operation, object evt)
    {
        if (observer is null) return;
        lock (gate)
        {
            if (ended) throw new RunAbortedException();
            if (Explain) Stop(operation, $"observes {Verification.Specs.Alphabet.Describe(evt)}");
            if (observer.Observe(evt) is not { } failure) return;
            End(new RunOutcome(RunEnd.SpecViolation, failure.Property, failure.Details));
        }
        throw new RunAbortedException();
    }

    private static string UserFrames(Exception error) => CallSites.UserFrames(error);

    /// <summary>
    /// Whether the task's exception was observed. The runtime records that on the task's exception holder (what decides
    /// TaskScheduler.UnobservedTaskException at finalisation); it is read by reflection because .NET has no public API
    /// for it. If the field is ever renamed this answers "observed", so the check can only miss a bug, not invent one.
    /// </summary>
    private static bool ExceptionObserved(Task task)
    {
        const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
        var properties = typeof(Task).GetField("m_contingentProperties", Instance)?.GetValue(task);
        var holder = properties?.GetType().GetField("m_exceptionsHolder", Instance)?.GetValue(properties);
        return holder?.GetType().GetField("m_isHandled", Instance)?.GetValue(holder) is not false;
    }

    private RunOutcome Deadlock()
    {
        var text = new StringBuilder("no operation can run and no timer is pending");
        text.Append(tasks[0].Task is { IsCompleted: true } ? ", but operations are blocked:" : ", but the body has not finished:");
        text.Append('\n').Append(Unfinished());
        return new RunOutcome(RunEnd.Deadlock, "Deadlock", text.ToString().TrimEnd());
    }

    /// <summary>Every blocked operation (what it waits on, where) and every unfinished task (where it is suspended).</summary>
    private string Unfinished()
    {
        var text = new StringBuilder();
        foreach (var operation in operations.Where(o => o.Status == OperationStatus.Blocked))
        {
            // The thread's stack ends at the async method that resumed; its async callers are the task's await chain.
            var callers = operation.Logical?.Inner is { IsCompleted: false } inner && !operation.IsAsyncWait ? $"; async stack: {AsyncStack.Describe(inner)}" : "";
            text.AppendLine($"  {operation.Name}: blocked on {operation.WaitingOn}{(operation.WaitingWhere is null ? "" : $", at {operation.WaitingWhere}")}{callers}");
        }
        foreach (var operation in operations.Where(o => o.Status == OperationStatus.Enabled))
            text.AppendLine($"  {operation.Name}: runnable, last at {operation.LastPoint}");
        var blockedTasks = operations.Where(o => o.Status != OperationStatus.Completed).Select(o => o.Logical).ToHashSet();
        foreach (var task in tasks.Where(t => t.Task is { IsCompleted: false } && !blockedTasks.Contains(t)))
            text.AppendLine($"  {task.Name}: not finished, suspended at an await{(task.LastResumedIn is null ? "" : $" (last resumed in {task.LastResumedIn})")} on {AsyncStack.Describe(task.Inner ?? task.Task!)}");
        foreach (var timer in timers) text.AppendLine($"  pending: {timer.What} due at t={TimeSpan.FromTicks(timer.Due)}");
        return text.ToString().TrimEnd();
    }

    /// <summary>Ends the run (first end wins) and wakes the caller's thread.</summary>
    private void End(RunOutcome how)
    {
        if (ended) return;
        outcome = how;
        ended = true;
        Monitor.PulseAll(gate);
    }

    /// <summary>Concurrency the runtime does not control was detected: the run ends, reported as such (never hung).</summary>
    public void ReportUncontrolled(string what, string where)
    {
        lock (gate)
        {
            // Work arriving from a foreign thread usually comes from a task an operation let escape; when the escape
            // listener saw that happen, its report names where the task was started, which the foreign stack cannot.
            if (operations.FirstOrDefault(o => o.EscapeTaskId is not null) is { } escaped) EndUncontrolled(escaped);
            else End(new RunOutcome(RunEnd.Uncontrolled, "UncontrolledConcurrency", $"{what}, {where}"));
        }
    }

    /// <summary>An unsupported primitive was called under control: the run ends, naming it and its call site, and the calling operation unwinds.</summary>
    public Exception Unsupported(string primitive, string instead)
    {
        lock (gate) End(new RunOutcome(RunEnd.Uncontrolled, $"Unsupported: {primitive}", $"{primitive} is not supported under a controlled run ({instead}); called at {CallSites.UserStack()}"));
        return new RunAbortedException();
    }

    private void EndUncontrolled(Operation operation) =>
        End(new RunOutcome(RunEnd.Uncontrolled, "UncontrolledConcurrency",
            $"{operation.Name} started a task on a scheduler the runtime does not control (an unrewritten Task.Run, TaskScheduler.Default, Parallel.*): it runs on the thread pool, outside the schedule; started at {operation.EscapeSite}"));

    /// <summary>The escape listener saw a task scheduled from this operation; unless the runtime's scheduler queues it right after, it escaped.</summary>
    internal static void OnTaskScheduled(int taskId)
    {
        if (pendingStart is not null || OnOperationThread(out var operation) is null || operation!.EscapeTaskId is not null) return;
        operation.EscapeSite = CallSites.UserStack(); // before the id: a thread that sees the id (a foreign post) also sees where
        operation.EscapeTaskId = taskId;
    }

    /// <summary>"task 3" (or "body"), for a task of the program; its id otherwise.</summary>
    public string ShortName(Task task)
    {
        lock (gate)
            foreach (var logical in tasks)
                if (logical.Task == task || logical.Inner == task) return logical.Id == 0 ? "body" : $"task {logical.Id}";
        return AsyncStack.Anonymous;
    }

    /// <summary>A task as a report names it: the program's task it is, or its id.</summary>
    public string DescribeTask(Task task)
    {
        lock (gate)
            foreach (var logical in tasks)
                if (logical.Task == task || logical.Inner == task) return logical.Name;
        return AsyncStack.Describe(task);
    }

    // ---------------------------------------------------------------- virtual time

    /// <summary>A timer due <paramref name="after"/> from now whose firing only sets runtime state (<paramref name="signal"/> runs under the gate: a timeout flag a blocked operation's condition reads).</summary>
    public VirtualTimer AddTimer(TimeSpan after, string what, Action signal) => Add(after, what, signal, null);

    /// <summary>A timer due <paramref name="after"/> from now whose firing runs <paramref name="callback"/> (code the program sees) as an operation of its own.</summary>
    public VirtualTimer AddCallbackTimer(TimeSpan after, string what, Action callback) => Add(after, what, null, callback);

    private VirtualTimer Add(TimeSpan after, string what, Action? signal, Action? callback)
    {
        lock (gate)
        {
            var timer = new VirtualTimer(++nextTimer, Now + Math.Max(0, after.Ticks), what, signal, callback);
            timers.Add(timer);
            return timer;
        }
    }

    public void CancelTimer(VirtualTimer timer)
    {
        lock (gate) timers.Remove(timer);
    }

    // ---------------------------------------------------------------- monitors

    /// <summary>The runtime's view of a monitor: which operation holds it (the real Monitor is also held, on that operation's thread) and who waits in Monitor.Wait.</summary>
    public MonitorState MonitorOf(object target)
    {
        lock (gate)
        {
            if (!monitors.TryGetValue(target, out var state)) monitors[target] = state = new MonitorState();
            return state;
        }
    }
}

/// <summary>A pending virtual timer, due at a virtual time: firing it runs <see cref="Signal"/> (runtime state only) or <see cref="Callback"/> (as an operation).</summary>
internal sealed class VirtualTimer(int id, long due, string what, Action? signal, Action? callback)
{
    public int Id { get; } = id;
    public long Due { get; } = due;
    public string What { get; } = what;
    public Action? Signal { get; } = signal;
    public Action? Callback { get; } = callback;
}

/// <summary>One monitor under control: its owner and recursion count, and the Monitor.Wait queue in arrival order.</summary>
internal sealed class MonitorState
{
    public Operation? Owner { get; set; }
    public int Count { get; set; }
    public List<MonitorWaiter> Waiters { get; } = [];
}

/// <summary>An operation in Monitor.Wait: pulsed, or timed out by its virtual timer.</summary>
internal sealed class MonitorWaiter(Operation operation)
{
    public Operation Operation { get; } = operation;
    public bool Pulsed { get; set; }
    public bool TimedOut { get; set; }
}
