namespace Verification.Controlled;

/// <summary>
/// Interceptors for threads and the thread pool. Thread.Sleep is a virtual sleep under control (the operation blocks
/// until its timer fires; no wall time passes). Starting a thread or queueing to the pool would run code outside the
/// schedule: under control these end the run reporting the unsupported primitive and its call site, never hang.
/// </summary>
public static class ControlledThread
{
    /// <summary>Thread.Sleep(int).</summary>
    public static void Sleep(int millisecondsTimeout)
    {
        if (!ControlledRuntime.TryCurrent(out var runtime, out var operation))
        {
            Thread.Sleep(millisecondsTimeout);
            return;
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(millisecondsTimeout, -1);
        VirtualSleep(runtime, operation, millisecondsTimeout == Timeout.Infinite ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(millisecondsTimeout));
    }

    /// <summary>Thread.Sleep(TimeSpan).</summary>
    public static void Sleep(TimeSpan timeout)
    {
        if (!ControlledRuntime.TryCurrent(out var runtime, out var operation))
        {
            Thread.Sleep(timeout);
            return;
        }
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan) throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be non-negative or Timeout.InfiniteTimeSpan.");
        VirtualSleep(runtime, operation, timeout);
    }

    private static void VirtualSleep(ControlledRuntime runtime, Operation operation, TimeSpan timeout)
    {
        if (timeout == TimeSpan.Zero)
        {
            runtime.SchedulingPoint(operation, "Thread.Sleep(0)"); // a yield: another operation may run
            return;
        }
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            runtime.Block(operation, "Thread.Sleep(Infinite)", () => false);
            return;
        }
        var woken = false;
        runtime.AddTimer(timeout, $"Thread.Sleep({timeout}) of {operation.Name}", () => woken = true);
        runtime.Block(operation, $"Thread.Sleep({timeout})", () => woken);
    }

    /// <summary>thread.Start().</summary>
    public static void Start(Thread thread)
    {
        if (ControlledRuntime.TryCurrent(out var runtime, out _)) throw runtime.Unsupported("Thread.Start (new Thread)", "start the work with Task.Run, which the runtime controls");
        thread.Start();
    }

    /// <summary>thread.Start(object?).</summary>
    public static void Start(Thread thread, object? parameter)
    {
        if (ControlledRuntime.TryCurrent(out var runtime, out _)) throw runtime.Unsupported("Thread.Start (new Thread)", "start the work with Task.Run, which the runtime controls");
        thread.Start(parameter);
    }

    /// <summary>ThreadPool.QueueUserWorkItem(WaitCallback).</summary>
    public static bool QueueUserWorkItem(WaitCallback callBack)
    {
        if (ControlledRuntime.TryCurrent(out var runtime, out _)) throw runtime.Unsupported("ThreadPool.QueueUserWorkItem", "start the work with Task.Run, which the runtime controls");
        return ThreadPool.QueueUserWorkItem(callBack);
    }

    /// <summary>ThreadPool.QueueUserWorkItem(WaitCallback, object?).</summary>
    public static bool QueueUserWorkItem(WaitCallback callBack, object? state)
    {
        if (ControlledRuntime.TryCurrent(out var runtime, out _)) throw runtime.Unsupported("ThreadPool.QueueUserWorkItem", "start the work with Task.Run, which the runtime controls");
        return ThreadPool.QueueUserWorkItem(callBack, state);
    }
}
