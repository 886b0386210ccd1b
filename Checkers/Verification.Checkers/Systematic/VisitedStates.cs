namespace Verification.Checkers.Systematic;

/// <summary>How an exhaustive search remembers the states it has visited.</summary>
public enum VisitedStore
{
    /// <summary>Every state's whole key: no state is ever confused with another.</summary>
    Exact,

    /// <summary>
    /// Hash compaction (SPIN's -DHC): a 64-bit fingerprint per state in one open-addressing table, ~10–16 bytes per
    /// state. Two states with the same fingerprint are taken for one, so a state may be missed; the result states the
    /// probability of that (at most n²/2⁶⁵ for n states).
    /// </summary>
    HashCompaction,

    /// <summary>
    /// Bitstate hashing (SPIN's -DBITSTATE, Holzmann's supertrace): a state sets three bits of one bit array of
    /// <see cref="TestOptions.BitstateBits"/> bits, and a state whose three bits are all set already is taken for a
    /// visited one. A sweep, not a proof: the search estimates how many new states it took for visited ones (from the
    /// array's fill as each state was added) and, unless that estimate is negligible, reports Unknown, not Holds.
    /// </summary>
    Bitstate,
}

/// <summary>The visited-state set of one search: adds the key the writer holds and says whether it was new.</summary>
internal interface IVisitedStates
{
    /// <summary>Adds the state whose key <paramref name="key"/> holds; false when it was visited before.</summary>
    bool Add(KeyWriter key) => Add(key, out _);

    /// <summary>Adds the state whose key <paramref name="key"/> holds, and gives its identity in this set (the same whenever the state is met again); false when it was visited before.</summary>
    bool Add(KeyWriter key, out long id);

    /// <summary>Distinct states added.</summary>
    long Count { get; }

    /// <summary>Bytes the set holds for its states (keys, or the table).</summary>
    long Bytes { get; }

    /// <summary>What a verdict reached with this set is conditional on (null: nothing).</summary>
    string? Caveat { get; }

    /// <summary>Why a search with this set may not have covered every reachable state, when that is not negligible (null: it did, up to <see cref="Caveat"/>).</summary>
    string? Incomplete => null;

    /// <param name="bitstateBits">The bit array's size for <see cref="VisitedStore.Bitstate"/> (a power of two).</param>
    public static IVisitedStates Create(VisitedStore store, long bitstateBits = BitstateVisitedStates.DefaultBits) => store switch
    {
        VisitedStore.Exact => new ExactVisitedStates(),
        VisitedStore.HashCompaction => new FingerprintVisitedStates(),
        VisitedStore.Bitstate => new BitstateVisitedStates(bitstateBits),
        _ => throw new ConfigurationException($"the visited-state store {(int)store} is not one of {string.Join(", ", Enum.GetNames<VisitedStore>())}"),
    };
}

/// <summary>
/// Every state's whole key, stored back to back (each after its length) in chunks of 16 MiB, and found through one
/// open-addressing table of longs, each a 24-bit tag of the key's hash and the key's 40-bit place: a few large arrays
/// instead of an object per state, so the garbage collector's work does not grow with the search, and a state costs
/// its key's bytes plus about 11 bytes of table.
/// </summary>
internal sealed class ExactVisitedStates : IVisitedStates
{
    private const int ChunkBits = 24;
    private const int ChunkSize = 1 << ChunkBits;
    private const int FirstChunkSize = 1 << 14;
    private readonly List<byte[]> chunks = [];
    private readonly List<int> chunkUsed = []; // bytes used in each chunk (a chunk may end with a gap a key did not fit in)
    private int used; // bytes used in the last chunk
    private long[] table = new long[1 << 10];
    private int mask = (1 << 10) - 1;
    private long keyBytes;

    public long Count { get; private set; }

    public long Bytes => keyBytes + table.LongLength * sizeof(long);

    public string? Caveat => null;

