namespace Verification.Runtime;

/// <summary>
/// An immutable array compared by its elements, for node states and messages: the tester compares states by value
/// (visited sets, replay checks), which a plain array or ImmutableArray would compare by reference.
/// </summary>
public sealed class ValueArray<T> : IEquatable<ValueArray<T>>
{
    private readonly T[] items;

    private ValueArray(T[] items) => this.items = items;

    /// <summary>An array of <paramref name="length"/> copies of <paramref name="value"/>.</summary>
    public static ValueArray<T> Filled(int length, T value) => new(Enumerable.Repeat(value, length).ToArray());

    /// <summary>The array with no elements.</summary>
    public static readonly ValueArray<T> Empty = new([]);

    /// <summary>An array of <paramref name="items"/>, copied, in order.</summary>
    public static ValueArray<T> From(IEnumerable<T> items) => new(items.ToArray());

    /// <summary>A copy with <paramref name="item"/> added at the end.</summary>
    public ValueArray<T> Append(T item) => new([.. items, item]);

    /// <summary>The first <paramref name="count"/> elements.</summary>
    public ValueArray<T> Take(int count) => count >= items.Length ? this : new(items[..count]);

    /// <summary>The number of elements.</summary>
    public int Length => items.Length;

    /// <summary>Element <paramref name="index"/>, 0..Length−1.</summary>
    public T this[int index] => items[index];

    /// <summary>A copy with element <paramref name="index"/> replaced.</summary>
    public ValueArray<T> With(int index, T value)
    {
        var copy = (T[])items.Clone();
        copy[index] = value;
        return new ValueArray<T>(copy);
    }

    /// <summary>The elements in order, for LINQ.</summary>
    public IEnumerable<T> AsEnumerable() => items;

    /// <summary>Whether <paramref name="other"/> has equal elements in the same order.</summary>
    public bool Equals(ValueArray<T>? other) => other is not null && items.AsSpan().SequenceEqual(other.items, EqualityComparer<T>.Default);

    /// <summary>Whether <paramref name="obj"/> is a <see cref="ValueArray{T}"/> with equal elements in the same order.</summary>
    public override bool Equals(object? obj) => Equals(obj as ValueArray<T>);

    /// <summary>A hash of the elements, consistent with <see cref="Equals(ValueArray{T})"/>; like a string's hash it differs between processes, so never persist it.</summary>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in items) hash.Add(item);
        return hash.ToHashCode();
    }

    /// <summary>The elements as reports show them: <c>[1, 2, 3]</c>.</summary>
    public override string ToString() => "[" + string.Join(", ", items) + "]";
}
