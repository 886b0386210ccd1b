using System.Runtime.CompilerServices;

namespace Verification.Controlled;

/// <summary>
/// Interceptors for Task's static members and blocking waits (rewritten code calls these instead of the BCL's).
/// Outside a controlled run each forwards to the BCL exactly. Inside one: Task.Run starts a controlled task and is a
/// scheduling point; Task.Delay is a virtual timer; a blocking wait on an incomplete task blocks only the calling
/// operation (the others run); ConfigureAwait(false) keeps the continuation controlled.
/// </summary>
public static class ControlledTask
{
    /// <summary>Task.Run(Action).</summary>
    public static Task Run(Action action) => Run(action, CancellationToken.None);

    /// <summary>Task.Run(Action, CancellationToken).</summary>
    public static Task Run(Action action, CancellationToken cancellationToken)
    {
        if (!ControlledRuntime.TryCurrent(out var runtime, out var operation)) return Task.Run(action, cancellationToken);
        ArgumentNullException.ThrowIfNull(action);
        return Started(runtime, operation, runtime.StartTask(runtime.NewTask(action), () =>
        {
            action();
            return Task.CompletedTask;
        }, cancellationToken));
    }

    /// <summary>Task.Run(Func&lt;Task&gt;).</summary>
    public static Task Run(Func<Task> function) => Run(function, CancellationToken.None);

    /// <summary>Task.Run(Func&lt;Task&gt;, CancellationToken).</summary>
    public static Task Run(Func<Task> function, CancellationToken cancellationToken)
    {
        if (!ControlledRuntime.TryCurrent(out var runtime, out var operation)) return Task.Run(function, cancellationToken);
        ArgumentNullException.ThrowIfNull(function);
        return Started(runtime, operation, runtime.StartTask(runtime.NewTask(function), function, cancellationToken));
    }

    /// <summary>Task.Run&lt;T&gt;(Func&lt;T&gt;).</summary>
    public static Task<T> Run<T>(Func<T> function) => Run(function, CancellationToken.None);

    /// <summary>Task.Run&lt;T&gt;(Func&lt;T&gt;, CancellationToken).</summary>
    public static Task<T> Run<T>(Func<T> function, CancellationToken cancellationToken)
    {
        if (!ControlledRuntime.TryCurrent(out var runtime, out var operation)) return Task.Run(function, cancellationToken);
        ArgumentNullException.ThrowIfNull(function);
        return Started(runtime, operation, runtime.StartTask(runtime.NewTask(function), () => Task.FromResult(function()), cancellationToken));
    }

    /// <summary>Task.Run&lt;T&gt;(Func&lt;Task&lt;T&gt;&gt;).</summary>
    public static Task<T> Run<T>(Func<Task<T>> function) => Run(function, CancellationToken.None);

    /// <summary>Task.Run&lt;T&gt;(Func&lt;Task&lt;T&gt;&gt;, CancellationToken).</summary>
    public static Task<T> Run<T>(Func<Task<T>> function, CancellationToken cancellationToken)
    {
        if (!ControlledRuntime.TryCurrent(out var runtime, out var operation)) return Task.Run(function, cancellationToken);
        ArgumentNullException.ThrowIfNull(function);
        return Started(runtime, operation, runtime.StartTask(runtime.NewTask(function), function, cancellationToken));
    }

    /// <summary>Starting a task is a scheduling point: the new task may run before its starter goes on.</summary>
    private static TTask Started<TTask>(ControlledRuntime runtime, Operation operation, TTask task) where TTask : Task
    {
        runtime.SchedulingPoint(operation, $"Task.Run → {runtime.ShortName(task)}");
        return task;
    }

    /// <summary>Task.Delay(int).</summary>
    public static Task Delay(int millisecondsDelay) => Delay(millisecondsDelay, CancellationToken.None);

    /// <summary>Task.Delay(int, CancellationToken).</summary>
    public static Task Delay(int millisecondsDelay, CancellationToken cancellationToken)
    {
        if (!ControlledRuntime.TryCurrent(out var runtime, out var operation)) return Task.Delay(millisecondsDelay, cancellationToken);
        ArgumentOutOfRangeException.ThrowIfLessThan(millisecondsDelay, -1);
        return VirtualDelay(runtime, operation, millisecondsDelay == Timeout.Infinite ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(millisecondsDelay), cancellationToken);
    }

    /// <summary>Task.Delay(TimeSpan).</summary>
    public static Task Delay(TimeSpan delay) => Delay(delay, CancellationToken.None);