    /// <remarks>A state's identity is where its key is stored, which never moves.</remarks>
    public bool Add(KeyWriter key, out long id)
    {
        var bytes = key.Written;
        var hash = Fingerprint.Of(bytes);
        var tag = (long)((ulong)hash >> 40) << 40; // the hash's top 24 bits
        var slot = (int)hash & mask;
        while (true)
        {
            var entry = table[slot];
            if (entry == 0) break;
            if ((entry & ~Place) == tag && Stored(entry & Place).SequenceEqual(bytes))
            {
                id = entry & Place;
                return false;
            }
            slot = (slot + 1) & mask;
        }
        id = Store(bytes);
        table[slot] = tag | id;
        Count++;
        if (Count * 4 >= table.LongLength * 3) Grow();
        return true;
    }

    /// <summary>The low 40 bits of an entry: 1 + the chunk's number × 2²⁴ + the key's offset in it.</summary>
    private const long Place = (1L << 40) - 1;

    private long Store(ReadOnlySpan<byte> bytes)
    {
        var header = LengthBytes(bytes.Length);
        var size = header + bytes.Length;
        if (chunks.Count == 0 || used + size > chunks[^1].Length)
        {
            if (chunks.Count >= 1 << 16) throw new ConfigurationException($"the exact visited set holds {Count:N0} states in 1 TiB of keys; use hash compaction or a state limit");
            // Chunks grow from 16 KiB to 16 MiB, so a small search (or one of a parallel set's many stripes) holds
            // little; a key larger than a chunk gets one of its own, at offset 0.
            var next = chunks.Count == 0 ? FirstChunkSize : Math.Min(ChunkSize, chunks[^1].Length * 2);
            chunks.Add(LargeArrays.Zeroed<byte>(Math.Max(next, size)));
            chunkUsed.Add(0);
            used = 0;
        }
        var chunk = chunks[^1];
        var offset = used;
        var length = bytes.Length;
        for (var i = 0; i < header; i++, length >>= 7) chunk[offset + i] = (byte)((length & 0x7F) | (i < header - 1 ? 0x80 : 0));
        bytes.CopyTo(chunk.AsSpan(offset + header));
        used += size;
        chunkUsed[^1] = used;
        keyBytes += size;
        return 1 + ((long)(chunks.Count - 1) << ChunkBits) + offset;
    }

    private ReadOnlySpan<byte> Stored(long place)
    {
        var chunk = chunks[(int)((place - 1) >> ChunkBits)];
        var offset = (int)((place - 1) & (ChunkSize - 1));
        int length = 0, shift = 0;
        byte part;
        do
        {
            part = chunk[offset++];
            length |= (part & 0x7F) << shift;
            shift += 7;
        }
        while ((part & 0x80) != 0);
        return chunk.AsSpan(offset, length);
    }

    private static int LengthBytes(int length)
    {
        var count = 1;
        while ((length >>= 7) != 0) count++;
        return count;
    }

    private void Grow()
    {
        if (table.Length >= 1 << 30) throw new ConfigurationException($"the exact visited set's table is full at {Count:N0} states (2³⁰ slots); use a state limit");
        var larger = LargeArrays.Zeroed<long>(table.Length * 2);
        var largerMask = larger.Length - 1;
        // The keys are read where they are stored, chunk by chunk in order (not in the table's order, which would
        // jump through memory for each one); every stored key is in the table, once.
        for (var c = 0; c < chunks.Count; c++)
        {
            for (var offset = 0; offset < chunkUsed[c];)
            {
                var place = 1 + ((long)c << ChunkBits) + offset;
                var key = Stored(place);
                var hash = Fingerprint.Of(key);
                var slot = (int)hash & largerMask;
                while (larger[slot] != 0) slot = (slot + 1) & largerMask;
                larger[slot] = (long)((ulong)hash >> 40) << 40 | place;
                offset += LengthBytes(key.Length) + key.Length;
            }
        }
        table = larger;
        mask = largerMask;
    }
}

