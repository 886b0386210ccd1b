namespace Verification.Controlled;

/// <summary>
/// Interceptors for SemaphoreSlim's instance methods. Under control Wait is a scheduling point, and when the count is
/// zero it blocks only the calling operation until a Release makes the count positive (or its virtual timeout or the
/// token ends the wait); WaitAsync and Release are scheduling points over the real semaphore, whose async waiters
/// resume through the run's context like any await.
/// </summary>
public static class ControlledSemaphore
{
    /// <summary>semaphore.Wait().</summary>
    public static void Wait(SemaphoreSlim semaphore)
    {
        if (!ControlledRuntime.TryCurrent(out var runtime, out var operation)) semaphore.Wait();
        else WaitControlled(runtime, operation, semaphore, Timeout.InfiniteTimeSpan, CancellationToken.None);
    }

    /// <summary>semaphore.Wait(int).</summary>
    public static bool Wait(SemaphoreSlim semaphore, int millisecondsTimeout)
    {
        if (!ControlledRuntime.TryCurrent(out var runtime, out var operation)) return semaphore.Wait(millisecondsTimeout);
        ArgumentOutOfRangeException.ThrowIfLessThan(millisecondsTimeout, -1);
        return WaitControlled(runtime, operation, semaphore, millisecondsTimeout == Timeout.Infinite ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(millisecondsTimeout), CancellationToken.None);
    }

    /// <summary>semaphore.Wait(CancellationToken).</summary>
    public static void Wait(SemaphoreSlim semaphore, CancellationToken cancellationToken)
    {
        if (!ControlledRuntime.TryCurrent(out var runtime, out var operation)) semaphore.Wait(cancellationToken);
        else WaitControlled(runtime, operation, semaphore, Timeout.InfiniteTimeSpan, cancellationToken);
    }

    private static bool WaitControlled(ControlledRuntime runtime, Operation operation, SemaphoreSlim semaphore, TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        runtime.SchedulingPoint(operation, "SemaphoreSlim.Wait");
        var timedOut = false;
        VirtualTimer? timer = null;
        while (!semaphore.Wait(0, CancellationToken.None))
        {
            if (timeout == TimeSpan.Zero || timedOut) return false;
            if (timeout != Timeout.InfiniteTimeSpan) timer ??= runtime.AddTimer(timeout, $"SemaphoreSlim.Wait timeout of {operation.Name}", () => timedOut = true);
            runtime.Block(operation, "SemaphoreSlim (count 0)", () => semaphore.CurrentCount > 0 || timedOut || cancellationToken.IsCancellationRequested);
            cancellationToken.ThrowIfCancellationRequested();
        }
        if (timer is not null) runtime.CancelTimer(timer);
        return true;
    }

    /// <summary>semaphore.WaitAsync().</summary>
    public static Task WaitAsync(SemaphoreSlim semaphore) => WaitAsync(semaphore, CancellationToken.None);

    /// <summary>semaphore.WaitAsync(CancellationToken).</summary>
    public static Task WaitAsync(SemaphoreSlim semaphore, CancellationToken cancellationToken) =>
        ControlledRuntime.TryCurrent(out var runtime, out var operation)
            ? WaitAsyncControlled(runtime, operation, semaphore, Timeout.InfiniteTimeSpan, cancellationToken)
            : semaphore.WaitAsync(cancellationToken);

    /// <summary>semaphore.WaitAsync(int).</summary>
    public static Task<bool> WaitAsync(SemaphoreSlim semaphore, int millisecondsTimeout)
    {
        if (!ControlledRuntime.TryCurrent(out var runtime, out var operation)) return semaphore.WaitAsync(millisecondsTimeout);
        ArgumentOutOfRangeException.ThrowIfLessThan(millisecondsTimeout, -1);
        return WaitAsyncControlled(runtime, operation, semaphore, millisecondsTimeout == Timeout.Infinite ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(millisecondsTimeout), CancellationToken.None);
    }

    /// <summary>
    /// An async wait that never uses the semaphore's own async waiters: with a timeout or a cancellable token the BCL
    /// finishes those on the thread pool (ConfigureAwait(false) inside SemaphoreSlim), outside the schedule. Here the
    /// caller awaits a wake-up operation the runtime enables when the count is positive (or the virtual timeout or the
    /// token ends the wait), then takes the count with Wait(0).
    /// </summary>
    private static async Task<bool> WaitAsyncControlled(ControlledRuntime runtime, Operation operation, SemaphoreSlim semaphore, TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        runtime.SchedulingPoint(operation, "SemaphoreSlim.WaitAsync");
        var timedOut = false;
        VirtualTimer? timer = null;
        while (!semaphore.Wait(0, CancellationToken.None))
        {
            if (timeout == TimeSpan.Zero || timedOut) return false;
            if (timeout != Timeout.InfiniteTimeSpan) timer ??= runtime.AddTimer(timeout, $"SemaphoreSlim.WaitAsync timeout of {operation.Name}", () => timedOut = semaphore.CurrentCount == 0);
            await runtime.WhenReady(() => semaphore.CurrentCount > 0 || timedOut || cancellationToken.IsCancellationRequested, "SemaphoreSlim.WaitAsync (count 0)").ConfigureAwait(true);
            cancellationToken.ThrowIfCancellationRequested();
        }
        if (timer is not null) runtime.CancelTimer(timer);
        return true;
    }

    /// <summary>semaphore.Release().</summary>
    public static int Release(SemaphoreSlim semaphore) => Release(semaphore, 1);

    /// <summary>semaphore.Release(int).</summary>
    public static int Release(SemaphoreSlim semaphore, int releaseCount)
    {
        if (ControlledRuntime.TryCurrent(out var runtime, out var operation)) runtime.SchedulingPoint(operation, "SemaphoreSlim.Release");
        return semaphore.Release(releaseCount);
    }
}
