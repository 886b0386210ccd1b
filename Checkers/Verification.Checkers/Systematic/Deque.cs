namespace Verification.Checkers.Systematic;

/// <summary>
/// A double-ended queue in one ring of slots: a depth-first search takes from its back, a breadth-first one from
/// its front, and neither allocates per element (a linked list's node per state was a tenth of a search's garbage).
/// </summary>
internal sealed class Deque<T> where T : class
{
    private T?[] items = new T?[16];
    private int head; // the slot of the first element
    private int count;

    public int Count => count;

    public T First => count > 0 ? items[head]! : throw new InvalidOperationException("the deque is empty");

    public T Last => count > 0 ? items[(head + count - 1) & (items.Length - 1)]! : throw new InvalidOperationException("the deque is empty");

    public void AddLast(T item)
    {
        if (count == items.Length) Grow();
        items[(head + count) & (items.Length - 1)] = item;
        count++;
    }

    public T RemoveFirst()
    {
        var item = First;
        items[head] = null; // the slot no longer keeps the element alive
        head = (head + 1) & (items.Length - 1);
        count--;
        return item;
    }

    public T RemoveLast()
    {
        var item = Last;
        items[(head + count - 1) & (items.Length - 1)] = null;
        count--;
        return item;
    }

    /// <summary>Twice the slots (a power of two, so a slot is found by masking), the elements moved to the front in order.</summary>
    private void Grow()
    {
        var larger = new T?[items.Length * 2];
        for (var i = 0; i < count; i++) larger[i] = items[(head + i) & (items.Length - 1)];
        items = larger;
        head = 0;
    }
}