/// <summary>
/// 64-bit fingerprints in one open-addressing table of longs (linear probing, doubled at 3/4 full): no object per
/// state, so the garbage collector never walks the visited set, and memory per state is the table's 8 bytes / load.
/// </summary>
internal sealed class FingerprintVisitedStates : IVisitedStates
{
    private long[] table = new long[1 << 10];
    private int mask = (1 << 10) - 1;

    public long Count { get; private set; }

    public long Bytes => table.LongLength * sizeof(long);

    /// <summary>The chance that two of the n states visited share a fingerprint (birthday bound n(n−1)/2⁶⁵).</summary>
    public double MissProbability => MissProbabilityOf(Count);

    public string? Caveat => CaveatOf(Count);

    public static double MissProbabilityOf(long count) => count * (double)(count - 1) / Math.Pow(2, 65);

    public static string CaveatOf(long count) => $"hash compaction: 64-bit fingerprints, probability that a state was missed ≤ {MissProbabilityOf(count):G2}";

    /// <remarks>A state's identity is its fingerprint.</remarks>
    public bool Add(KeyWriter key, out long id)
    {
        var fingerprint = Fingerprint.Of(key.Written);
        if (fingerprint == 0) fingerprint = 1; // 0 marks an empty slot
        id = fingerprint;
        if (!Insert(table, mask, fingerprint)) return false;
        Count++;
        if (Count * 4 >= table.LongLength * 3) Grow();
        return true;
    }

    private static bool Insert(long[] slots, int mask, long fingerprint)
    {
        var slot = (int)((ulong)fingerprint >> 1) & mask;
        while (true)
        {
            var held = slots[slot];
            if (held == 0)
            {
                slots[slot] = fingerprint;
                return true;
            }
            if (held == fingerprint) return false;
            slot = (slot + 1) & mask;
        }
    }

    private void Grow()
    {
        if (table.Length >= 1 << 30) throw new ConfigurationException($"hash compaction's table is full at {Count:N0} states (2³⁰ slots); use a state limit");
        var larger = LargeArrays.Zeroed<long>(table.Length * 2);
        var largerMask = larger.Length - 1;
        foreach (var fingerprint in table)
            if (fingerprint != 0) Insert(larger, largerMask, fingerprint);
        table = larger;
        mask = largerMask;
    }
}

/// <summary>
/// Bitstate hashing: one array of 2ⁿ bits; a state's key hash gives three bit positions (double hashing: h₁ + i·h₂), and
/// a state is new unless all three are set. A new state is wrongly taken for a visited one with probability fill³
/// (fill: the share of bits set when it is added), so the sum of fill³ over the states added estimates how many were
/// missed — and with them whatever only they lead to, which no estimate from here can count.
/// </summary>
internal sealed class BitstateVisitedStates : IVisitedStates
{
    public const long DefaultBits = 1L << 31; // 256 MiB: ~20 bits a state for a hundred million states
    public const long MaxBits = 1L << 36; // 8 GiB: 2^30 words, within .NET's largest array
    private const int Hashes = 3;
    private readonly ulong[] words;
    private readonly long mask;
    private long setBits;
    private double expectedMissed;

    /// <summary>Refuses, in one line, an array size that is not a power of two from 2^10 to <see cref="MaxBits"/>.</summary>
    public static void CheckSize(long bits)
    {
        if (bits < 1 << 10 || bits > MaxBits || (bits & (bits - 1)) != 0)
            throw new ConfigurationException($"BitstateBits must be a power of two from 2^10 to 2^36 (got {bits})");
    }

    public BitstateVisitedStates(long bits)
    {
        CheckSize(bits);
        try
        {
            words = LargeArrays.Zeroed<ulong>(checked((int)(bits / 64)));
        }
        catch (OutOfMemoryException)
        {
            throw new ConfigurationException($"the bitstate array of {bits:N0} bits ({bits / 8 / (1 << 20):N0} MiB) could not be allocated: give TestOptions.BitstateBits fewer bits");
        }
        mask = bits - 1;
    }