    /// <summary>Task.Delay(TimeSpan, CancellationToken).</summary>
    public static Task Delay(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (!ControlledRuntime.TryCurrent(out var runtime, out var operation)) return Task.Delay(delay, cancellationToken);
        if (delay < TimeSpan.Zero && delay != Timeout.InfiniteTimeSpan) throw new ArgumentOutOfRangeException(nameof(delay), delay, "The delay must be non-negative or Timeout.InfiniteTimeSpan.");
        return VirtualDelay(runtime, operation, delay, cancellationToken);
    }

    /// <summary>
    /// A delay on the virtual clock: a pending timer the strategy may fire at any scheduling point (earliest first);
    /// no wall time passes. Firing completes the task in an operation started at once, so delays complete in deadline order.
    /// </summary>
    private static Task VirtualDelay(ControlledRuntime runtime, Operation operation, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled(cancellationToken);
        if (delay == TimeSpan.Zero) return Task.CompletedTask;
        var completion = new TaskCompletionSource();
        VirtualTimer? timer = null;
        if (delay != Timeout.InfiniteTimeSpan)
        {
            var what = $"Task.Delay({delay}) of {operation.Name}";
            timer = runtime.AddCallbackTimer(delay, what, () => completion.TrySetResult());
        }
        if (cancellationToken.CanBeCanceled)
            cancellationToken.Register(() =>
            {
                if (timer is not null) runtime.CancelTimer(timer);
                completion.TrySetCanceled(cancellationToken);
            });
        return completion.Task;
    }

    /// <summary>Task.Yield(): under control the continuation is posted to the run's context, so the await is a scheduling point.</summary>
    public static YieldAwaitable Yield() => Task.Yield();

    /// <summary>task.Wait().</summary>
    public static void Wait(Task task)
    {
        if (ControlledRuntime.TryCurrent(out var runtime, out var operation)) BlockUntilDone(runtime, operation, task, "Task.Wait");
        task.Wait();
    }

    /// <summary>task.Wait(int).</summary>
    public static bool Wait(Task task, int millisecondsTimeout)
    {
        if (!ControlledRuntime.TryCurrent(out var runtime, out var operation) || millisecondsTimeout == Timeout.Infinite) return task.Wait(millisecondsTimeout);
        ArgumentOutOfRangeException.ThrowIfLessThan(millisecondsTimeout, -1);
        return WaitWithin(runtime, operation, task, TimeSpan.FromMilliseconds(millisecondsTimeout));
    }

