namespace Verification.Controlled;

/// <summary>
/// Interceptors for Monitor (what C# <c>lock</c> compiles to). Under control, acquiring is a scheduling point and a
/// contended lock blocks only the calling operation; the runtime tracks the owner (to know when a blocked operation
/// may go on) and also takes the real monitor on the operation's own thread, so re-entrancy, Monitor.IsEntered and
/// SynchronizationLockException behave as in the BCL. Monitor.Wait releases the lock and waits in a per-object FIFO
/// queue for a Pulse (or its virtual timeout); Pulse wakes the first waiter, PulseAll all of them. Releasing is a
/// scheduling point too, so a waiting operation can take the lock right away.
/// </summary>
public static class ControlledMonitor
{
    /// <summary>Monitor.Enter(object).</summary>
    public static void Enter(object obj)
    {
        if (!ControlledRuntime.TryCurrent(out var runtime, out var operation))
        {
            Monitor.Enter(obj);
            return;
        }
        ArgumentNullException.ThrowIfNull(obj);
        Acquire(runtime, operation, obj, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Monitor.Enter(object, ref bool).</summary>
    public static void Enter(object obj, ref bool lockTaken)
    {
        if (!ControlledRuntime.TryCurrent(out var runtime, out var operation))
        {
            Monitor.Enter(obj, ref lockTaken);
            return;
        }
        if (lockTaken) throw new ArgumentException("The lockTaken argument must be false when passed in.", nameof(lockTaken));
        ArgumentNullException.ThrowIfNull(obj);
        lockTaken = Acquire(runtime, operation, obj, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Monitor.TryEnter(object).</summary>
    public static bool TryEnter(object obj)
    {
        if (!ControlledRuntime.TryCurrent(out var runtime, out var operation)) return Monitor.TryEnter(obj);
        ArgumentNullException.ThrowIfNull(obj);
        return Acquire(runtime, operation, obj, TimeSpan.Zero);
    }

    /// <summary>Monitor.TryEnter(object, ref bool).</summary>
    public static void TryEnter(object obj, ref bool lockTaken)
    {
        if (!ControlledRuntime.TryCurrent(out var runtime, out var operation))
        {
            Monitor.TryEnter(obj, ref lockTaken);
            return;
        }
        if (lockTaken) throw new ArgumentException("The lockTaken argument must be false when passed in.", nameof(lockTaken));
        ArgumentNullException.ThrowIfNull(obj);
        lockTaken = Acquire(runtime, operation, obj, TimeSpan.Zero);
    }

    /// <summary>Monitor.TryEnter(object, int).</summary>
    public static bool TryEnter(object obj, int millisecondsTimeout)
    {
        if (!ControlledRuntime.TryCurrent(out var runtime, out var operation)) return Monitor.TryEnter(obj, millisecondsTimeout);
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentOutOfRangeException.ThrowIfLessThan(millisecondsTimeout, -1);
        return Acquire(runtime, operation, obj, millisecondsTimeout == Timeout.Infinite ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(millisecondsTimeout));
    }

    /// <summary>Monitor.Exit(object).</summary>
    public static void Exit(object obj)
    {
        if (!ControlledRuntime.TryCurrent(out var runtime, out var operation))
        {
            Monitor.Exit(obj);
            return;
        }
        var state = runtime.MonitorOf(obj);
        Monitor.Exit(obj); // throws SynchronizationLockException, as the BCL does, when this thread does not hold it
        if (state.Owner != operation) return;
        if (--state.Count == 0)
        {
            state.Owner = null;
            runtime.SchedulingPoint(operation, $"Monitor.Exit({Name(obj)})");
        }
    }

    /// <summary>Monitor.Wait(object).</summary>
    public static bool Wait(object obj) => Wait(obj, Timeout.Infinite);

    /// <summary>Monitor.Wait(object, int).</summary>
    public static bool Wait(object obj, int millisecondsTimeout)
    {
        if (!ControlledRuntime.TryCurrent(out var runtime, out var operation)) return Monitor.Wait(obj, millisecondsTimeout);
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentOutOfRangeException.ThrowIfLessThan(millisecondsTimeout, -1);
        var state = runtime.MonitorOf(obj);
        if (state.Owner != operation) return Monitor.Wait(obj, 0); // not held: the BCL throws SynchronizationLockException
        var count = state.Count;
        for (var i = 0; i < count; i++) Monitor.Exit(obj);
        state.Owner = null;
        state.Count = 0;
        var waiter = new MonitorWaiter(operation);
        state.Waiters.Add(waiter);
        VirtualTimer? timer = null;
        if (millisecondsTimeout != Timeout.Infinite)
            timer = runtime.AddTimer(TimeSpan.FromMilliseconds(millisecondsTimeout), $"Monitor.Wait timeout of {operation.Name}", () =>
            {
                if (waiter.Pulsed) return;
                waiter.TimedOut = true;
                state.Waiters.Remove(waiter);
            });
        runtime.Block(operation, $"Monitor.Wait({Name(obj)})", () => waiter.Pulsed || waiter.TimedOut);
        if (timer is not null) runtime.CancelTimer(timer);
        // Woken: take the lock back, with its recursion count, before returning (as the BCL does).
        if (state.Owner is not null) runtime.Block(operation, $"lock on {Name(obj)} (re-acquiring after Monitor.Wait)", () => state.Owner is null);
        for (var i = 0; i < count; i++) TakeReal(runtime, obj);
        state.Owner = operation;
        state.Count = count;
        return waiter.Pulsed;
    }

    /// <summary>Monitor.Pulse(object).</summary>
    public static void Pulse(object obj)
    {
        if (!ControlledRuntime.TryCurrent(out var runtime, out var operation))
        {
            Monitor.Pulse(obj);
            return;
        }
        ArgumentNullException.ThrowIfNull(obj);
        var state = runtime.MonitorOf(obj);
        if (state.Owner != operation)
        {
            Monitor.Pulse(obj); // not held: the BCL throws SynchronizationLockException
            return;
        }
        if (state.Waiters.Count == 0) return;
        state.Waiters[0].Pulsed = true;
        state.Waiters.RemoveAt(0);
    }

    /// <summary>Monitor.PulseAll(object).</summary>
    public static void PulseAll(object obj)
    {
        if (!ControlledRuntime.TryCurrent(out var runtime, out var operation))
        {
            Monitor.PulseAll(obj);
            return;
        }
        ArgumentNullException.ThrowIfNull(obj);
        var state = runtime.MonitorOf(obj);
        if (state.Owner != operation)
        {
            Monitor.PulseAll(obj);
            return;
        }
        foreach (var waiter in state.Waiters) waiter.Pulsed = true;
        state.Waiters.Clear();
    }

    /// <summary>Takes the lock (a scheduling point first), blocking the operation while another holds it, up to <paramref name="timeout"/> of virtual time.</summary>
    private static bool Acquire(ControlledRuntime runtime, Operation operation, object obj, TimeSpan timeout)
    {
        runtime.SchedulingPoint(operation, $"Monitor.Enter({Name(obj)})");
        var state = runtime.MonitorOf(obj);
        var timedOut = false;
        VirtualTimer? timer = null;
        while (state.Owner is not null && state.Owner != operation)
        {
            if (timeout == TimeSpan.Zero || timedOut) return false;
            if (timeout != Timeout.InfiniteTimeSpan) timer ??= runtime.AddTimer(timeout, $"Monitor.TryEnter timeout of {operation.Name}", () => timedOut = true);
            var owner = state.Owner;
            runtime.Block(operation, $"lock on {Name(obj)} (held by {owner.Name})", () => state.Owner is null || timedOut);
        }
        if (timer is not null) runtime.CancelTimer(timer);
        TakeReal(runtime, obj);
        state.Owner = operation;
        state.Count++;
        return true;
    }

    /// <summary>The real monitor: free whenever the runtime says so, unless a thread the runtime does not control holds it.</summary>
    private static void TakeReal(ControlledRuntime runtime, object obj)
    {
        if (Monitor.TryEnter(obj)) return;
        runtime.ReportUncontrolled($"the lock on {Name(obj)} is held by a thread the runtime does not control", $"at {CallSites.UserStack()}");
        throw new RunAbortedException();
    }

    private static string Name(object obj) => obj.GetType().Name;
}
