namespace Verification.Checkers.Systematic;

/// <summary>
/// The visited-state set of a parallel search: the sequential store (exact or fingerprints), split into stripes by
/// up to eight bits of the key's hash that neither store uses for its slot or tag, each behind its own lock. With
/// four stripes per worker (256 for 64 workers) two workers rarely want the same lock at once, and each stripe stays
/// the compact single-threaded store, so exactness (and bytes per state) are those of the sequential search.
/// </summary>
internal sealed class ConcurrentVisitedStates
{
    private const int MaxStripeBits = 8;
    private readonly IVisitedStates[] stripes;
    private readonly int stripeMask;
    private readonly VisitedStore store;

    /// <param name="bitstateBits">For <see cref="VisitedStore.Bitstate"/>: the bits of all stripes together (each gets its share).</param>
    public ConcurrentVisitedStates(VisitedStore store, int workers, long bitstateBits = BitstateVisitedStates.DefaultBits)
    {
        this.store = store;
        // Each stripe starts with a table and a key chunk of its own: no more stripes than the workers need.
        var count = (int)Math.Min(1 << MaxStripeBits, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(4, 4 * workers)));
        stripes = Enumerable.Range(0, count).Select(_ => IVisitedStates.Create(store, Math.Max(1 << 10, bitstateBits / count))).ToArray();
        stripeMask = count - 1;
    }

    /// <summary>Adds the state whose key <paramref name="key"/> (this worker's writer) holds; false when any worker added it before.</summary>
    public bool Add(KeyWriter key)
    {
        // Bits 32–39: the tables' slots use the low 30 bits (the fingerprint table bits 1–30), the exact store's tag the top 24.
        var stripe = stripes[(int)((ulong)Fingerprint.Of(key.Written) >> 32) & stripeMask];
        lock (stripe) return stripe.Add(key);
    }

    /// <summary>Distinct states added by all workers: the stripes' counts (no shared counter for every worker to write on each new state); while workers run, a moment's sum.</summary>
    public long Count
    {
        get
        {
            long sum = 0;
            foreach (var stripe in stripes) sum += stripe.Count;
            return sum;
        }
    }

    /// <summary>Bytes the stripes hold (read when the workers have stopped).</summary>
    public long Bytes => stripes.Sum(s => s.Bytes);

    /// <summary>As the sequential store's: for fingerprints the bound over all states (a collision needs two states in one stripe, so it is lower still).</summary>
    public string? Caveat => store switch
    {
        VisitedStore.HashCompaction => FingerprintVisitedStates.CaveatOf(Count),
        VisitedStore.Bitstate => BitstateVisitedStates.CaveatOf(BitArrays),
        _ => null,
    };

    /// <summary>As the sequential store's, over all stripes.</summary>
    public string? Incomplete => store == VisitedStore.Bitstate ? BitstateVisitedStates.IncompleteOf(BitArrays) : null;

    private BitstateVisitedStates[] BitArrays => stripes.Cast<BitstateVisitedStates>().ToArray();
}
