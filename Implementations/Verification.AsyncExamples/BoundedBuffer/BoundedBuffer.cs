namespace Verification.AsyncExamples.BoundedBuffer;

/// <summary>
/// A blocking bounded buffer over one monitor. The bug: producers and consumers wait on the same condition and a
/// <see cref="Monitor.Pulse"/> wakes just one waiter, which may be of the wrong kind — a consumer's pulse wakes the
/// other consumer instead of a producer — so with two of each and room for one item every thread can end up waiting.
/// </summary>
public sealed class BoundedBuffer<T>(int capacity)
{
    private readonly Queue<T> items = new();
    private readonly object gate = new();

    public void Put(T item)
    {
        lock (gate)
        {
            while (items.Count == capacity) Monitor.Wait(gate);
            items.Enqueue(item);
            Monitor.Pulse(gate);
        }
    }

    public T Take()
    {
        lock (gate)
        {
            while (items.Count == 0) Monitor.Wait(gate);
            var item = items.Dequeue();
            Monitor.Pulse(gate);
            return item;
        }
    }
}

/// <summary>The fix: wake every waiter; each re-checks its own condition and those that cannot go on wait again.</summary>
public sealed class PulseAllBoundedBuffer<T>(int capacity)
{
    private readonly Queue<T> items = new();
    private readonly object gate = new();

    public void Put(T item)
    {
        lock (gate)
        {
            while (items.Count == capacity) Monitor.Wait(gate);
            items.Enqueue(item);
            Monitor.PulseAll(gate);
        }
    }

    public T Take()
    {
        lock (gate)
        {
            while (items.Count == 0) Monitor.Wait(gate);
            var item = items.Dequeue();
            Monitor.PulseAll(gate);
            return item;
        }
    }
}
