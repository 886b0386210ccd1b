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
    public static Task WaitAsync(SemaphoreSlim semaphore, CancellationToken cancellationToken)
    {
        if (ControlledRuntime.TryCurrent(out var runtime, out var operation)) runtime.SchedulingPoint(operation, "SemaphoreSlim.WaitAsync");
        return semaphore.WaitAsync(cancellationToken);
    }

    /// <summary>semaphore.WaitAsync(int).</summary>
    public static Task<bool> WaitAsync(SemaphoreSlim semaphore, int millisecondsTimeout)
    {
        if (!ControlledRuntime.TryCurrent(out var runtime, out var operation)) return semaphore.WaitAsync(millisecondsTimeout);
        ArgumentOutOfRangeException.ThrowIfLessThan(millisecondsTimeout, -1);
        runtime.SchedulingPoint(operation, "SemaphoreSlim.WaitAsync");
        if (semaphore.Wait(0)) return Task.FromResult(true);
        if (millisecondsTimeout == 0) return Task.FromResult(false);
        return millisecondsTimeout == Timeout.Infinite ? WaitForever(semaphore) : WaitWithin(runtime, semaphore, TimeSpan.FromMilliseconds(millisecondsTimeout));

        static async Task<bool> WaitForever(SemaphoreSlim semaphore)
        {
            await semaphore.WaitAsync().ConfigureAwait(true);
            return true;
        }
    }

    /// <summary>A timed WaitAsync on virtual time: the timeout cancels the real wait from an operation (a WhenAny with a delay would complete on the thread pool).</summary>
    private static async Task<bool> WaitWithin(ControlledRuntime runtime, SemaphoreSlim semaphore, TimeSpan timeout)
    {
        using var expired = new CancellationTokenSource();
        var timer = runtime.AddTimer(timeout, "SemaphoreSlim.WaitAsync timeout", () => runtime.Queue(expired.Cancel, "SemaphoreSlim.WaitAsync timed out"));
        try
        {
            await semaphore.WaitAsync(expired.Token).ConfigureAwait(true);
            runtime.CancelTimer(timer);
            return true;
        }
        catch (OperationCanceledException) when (expired.IsCancellationRequested)
        {
            return false;
        }
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
