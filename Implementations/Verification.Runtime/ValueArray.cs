namespace Verification.Runtime;

/// <summary>
/// An immutable array compared by its elements, for node states and messages: the tester compares states by value
/// (visited sets, replay checks), which a plain array or ImmutableArray would compare by reference.
/// </summary>
public sealed class ValueArray<T> : IEquatable<ValueArray<T>>
{
    private readonly T[] items;

    private ValueArray(T[] items) => this.items = items;

    public static ValueArray<T> Filled(int length, T value) => new(Enumerable.Repeat(value, length).ToArray());

    public static readonly ValueArray<T> Empty = new([]);

    public static ValueArray<T> From(IEnumerable<T> items) => new(items.ToArray());

    /// <summary>A copy with <paramref name="item"/> added at the end.</summary>
    public ValueArray<T> Append(T item) => new([.. items, item]);

    /// <summary>The first <paramref name="count"/> elements.</summary>
    public ValueArray<T> Take(int count) => count >= items.Length ? this : new(items[..count]);

    public int Length => items.Length;

    public T this[int index] => items[index];

    /// <summary>A copy with element <paramref name="index"/> replaced.</summary>
    public ValueArray<T> With(int index, T value)
    {
        var copy = (T[])items.Clone();
        copy[index] = value;
        return new ValueArray<T>(copy);
    }

    public IEnumerable<T> AsEnumerable() => items;

    public bool Equals(ValueArray<T>? other) => other is not null && items.AsSpan().SequenceEqual(other.items, EqualityComparer<T>.Default);

    public override bool Equals(object? obj) => Equals(obj as ValueArray<T>);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in items) hash.Add(item);
        return hash.ToHashCode();
    }

    public override string ToString() => "[" + string.Join(", ", items) + "]";
}