    public long Count { get; private set; }

    public long Bytes => words.LongLength * sizeof(ulong);

    /// <summary>The bits set, over the array's size.</summary>
    public long SetBits => setBits;

    /// <summary>Σ fill³ over the states added: the expected number of new states taken for visited ones.</summary>
    public double ExpectedMissed => expectedMissed;

    public long Size => mask + 1;

    public string Caveat => CaveatOf([this]);

    public string? Incomplete => IncompleteOf([this]);

    /// <summary>What a search over these arrays (one, or a parallel search's stripes) may have missed.</summary>
    public static string CaveatOf(IReadOnlyCollection<BitstateVisitedStates> arrays) =>
        $"bitstate hashing (a sweep): {arrays.Sum(a => a.Size):N0} bits, {Hashes} hash functions, {arrays.Sum(a => a.SetBits) / (double)arrays.Sum(a => a.Size):P2} set; " +
        $"≈ {arrays.Sum(a => a.ExpectedMissed):G3} new states expected to have been taken for visited ones";

    /// <summary>Incomplete unless the expected number of missed states is below 0.01.</summary>
    public static string? IncompleteOf(IReadOnlyCollection<BitstateVisitedStates> arrays) =>
        arrays.Sum(a => a.ExpectedMissed) is var missed && missed < 0.01 ? null
            : $"incomplete: a bitstate sweep, ≈ {missed:G3} new states estimated taken for visited ones (and what only they lead to); give it more bits (TestOptions.BitstateBits) or use hash compaction";

    /// <remarks>A state's identity is its 64-bit hash (as under hash compaction).</remarks>
    public bool Add(KeyWriter key, out long id)
    {
        var h1 = (ulong)Fingerprint.Of(key.Written);
        id = (long)h1;
        var h2 = (ulong.RotateLeft(h1, 32) * 0x9E3779B97F4A7C15UL) | 1; // odd: the three positions differ
        var fill = setBits / (double)(mask + 1); // before this state's bits: the chance it would have been taken for visited is fill³
        var anyNew = false;
        for (var i = 0; i < Hashes; i++)
        {
            var bit = (long)(h1 + (ulong)i * h2) & mask;
            ref var word = ref words[bit >> 6];
            var flag = 1UL << (int)(bit & 63);
            if ((word & flag) != 0) continue;
            word |= flag;
            setBits++;
            anyNew = true;
        }
        if (!anyNew) return false;
        expectedMissed += fill * fill * fill;
        Count++;
        return true;
    }
}

/// <summary>A 64-bit hash of a key's bytes: eight bytes at a time, each multiplied, rotated and folded in, then a final avalanche.</summary>
internal static class Fingerprint
{
    private const ulong Prime1 = 0x9E3779B185EBCA87UL;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4FUL;

    public static long Of(ReadOnlySpan<byte> bytes)
    {
        var hash = Prime1 ^ (ulong)bytes.Length * Prime2;
        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(bytes);
        foreach (var word in words)
            hash = ulong.RotateLeft(hash ^ ulong.RotateLeft(word * Prime2, 31) * Prime1, 27) * Prime1 + Prime2;
        ulong tail = 0;
        for (var i = words.Length * 8; i < bytes.Length; i++) tail = (tail << 8) | bytes[i];
        hash = ulong.RotateLeft(hash ^ ulong.RotateLeft(tail * Prime2, 31) * Prime1, 27) * Prime1 + Prime2;
        // Avalanche: every input bit reaches every output bit.
        hash ^= hash >> 33;
        hash *= Prime2;
        hash ^= hash >> 29;
        hash *= Prime1;
        hash ^= hash >> 32;
        return (long)hash;
    }
}
