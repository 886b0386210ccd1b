using Verification.Runtime;

namespace Verification.Checkers.Systematic;

/// <summary>A state's identity in a visited set: its values' numbers as variable-length bytes; hash computed once.</summary>
public sealed class StateKey : IEquatable<StateKey>
{
    private readonly byte[] bytes;
    private readonly int hash;

    internal StateKey(byte[] bytes)
    {
        this.bytes = bytes;
        var combined = new HashCode();
        combined.AddBytes(bytes);
        hash = combined.ToHashCode();
    }

    /// <summary>Approximate bytes held by this key (object, array, fields); the numbered values are counted once per search, not here.</summary>
    public int ApproximateBytes => 16 + 8 + 4 + 24 + bytes.Length;

    /// <summary>Whether <paramref name="other"/> is the same state (the same bytes).</summary>
    public bool Equals(StateKey? other) => other is not null && hash == other.hash && bytes.AsSpan().SequenceEqual(other.bytes);

    /// <summary>Whether <paramref name="obj"/> is a <see cref="StateKey"/> of the same state.</summary>
    public override bool Equals(object? obj) => Equals(obj as StateKey);

    /// <summary>The hash of the bytes, computed once when the key was made.</summary>
    public override int GetHashCode() => hash;
}

/// <summary>
/// Numbers every distinct value met in one search (structural equality; 0 is null), so a state refers to each node
/// state or message by number, whatever number of equal copies the handlers allocated. Also the key's scratch buffers.
/// </summary>
/// <param name="shared">The numbers of a parallel search, shared by its workers so that equal values get one number
/// whichever worker met them first (each worker keeps its own scratch buffers); null: this numbering's own.</param>
internal sealed class ValueNumbering(SharedValueNumbers? shared = null)
{
    private readonly Dictionary<object, int> numbers = [];
    private long[] specNumbers = [];
    private object?[] specObjects = [];

    public KeyWriter Writer { get; } = new();

    /// <summary>Scratch room for <paramref name="count"/> messages in flight, as a key sorts them.</summary>
    public Span<long> Channels(int count) => (channels.Length >= count ? channels : channels = new long[Math.Max(count, 2 * channels.Length)]).AsSpan(0, count);
    private long[] channels = new long[16];

    /// <summary>How many distinct values were numbered.</summary>
    public int Count => shared?.Count ?? numbers.Count;

    // A small direct-mapped cache by reference in front of the structural lookup: the worlds of a search share their
    // node-state and message objects (a transition copies references), so most lookups are of an object numbered
    // before, found here without hashing its contents. Fixed size, so it never grows with the search.
    private const int CacheSize = 1 << 12;
    private readonly object?[] cachedObjects = new object?[CacheSize];
    private readonly int[] cachedNumbers = new int[CacheSize];

    public int Number(object? value)
    {
        if (value is null) return 0;
        var slot = System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(value) & (CacheSize - 1);
        if (ReferenceEquals(cachedObjects[slot], value)) return cachedNumbers[slot];
        int number;
        if (shared is not null) number = shared.Number(value);
        else if (!numbers.TryGetValue(value, out number))
        {
            number = numbers.Count + 1;
            numbers.Add(value, number);
        }
        cachedObjects[slot] = value;
        cachedNumbers[slot] = number;
        return number;
    }

    /// <summary>
    /// The number of a sequence of values, equal for equal elements in the same order, looked up by the array's reference
    /// first: only for arrays that are never changed once made (a world's timer arrays are replaced, not changed), so
    /// a search sharing them between its states numbers each array's contents once, without copying it.
    /// </summary>
    public int NumberSequence<T>(T[] items)
    {
        var slot = System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(items) & (CacheSize - 1);
        if (ReferenceEquals(cachedObjects[slot], items)) return cachedNumbers[slot];
        var number = Number(ValueArray<T>.From(items));
        cachedObjects[slot] = items;
        cachedNumbers[slot] = number;
        return number;
    }

    public long[] SpecNumbers(int count) => specNumbers.Length >= count ? specNumbers : specNumbers = new long[count];
    public object?[] SpecObjects(int count) => specObjects.Length >= count ? specObjects : specObjects = new object?[count];
}

/// <summary>
/// One numbering of values for all workers of a parallel search: a value's number is the same whichever worker asks,
/// and two different values never share one (a number is taken from a counter and kept only by the value that won
/// the insertion), so keys built from these numbers stay exact.
/// </summary>
internal sealed class SharedValueNumbers
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<object, int> numbers = new();
    private int last;

    public int Count => numbers.Count;

    public int Number(object value) =>
        numbers.TryGetValue(value, out var number) ? number : numbers.GetOrAdd(value, static (_, self) => Interlocked.Increment(ref self.last), this);
}

/// <summary>Writes numbers as zigzag variable-length bytes (small numbers, the common case, take one byte).</summary>
internal sealed class KeyWriter
{
    /// <summary>The most bytes one number takes.</summary>
    public const int MaxBytesPerNumber = 10;

    private byte[] buffer = new byte[256];
    private int length;

    public void Clear() => length = 0;

    public void Add(long value)
    {
        if (length + MaxBytesPerNumber > buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
        length = Put(buffer, length, value);
    }

    /// <summary>
    /// The buffer, with room for <paramref name="numbers"/> more numbers after what was written (<see cref="Length"/>),
    /// for a key written with <see cref="Put"/> and ended with <see cref="Commit"/>: a world writes some thirty numbers
    /// per transition, and a place kept in a local, not in this object's field, costs a fraction of <see cref="Add"/>.
    /// </summary>
    public Span<byte> Reserve(int numbers)
    {
        var needed = length + numbers * MaxBytesPerNumber;
        if (needed > buffer.Length) Array.Resize(ref buffer, Math.Max(needed, buffer.Length * 2));
        return buffer;
    }

    /// <summary>How many bytes were written.</summary>
    public int Length => length;

    /// <summary>Ends a key written into <see cref="Reserve"/>'s buffer: it is <paramref name="written"/> bytes long.</summary>
    public void Commit(int written) => length = written;

    /// <summary>Writes <paramref name="value"/> at <paramref name="at"/> and returns where the next number goes.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static int Put(Span<byte> bytes, int at, long value)
    {
        var zigzag = (ulong)((value << 1) ^ (value >> 63));
        while (zigzag >= 0x80)
        {
            bytes[at++] = (byte)(zigzag | 0x80);
            zigzag >>= 7;
        }
        bytes[at++] = (byte)zigzag;
        return at;
    }

    /// <summary>Replaces what was written by <paramref name="bytes"/> (a key chosen among several written in turn).</summary>
    public void Load(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > buffer.Length) Array.Resize(ref buffer, Math.Max(bytes.Length, buffer.Length * 2));
        bytes.CopyTo(buffer);
        length = bytes.Length;
    }

    /// <summary>The bytes written since the last <see cref="Clear"/>.</summary>
    public ReadOnlySpan<byte> Written => buffer.AsSpan(0, length);

    public StateKey ToKey() => new(buffer.AsSpan(0, length).ToArray());
}
