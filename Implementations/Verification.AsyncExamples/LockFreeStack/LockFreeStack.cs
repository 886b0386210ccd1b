namespace Verification.AsyncExamples.LockFreeStack;

/// <summary>A stack node; immutable once published.</summary>
internal sealed class StackNode<T>(T value, StackNode<T>? next)
{
    public T Value { get; } = value;

    public StackNode<T>? Next { get; } = next;
}

/// <summary>
/// A Treiber stack with a lost update. Pop is a correct compare-and-swap loop; Push reads the head and then swaps in a
/// node linked to what it read — the swap is atomic, but the read and the swap together are not, so a push that lands
/// between them is unlinked and lost.
/// </summary>
public sealed class LockFreeStack<T>
{
    private StackNode<T>? head;

    public void Push(T value)
    {
        var node = new StackNode<T>(value, Volatile.Read(ref head));
        Interlocked.Exchange(ref head, node);
    }

    public bool TryPop(out T value)
    {
        while (true)
        {
            var top = Volatile.Read(ref head);
            if (top is null)
            {
                value = default!;
                return false;
            }
            if (Interlocked.CompareExchange(ref head, top.Next, top) == top)
            {
                value = top.Value;
                return true;
            }
        }
    }
}

/// <summary>The fix: Push retries its compare-and-swap until the head it linked to is still the head.</summary>
public sealed class TreiberStack<T>
{
    private StackNode<T>? head;

    public void Push(T value)
    {
        while (true)
        {
            var top = Volatile.Read(ref head);
            var node = new StackNode<T>(value, top);
            if (Interlocked.CompareExchange(ref head, node, top) == top) return;
        }
    }

    public bool TryPop(out T value)
    {
        while (true)
        {
            var top = Volatile.Read(ref head);
            if (top is null)
            {
                value = default!;
                return false;
            }
            if (Interlocked.CompareExchange(ref head, top.Next, top) == top)
            {
                value = top.Value;
                return true;
            }
        }
    }
}