    /// <summary>task.Wait(TimeSpan).</summary>
    public static bool Wait(Task task, TimeSpan timeout)
    {
        if (!ControlledRuntime.TryCurrent(out var runtime, out var operation) || timeout == Timeout.InfiniteTimeSpan) return task.Wait(timeout);
        if (timeout < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be non-negative or Timeout.InfiniteTimeSpan.");
        return WaitWithin(runtime, operation, task, timeout);
    }

    /// <summary>task.Wait(CancellationToken).</summary>
    public static void Wait(Task task, CancellationToken cancellationToken)
    {
        if (ControlledRuntime.TryCurrent(out var runtime, out var operation) && !task.IsCompleted)
        {
            runtime.Block(operation, $"Task.Wait on {runtime.DescribeTask(task)}", () => task.IsCompleted || cancellationToken.IsCancellationRequested);
            cancellationToken.ThrowIfCancellationRequested();
        }
        task.Wait(cancellationToken);
    }

    private static bool WaitWithin(ControlledRuntime runtime, Operation operation, Task task, TimeSpan timeout)
    {
        if (!task.IsCompleted)
        {
            var timedOut = false;
            // Timed out only if the task was still running when the timer fired (whatever happens before this operation runs again), as in the BCL.
            var timer = runtime.AddTimer(timeout, $"Task.Wait timeout of {operation.Name}", () => timedOut = !task.IsCompleted);
            runtime.Block(operation, $"Task.Wait({timeout}) on {runtime.DescribeTask(task)}", () => task.IsCompleted || timedOut);
            runtime.CancelTimer(timer);
            if (timedOut) return false;
        }
        return task.Wait(0);
    }

    /// <summary>task.Result (Task&lt;T&gt;.Result).</summary>
    public static T GetResult<T>(Task<T> task)
    {
        if (ControlledRuntime.TryCurrent(out var runtime, out var operation)) BlockUntilDone(runtime, operation, task, "Task.Result");
        return task.Result;
    }

    /// <summary>Task.WaitAll(params Task[]).</summary>
    public static void WaitAll(params Task[] tasks)
    {
        if (ControlledRuntime.TryCurrent(out var runtime, out var operation))
        {
            ArgumentNullException.ThrowIfNull(tasks);
            if (!tasks.All(t => t.IsCompleted)) runtime.Block(operation, $"Task.WaitAll on {string.Join(", ", tasks.Where(t => !t.IsCompleted).Select(runtime.DescribeTask))}", () => tasks.All(t => t.IsCompleted));
        }
        Task.WaitAll(tasks);
    }

    /// <summary>Task.WaitAny(params Task[]).</summary>
    public static int WaitAny(params Task[] tasks)
    {
        if (ControlledRuntime.TryCurrent(out var runtime, out var operation))
        {
            ArgumentNullException.ThrowIfNull(tasks);
            if (!tasks.Any(t => t.IsCompleted)) runtime.Block(operation, $"Task.WaitAny on {string.Join(", ", tasks.Select(runtime.DescribeTask))}", () => tasks.Any(t => t.IsCompleted));
        }
        return Task.WaitAny(tasks);
    }

    /// <summary>
    /// Task.WhenAll(params Task[]) — not in the rewriter's contract (WhenAll is controlled without rewriting when the
    /// tasks complete inline), but needed when a task completes with RunContinuationsAsynchronously: the BCL then
    /// completes WhenAll's promise on the thread pool. Here each task is awaited in turn, so every step is an operation.
    /// </summary>
    public static Task WhenAll(params Task[] tasks)
    {
        if (!ControlledRuntime.TryCurrent(out _, out _)) return Task.WhenAll(tasks);
        ArgumentNullException.ThrowIfNull(tasks);
        return AwaitEach(tasks);

        static async Task AwaitEach(Task[] tasks)
        {
            foreach (var task in tasks)
            {
                try
                {
                    await task.ConfigureAwait(true);
                }
                catch (Exception)
                {
                    // Reported below, aggregated as Task.WhenAll does.
                }
            }
            await Task.WhenAll(tasks).ConfigureAwait(true); // all complete now: the BCL's result, exceptions aggregated as usual
        }
    }

    /// <summary>Task.WhenAny(params Task[]), for the same reason as <see cref="WhenAll"/>.</summary>
    public static Task<Task> WhenAny(params Task[] tasks)
    {
        if (!ControlledRuntime.TryCurrent(out _, out _)) return Task.WhenAny(tasks);
        ArgumentNullException.ThrowIfNull(tasks);
        if (tasks.FirstOrDefault(t => t.IsCompleted) is { } done) return Task.FromResult(done);
        var first = new TaskCompletionSource<Task>();
        foreach (var task in tasks)
            task.ContinueWith(t => first.TrySetResult(t), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Current);
        return first.Task;
    }

    private static void BlockUntilDone(ControlledRuntime runtime, Operation operation, Task task, string primitive)
    {
        if (!task.IsCompleted) runtime.Block(operation, $"{primitive} on {runtime.DescribeTask(task)}", () => task.IsCompleted);
    }

    /// <summary>task.ConfigureAwait(bool): under control the continuation stays on the run's context whatever is asked (false would send it to the thread pool).</summary>
    public static ConfiguredTaskAwaitable ConfigureAwait(Task task, bool continueOnCapturedContext) =>
        task.ConfigureAwait(continueOnCapturedContext || ControlledRuntime.TryCurrent(out _, out _));

    /// <summary>task.ConfigureAwait(bool) for Task&lt;T&gt;.</summary>
    public static ConfiguredTaskAwaitable<T> ConfigureAwait<T>(Task<T> task, bool continueOnCapturedContext) =>
        task.ConfigureAwait(continueOnCapturedContext || ControlledRuntime.TryCurrent(out _, out _));

    /// <summary>task.GetAwaiter().GetResult() (sync over async).</summary>
    public static void GetResult(ref TaskAwaiter awaiter)
    {
        if (ControlledRuntime.TryCurrent(out var runtime, out var operation) && !awaiter.IsCompleted)
        {
            var copy = awaiter;
            runtime.Block(operation, "GetAwaiter().GetResult() on an incomplete task", () => copy.IsCompleted);
        }
        awaiter.GetResult();
    }

    /// <summary>task.GetAwaiter().GetResult() for Task&lt;T&gt;.</summary>
    public static T GetResult<T>(ref TaskAwaiter<T> awaiter)
    {
        if (ControlledRuntime.TryCurrent(out var runtime, out var operation) && !awaiter.IsCompleted)
        {
            var copy = awaiter;
            runtime.Block(operation, "GetAwaiter().GetResult() on an incomplete task", () => copy.IsCompleted);
        }
        return awaiter.GetResult();
    }

    /// <summary>TaskScheduler.Default: under control the run's scheduler, so work explicitly sent to the default scheduler stays controlled.</summary>
    public static TaskScheduler DefaultScheduler => ControlledRuntime.TryCurrent(out var runtime, out _) ? runtime.Scheduler : TaskScheduler.Default;
}
