namespace AsyncSamples;

/// <summary>
/// Calls the redirect table does not handle and that escape control or block outside it: the rewriter leaves them and
/// reports each with its call site. Never run by the tests (only rewritten and inspected).
/// </summary>
public static class Escapes
{
    public static async Task<int> All(Task task, SemaphoreSlim semaphore, object gate)
    {
        Parallel.For(0, 2, _ => { });
        using var timer = new Timer(_ => { }, null, Timeout.Infinite, Timeout.Infinite);
        using var periodic = new PeriodicTimer(TimeSpan.FromSeconds(1));
        using var source = new CancellationTokenSource();
        source.CancelAfter(1000);
        ThreadPool.UnsafeQueueUserWorkItem(_ => { }, null);
        Task.WaitAll(task, task); // binds to WaitAll(params ReadOnlySpan<Task>), which has no interceptor
        await new ValueTask(task).ConfigureAwait(false);
        _ = Monitor.Wait(gate, TimeSpan.Zero);
        _ = semaphore.Wait(TimeSpan.Zero);
        var mode = DayOfWeek.Monday;
        Interlocked.Exchange(ref mode, DayOfWeek.Friday); // Exchange<T> with a value type: the interceptor takes classes
        Action wait = task.Wait; // a delegate to an intercepted instance member
        wait();
        lock (new Lock()) mode = DayOfWeek.Sunday; // C# lock on System.Threading.Lock: EnterScope, not Monitor
        return (int)mode;
    }
}
