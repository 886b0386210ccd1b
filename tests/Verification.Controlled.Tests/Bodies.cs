namespace Verification.Controlled.Tests;

/// <summary>Small programs under test, written as rewritten code would call the runtime (ControlledMonitor.Enter for <c>lock</c>, …).</summary>
internal static class Bodies
{
    public sealed class Counter
    {
        public int Value;
    }

    /// <summary>Read, yield, write: two of these at once can lose an update.</summary>
    public static async Task RacyIncrement(Counter counter)
    {
        var read = counter.Value;
        await Task.Yield();
        counter.Value = read + 1;
    }

    /// <summary>Two racy increments in parallel; the body asserts both counted.</summary>
    public static async Task LostUpdate()
    {
        var counter = new Counter();
        await Task.WhenAll(ControlledTask.Run(() => RacyIncrement(counter)), ControlledTask.Run(() => RacyIncrement(counter)));
        Assert.Equal(2, counter.Value);
    }

    /// <summary>
    /// Read, a scheduling point (Thread.Sleep(0), a yield), write — with or without the lock around it. Under the lock
    /// the other task blocks on the contended lock and the update is never lost.
    /// </summary>
    public static Func<Task> IncrementTwice(bool locked) => () =>
    {
        var counter = new Counter();
        var gate = new object();
        void Increment()
        {
            if (locked) ControlledMonitor.Enter(gate);
            try
            {
                var read = counter.Value;
                ControlledThread.Sleep(0);
                counter.Value = read + 1;
            }
            finally
            {
                if (locked) ControlledMonitor.Exit(gate);
            }
        }
        var first = ControlledTask.Run(Increment);
        var second = ControlledTask.Run(Increment);
        ControlledTask.WaitAll(first, second);
        Assert.Equal(2, counter.Value);
        return Task.CompletedTask;
    };
}

/// <summary>
/// A bounded buffer on Monitor.Wait/Pulse with one condition for "not full" and "not empty". With Pulse a producer
/// can wake a producer (or a consumer a consumer) and every task ends up waiting: the classic deadlock. PulseAll wakes
/// everyone and each re-checks its condition.
/// </summary>
internal sealed class BoundedBuffer(int capacity, bool pulseAll)
{
    private readonly object gate = new();
    private readonly Queue<int> items = new();

    public void Put(int item)
    {
        ControlledMonitor.Enter(gate);
        try
        {
            while (items.Count == capacity) ControlledMonitor.Wait(gate);
            items.Enqueue(item);
            Signal();
        }
        finally
        {
            ControlledMonitor.Exit(gate);
        }
    }

    public int Take()
    {
        ControlledMonitor.Enter(gate);
        try
        {
            while (items.Count == 0) ControlledMonitor.Wait(gate);
            var item = items.Dequeue();
            Signal();
            return item;
        }
        finally
        {
            ControlledMonitor.Exit(gate);
        }
    }

    private void Signal()
    {
        if (pulseAll) ControlledMonitor.PulseAll(gate);
        else ControlledMonitor.Pulse(gate);
    }

    /// <summary>Two producers and two consumers of two items each, on a buffer of capacity 1.</summary>
    public static Func<Task> ProducersAndConsumers(bool pulseAll) => async () =>
    {
        var buffer = new BoundedBuffer(1, pulseAll);
        var producers = new[]
        {
            ControlledTask.Run(() => { buffer.Put(1); buffer.Put(2); }),
            ControlledTask.Run(() => { buffer.Put(3); buffer.Put(4); }),
        };
        // Each consumer sums its own items (a shared "taken += buffer.Take()" is itself a lost update: read, Take, write).
        var consumers = new[] { ControlledTask.Run(() => buffer.Take() + buffer.Take()), ControlledTask.Run(() => buffer.Take() + buffer.Take()) };
        await Task.WhenAll(producers);
        var sums = await Task.WhenAll(consumers);
        Assert.Equal(10, sums.Sum());
    };
}
