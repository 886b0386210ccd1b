namespace Verification.Checkers.Systematic;

/// <summary>A node's own step in a sleep set: its identity (<see cref="World{TState, TMessage, TTimer, TDurable, TSpecEvent}.StepIdentity"/>), its node, how many messages it added to the network, and whether it gave the spec events.</summary>
internal readonly record struct SleepEntry(long Identity, int Node, int Sent, bool Visible);

/// <summary>
/// Partial-order reduction by sleep sets, with the sleep sets kept per visited state (Godefroid's state-caching
/// variant). Two steps are independent in a state when they are steps of different nodes (a delivery or a timer)
/// that choose no value and do not both give the spec events: each touches only its node's state and adds to the
/// network, and the spec sees the same events in either order, so both orders end in the same state and neither
/// disables the other. After a step t is explored from a
/// state, the independent steps explored before t (and those already asleep there) sleep in t's successor: the state
/// they lead to from there is reached by the other order. A state met again with fewer steps asleep than it was
/// expanded with takes the steps that woke up. No state is skipped — only transitions — so counts and verdicts equal
/// the full search's (the tests compare them).
/// </summary>
internal sealed class SleepSets
{
    /// <summary>Only states whose sleep set is not empty have a record; no record means an empty sleep set.</summary>
    private readonly Dictionary<long, (SleepEntry[] Sleep, bool Expanded)> records = [];
    private readonly int maxMessages, networkBound;

    private SleepSets(int maxMessages, int networkBound) => (this.maxMessages, this.networkBound) = (maxMessages, networkBound);

    private const string Description = "partial-order reduction: sleep sets (steps of different nodes commute unless both give the spec events; every reachable state still visited)";

    /// <summary>
    /// The reduction for a search, or null when it cannot apply; <paramref name="said"/> is what the result's bounds say
    /// either way (when it is off, why — so the reader knows the search was the full one).
    /// </summary>
    /// <param name="networkBound">The search's bound on messages in flight (states beyond it are not expanded).</param>
    public static SleepSets? Try(bool shiftSymmetry, bool nodeSymmetry, TestOptions options, int networkBound, out string said)
    {
        said = options.Faults.Timing == Timing.Synchronous ? "partial-order reduction off: under synchronous timing every step moves the shared clock"
            : shiftSymmetry ? "partial-order reduction off: the protocol's shift symmetry renames steps between states that count as one"
            : nodeSymmetry ? "partial-order reduction off: the protocol's node symmetry renames steps between states that count as one"
            : Description;
        return said == Description ? new SleepSets(options.MaxMessagesInFlight, networkBound) : null;
    }

    /// <summary>The sleep set a state is expanded with (marks it expanded).</summary>
    public SleepEntry[] Expand(long state)
    {
        if (!records.TryGetValue(state, out var record)) return [];
        records[state] = (record.Sleep, true);
        return record.Sleep;
    }

    /// <summary>
    /// The sleep set of the successor reached by <paramref name="step"/> (null: a step dependent on every other) from a
    /// state with <paramref name="inFlight"/> messages (<paramref name="arrivable"/> of them to nodes that may still
    /// receive them), asleep there <paramref name="sleep"/>, whose steps <paramref name="done"/> were explored before it.
    /// </summary>
    public SleepEntry[] After(SleepEntry[] sleep, List<SleepEntry> done, SleepEntry? step, int inFlight, int arrivable)
    {
        if (step is not { } taken || sleep.Length + done.Count == 0) return [];
        var count = 0;
        foreach (var entry in sleep) if (Independent(entry, taken, inFlight, arrivable)) count++;
        foreach (var entry in done) if (Independent(entry, taken, inFlight, arrivable)) count++;
        if (count == 0) return [];
        var result = new SleepEntry[count];
        count = 0;
        foreach (var entry in sleep) if (Independent(entry, taken, inFlight, arrivable)) result[count++] = entry;
        foreach (var entry in done) if (Independent(entry, taken, inFlight, arrivable)) result[count++] = entry;
        Array.Sort(result, (a, b) => a.Identity.CompareTo(b.Identity));
        return result;
    }

    /// <summary>
    /// Steps of different nodes commute — unless both give the spec events (it would see them in the other order), or
    /// together they could pass a bound on messages in flight (the network's, or the search's, beyond which states are
    /// not expanded): the other order must pass only through states the search expands.
    /// </summary>
    private bool Independent(SleepEntry a, SleepEntry b, int inFlight, int arrivable) =>
        a.Node != b.Node && !(a.Visible && b.Visible) && (long)inFlight + a.Sent + b.Sent <= maxMessages && (long)arrivable + a.Sent + b.Sent <= networkBound;

    /// <summary>A new state arrives with its sleep set.</summary>
    public void Arrive(long state, SleepEntry[] sleep)
    {
        if (sleep.Length > 0) records[state] = (sleep, false);
    }

    /// <summary>
    /// A visited state is reached again with <paramref name="sleep"/>: from now on only steps asleep both times sleep
    /// there; if it was already expanded, the steps asleep then but not now are returned, to be taken now.
    /// </summary>
    public SleepEntry[]? Revisit(long state, SleepEntry[] sleep)
    {
        if (!records.TryGetValue(state, out var record)) return null; // asleep: nothing, so nothing can wake
        var kept = record.Sleep.Where(entry => Contains(sleep, entry.Identity)).ToArray();
        var woke = record.Expanded ? record.Sleep.Where(entry => !Contains(sleep, entry.Identity)).ToArray() : [];
        if (kept.Length == 0) records.Remove(state);
        else if (kept.Length < record.Sleep.Length) records[state] = (kept, record.Expanded);
        return woke.Length > 0 ? woke : null;
    }

    /// <summary>Whether a sleep set (sorted by identity) holds the step.</summary>
    public static bool Contains(SleepEntry[] set, long identity)
    {
        int low = 0, high = set.Length - 1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            var at = set[middle].Identity;
            if (at == identity) return true;
            if (at < identity) low = middle + 1;
            else high = middle - 1;
        }
        return false;
    }
}
