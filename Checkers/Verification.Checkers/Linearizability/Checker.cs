using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace Verification.Checkers.Linearizability;

/// <summary>What the search of one partition concluded.</summary>
internal enum LinearizabilityVerdict
{
    Linearizable,
    NotLinearizable,

    /// <summary>The time or memory budget ran out first.</summary>
    Unknown,
}

/// <summary>What to spend at most on one history.</summary>
public sealed record LinearizabilityBudget
{
    /// <summary>Wall-clock time for the whole history, checked every few dozen search steps.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Bytes the memoised (linearized set, state) configurations of the partition being searched may take, as
    /// estimated from each one's set encoding, its table slot and the model's <see cref="ISequentialModel{TState,TInput,TOutput}.SizeInBytes"/>
    /// of its state; well below the machine's memory by default, so a search that explodes ends as unknown, not as an
    /// out-of-memory crash.
    /// </summary>
    public long MaxMemoryBytes { get; init; } = 1L << 30;

    /// <summary>Memoised configurations kept at most, summed over partitions (no limit by default: memory is the bound).</summary>
    public long MaxCachedConfigurations { get; init; } = long.MaxValue;
}

/// <summary>
/// A history that is not linearizable: the longest partial linearization found (of the smallest partition that fails)
/// and the operations none of which can come next.
/// </summary>
/// <param name="Explanation">The readable account: the partial linearization, the state it reaches, and the operations that cannot come next.</param>
public sealed record HistoryCounterexample(string Explanation) : Counterexample(LinearizabilityChecker.Property)
{
    /// <inheritdoc/>
    public override string Describe() => $"not linearizable:\n{Explanation}";
}

/// <summary>Views of a linearizability check's <see cref="CheckResult"/>.</summary>
public static class LinearizabilityResults
{
    extension(CheckResult result)
    {
        /// <summary>Why the history is not linearizable (the longest partial linearization and what blocks it), or why it is unknown (the budget).</summary>
        public string? Explanation => (result.Counterexample as HistoryCounterexample)?.Explanation ?? result.Reason;
    }
}

/// <summary>
/// Wing–Gong's search with Lowe's memoisation (as Porcupine does it): the operations that may come next are those
/// called before the first return still ahead; linearize one the model accepts (its output must fit), unless the same
/// set of linearized operations has already been reached in the same state, and go on; when none is left to try,
/// undo the last choice. Unlike Porcupine, which tries them in call order, the one whose return comes first is tried
/// first, then those after which it fits, and a read-only operation that fits is placed at once without
/// alternatives. Of operations that never returned (timed out), only the first of identical ones is tried, none where
/// it would change nothing, and they may be left out at the end (they never took effect). None of this changes a
/// verdict, only how much backtracking it takes. Each partition is searched on its own.
/// </summary>
public static class LinearizabilityChecker
{
    /// <summary>The property a linearizability check is about, as counterexamples name it.</summary>
    public const string Property = "Linearizable";

    /// <summary>Holds when the history is linearizable; violated with the explanation; unknown when the time or memory budget ran out.</summary>
    public static CheckResult Check<TState, TInput, TOutput>(ISequentialModel<TState, TInput, TOutput> model, IReadOnlyList<Operation<TInput, TOutput>> history, LinearizabilityBudget? budget = null)
        where TState : notnull
    {
        budget ??= new LinearizabilityBudget();
        var watch = Stopwatch.StartNew();
        var deadline = Deadline(budget.Timeout);
        var partitions = model.Partition(history).Where(p => p.Count > 0).OrderBy(p => p.Count).ToList();
        long explored = 0;
        foreach (var partition in partitions)
        {
            var search = new Search<TState, TInput, TOutput>(model, partition, deadline, budget.MaxMemoryBytes, budget.MaxCachedConfigurations - explored);
            var verdict = search.Run();
            explored += search.Explored;
            if (verdict == LinearizabilityVerdict.NotLinearizable)
                return Result(Verdict.Violated, new HistoryCounterexample(search.Explain()), null);
            if (verdict == LinearizabilityVerdict.Unknown)
            {
                var exhausted = search.Stopped switch
                {
                    StopReason.Memory => $"memory budget of {Megabytes(budget.MaxMemoryBytes)} MB",
                    StopReason.Configurations => $"configuration budget of {budget.MaxCachedConfigurations}",
                    _ => $"time budget of {Duration(budget.Timeout)}",
                };
                return Result(Verdict.Unknown, null, $"{exhausted} exhausted after {explored} configurations ({Duration(watch.Elapsed)}, in a partition of {partition.Count} operations)");
            }
        }
        return Result(Verdict.Holds, null, null);

        CheckResult Result(Verdict verdict, HistoryCounterexample? found, string? exhausted) => new()
        {
            Subject = $"a history of {history.Count} operations ({partitions.Count} partition{(partitions.Count == 1 ? "" : "s")}) against {model.Name}",
            Method = "linearizability (Wing–Gong–Lowe search, memoised)",
            Verdict = verdict,
            Why = exhausted is null ? null : Inconclusive.Budget,
            Reason = exhausted,
            Coverage = new Coverage { Operations = history.Count, Configurations = explored },
            Counterexample = found,
            Elapsed = watch.Elapsed,
        };
    }

    private static long Deadline(TimeSpan timeout)
    {
        var ticks = timeout.TotalSeconds * Stopwatch.Frequency;
        var now = Stopwatch.GetTimestamp();
        return ticks >= long.MaxValue - now ? long.MaxValue : now + (long)ticks;
    }

    private static string Megabytes(long bytes) =>
        (bytes / (1024.0 * 1024)).ToString(bytes % (1024 * 1024) == 0 ? "F0" : "F1", CultureInfo.InvariantCulture);

    private static string Duration(TimeSpan time) =>
        time.TotalSeconds >= 1 ? $"{time.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s" : $"{time.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)} ms";

    private enum StopReason { None, Time, Memory, Configurations }

    /// <summary>
    /// The search over one partition: a doubly linked list of call and return entries, lifted and unlifted as
    /// operations are linearized and undone. Operations are numbered in call order, so that the linearized set of a
    /// configuration is mostly a run of ones (everything long returned) and a few bits near the frontier; it is
    /// memoised in a compact encoding of that shape (see <see cref="EncodeSet"/>), not as a whole bit set.
    /// </summary>
    private sealed class Search<TState, TInput, TOutput> where TState : notnull
    {
        // Bytes of a memoised configuration besides its set encoding's words and its state's heap bytes: the key
        // array's header, and the table slot (entry + bucket) counted twice for the table's growth slack.
        private static readonly long FixedBytesPerConfiguration = 24 + 2 * (12 + Unsafe.SizeOf<Configuration>());

        private readonly ISequentialModel<TState, TInput, TOutput> model;
        private readonly Operation<TInput, TOutput>[] operations;
        private readonly long deadline, maxBytes, maxConfigurations;

        // Entries 0..2n−1 plus the head sentinel at 2n: entry 2i is operation i's call, 2i+1 its return.
        private readonly int[] next, previous;
        private readonly int head;

        // The linearized set: its bits, how many are set, the first clear bit (all below are set) and one past the
        // highest set bit (none above).
        private readonly ulong[] linearized;
        private int count, low, top;
        private readonly ulong[] scratch;

        // The choices made (call entries), the state before each, and where the search was among that level's candidates.
        private readonly int[] stackCalls;
        private readonly TState[] stackBefore;
        private readonly Level[] stackLevels;
        private int depth;

        // For an operation that never returns, the previous one of the same input and output (or −1).
        private readonly int[] twin;

        // The longest partial linearization (operation numbers) and the state after it; its first `agreed` entries
        // are still those of the stack, so a deeper stack copies only what changed since (each choice once).
        private readonly int[] best;
        private int bestDepth, agreed;
        private TState bestState;

        public Search(ISequentialModel<TState, TInput, TOutput> model, IReadOnlyList<Operation<TInput, TOutput>> history, long deadline, long maxBytes, long maxConfigurations)
        {
            this.model = model;
            this.deadline = deadline;
            this.maxBytes = maxBytes;
            this.maxConfigurations = maxConfigurations;
            var n = history.Count;
            // Operations numbered in call order; entries in real-time order, a call before a return at the same time
            // (the two overlap): the call entries in that numbering merged with the return entries sorted by time.
            var callTimes = new long[n];
            var byCall = new int[n];
            for (var i = 0; i < n; i++) (callTimes[i], byCall[i]) = (history[i].Call, i);
            Array.Sort(callTimes, byCall);
            operations = new Operation<TInput, TOutput>[n];
            for (var i = 0; i < n; i++) operations[i] = history[byCall[i]];
            var returnTimes = new long[n];
            var byReturn = new int[n];
            for (var i = 0; i < n; i++) (returnTimes[i], byReturn[i]) = (Math.Max(operations[i].Return, operations[i].Call), i); // never before the call
            Array.Sort(returnTimes, byReturn);
            head = 2 * n;
            next = new int[2 * n + 1];
            previous = new int[2 * n + 1];
            var last = head;
            for (int calls = 0, returns = 0; calls + returns < 2 * n;)
            {
                var entry = returns == n || (calls < n && callTimes[calls] <= returnTimes[returns]) ? 2 * calls++ : 2 * byReturn[returns++] + 1;
                next[last] = entry;
                previous[entry] = last;
                last = entry;
            }
            next[last] = -1;
            linearized = new ulong[(n + 63) / 64];
            scratch = new ulong[linearized.Length + 1];
            stackCalls = new int[n];
            stackLevels = new Level[n];
            stackBefore = new TState[n];
            best = new int[n];
            bestState = model.Initial;
            // Operations whose outcome is unknown (they never return) with the same input and output are
            // interchangeable: each points to the previous such twin, tried in its stead while that one is unplaced.
            twin = new int[n];
            var lastOfItsKind = new Dictionary<(TInput, TOutput), int>();
            for (var i = 0; i < n; i++)
            {
                twin[i] = -1;
                if (operations[i].Completed) continue;
                var kind = (operations[i].Input, operations[i].Output);
                if (lastOfItsKind.TryGetValue(kind, out var previousTwin)) twin[i] = previousTwin;
                lastOfItsKind[kind] = i;
            }
        }

        public long Explored { get; private set; }

        public long EstimatedBytes { get; private set; }

        public StopReason Stopped { get; private set; }

        public LinearizabilityVerdict Run()
        {
            // The cache is probed with the set's encoding in a reused buffer; only a new configuration gets its own copy.
            var cache = new HashSet<Configuration>(new ConfigurationComparer());
            var lookup = cache.GetAlternateLookup<Probe>();
            var state = model.Initial;
            var hash = 0;
            // Done when every operation that returned is placed: one that never returned may also never take effect.
            var returnedLeft = operations.Count(o => o.Completed);
            if (returnedLeft == 0) return LinearizabilityVerdict.Linearizable;
            var level = OpenLevel(state);
            var steps = 0;
            while (true)
            {
                // The clock is cheap to read (a vDSO call); every 64 steps bounds the overshoot to microseconds.
                if ((steps++ & 63) == 0 && Stopwatch.GetTimestamp() > deadline) return Stop(StopReason.Time);
                if (NextCandidate(ref level, state, out var call, out var after))
                {
                    var op = call >> 1;
                    var operation = operations[op];
                    Add(op);
                    var withHash = hash + BitHash(op);
                    var key = EncodeSet();
                    if (lookup.Add(new Probe(key, withHash, after)))
                    {
                        Explored++;
                        EstimatedBytes += FixedBytesPerConfiguration + 8L * key.Length + model.SizeInBytes(after);
                        if (EstimatedBytes > maxBytes) return Stop(StopReason.Memory);
                        if (Explored > maxConfigurations) return Stop(StopReason.Configurations);
                        stackLevels[depth] = level;
                        Push(call, state, after);
                        state = after;
                        hash = withHash;
                        Lift(call);
                        if (operation.Completed && --returnedLeft == 0) return LinearizabilityVerdict.Linearizable;
                        level = OpenLevel(state);
                        continue;
                    }
                    Remove(op);
                }
                else
                {
                    // No candidate of this level leads anywhere: undo the choice that led here.
                    if (depth == 0) return LinearizabilityVerdict.NotLinearizable;
                    var undone = stackCalls[--depth];
                    if (agreed > depth) agreed = depth;
                    state = stackBefore[depth];
                    stackBefore[depth] = default!; // let the state go
                    Remove(undone >> 1);
                    if (operations[undone >> 1].Completed) returnedLeft++;
                    hash -= BitHash(undone >> 1);
                    Unlift(undone);
                    level = stackLevels[depth];
                }
            }
        }

        private enum Phase { ReadOnly, Urgent, Enabling, Rest, Done }

        /// <summary>
        /// Where the search is among the candidates of one level (the calls ahead of the first return still to come):
        /// the phase, the next entry to look at, the operation whose return comes first, and whether it fits now.
        /// </summary>
        private record struct Level(Phase Phase, int Cursor, int FirstReturn, bool UrgentFits);

        /// <summary>
        /// A new level: when a read-only operation fits now (see <see cref="ISequentialModel{TState,TInput,TOutput}.IsReadOnly"/>)
        /// it is the only candidate (placed first it loses no linearization); otherwise all of them, in the order of
        /// <see cref="NextCandidate"/>.
        /// </summary>
        private Level OpenLevel(TState state)
        {
            var firstReturn = next[head];
            while ((firstReturn & 1) == 0) firstReturn = next[firstReturn];
            for (var entry = next[head]; entry != firstReturn; entry = next[entry])
                if (operations[entry >> 1].Completed && IsReadOnly(entry) && Try(entry, state, out _)) return new Level(Phase.ReadOnly, entry, firstReturn, false);
            return new Level(Phase.Urgent, next[head], firstReturn, false);
        }

        /// <summary>
        /// The next operation of the level the model accepts, and the state after it. The operation that returns
        /// first comes first; then, if it did not fit, those after which it fits; then the rest in call order.
        /// Operations are thus linearized when a return needs them, not as soon as they are called, which spares
        /// most of the backtracking when many calls overlap.
        /// </summary>
        private bool NextCandidate(ref Level level, TState state, out int call, out TState after)
        {
            var urgent = level.FirstReturn - 1;
            switch (level.Phase)
            {
                case Phase.ReadOnly:
                    call = level.Cursor;
                    level.Phase = Phase.Done;
                    return Try(call, state, out after);
                case Phase.Urgent:
                    level.UrgentFits = Try(urgent, state, out after);
                    level.Phase = level.UrgentFits ? Phase.Rest : Phase.Enabling;
                    if (level.UrgentFits)
                    {
                        call = urgent;
                        return true;
                    }
                    break;
            }
            while (level.Phase is Phase.Enabling or Phase.Rest)
            {
                for (var entry = level.Cursor; entry != level.FirstReturn; entry = next[entry])
                {
                    // The rest includes the enabling ones again: each is then found in the memo at once, which costs
                    // less than asking the model a second time whether the urgent operation fits after every one.
                    if (entry == urgent || IsTwinOfAnUnplaced(entry) || !Try(entry, state, out after) || IsPointless(entry, state, after)) continue;
                    if (level.Phase == Phase.Enabling && !Try(urgent, after, out _)) continue;
                    level.Cursor = next[entry];
                    call = entry;
                    return true;
                }
                level.Phase = level.Phase == Phase.Enabling ? Phase.Rest : Phase.Done;
                level.Cursor = next[head];
            }
            call = -1;
            after = default!;
            return false;
        }

        /// <summary>
        /// An operation that never returns, placed where it changes nothing (a read, a cas whose expected value is
        /// not there): leaving it out altogether (it never took effect) serves every order this placement would.
        /// </summary>
        private bool IsPointless(int call, TState state, TState after) =>
            !operations[call >> 1].Completed && EqualityComparer<TState>.Default.Equals(state, after);

        /// <summary>
        /// An operation that never returns, whose earlier twin (same input and output, also never returning) is not
        /// placed yet: trying it would only repeat, under another name, what trying the twin does.
        /// </summary>
        private bool IsTwinOfAnUnplaced(int call)
        {
            var other = twin[call >> 1];
            return other >= 0 && (linearized[other >> 6] & (1UL << (other & 63))) == 0;
        }

        private bool IsReadOnly(int call)
        {
            var operation = operations[call >> 1];
            return model.IsReadOnly(operation.Input, operation.Output);
        }

        private bool Try(int call, TState state, out TState after)
        {
            var operation = operations[call >> 1];
            return model.Step(state, operation.Input, operation.Output, out after);
        }

        private LinearizabilityVerdict Stop(StopReason reason)
        {
            Stopped = reason;
            return LinearizabilityVerdict.Unknown;
        }

        private void Push(int call, TState before, TState after)
        {
            stackCalls[depth] = call;
            stackBefore[depth] = before;
            depth++;
            if (depth <= bestDepth) return;
            for (var i = agreed; i < depth; i++) best[i] = stackCalls[i] >> 1;
            agreed = bestDepth = depth;
            bestState = after;
        }

        private void Add(int op)
        {
            linearized[op >> 6] |= 1UL << (op & 63);
            count++;
            if (op >= top) top = op + 1;
            if (op != low) return;
            // Move past the run of ones that starts here.
            var word = op >> 6;
            var clear = ~linearized[word] & (ulong.MaxValue << (op & 63));
            while (clear == 0 && ++word < linearized.Length) clear = ~linearized[word];
            low = clear == 0 ? operations.Length : Math.Min(operations.Length, word * 64 + BitOperations.TrailingZeroCount(clear));
        }

        private void Remove(int op)
        {
            linearized[op >> 6] &= ~(1UL << (op & 63));
            count--;
            if (op < low) low = op;
            if (op != top - 1) return;
            // Move down to the highest bit still set, if any.
            var word = op >> 6;
            var set = linearized[word] & ((1UL << (op & 63)) - 1);
            while (set == 0 && --word >= 0) set = linearized[word];
            top = set == 0 ? 0 : word * 64 + 64 - BitOperations.LeadingZeroCount(set);
        }

        /// <summary>
        /// The linearized set, canonically, in the scratch buffer: either the words from the one holding the first
        /// clear bit to the one holding the last set bit (those before are all ones, those after all zeros), tagged
        /// with where they start; or, when shorter, the end of the set and the positions of the clear bits below it
        /// (two to a word), which is what a long history with an operation that never takes effect needs.
        /// </summary>
        private ReadOnlySpan<ulong> EncodeSet()
        {
            int firstWord = low >> 6, endWord = (top + 63) >> 6;
            var dense = endWord - firstWord;
            var holes = top - count;
            var sparse = (holes + 1) / 2;
            if (sparse >= dense)
            {
                scratch[0] = (ulong)firstWord << 1;
                linearized.AsSpan(firstWord, dense).CopyTo(scratch.AsSpan(1));
                return scratch.AsSpan(0, dense + 1);
            }
            scratch[0] = 1UL | ((ulong)top << 1);
            var written = 0;
            for (var word = firstWord; word < endWord; word++)
            {
                var clear = ~linearized[word];
                if (word == endWord - 1 && (top & 63) != 0) clear &= (1UL << (top & 63)) - 1;
                for (; clear != 0; clear &= clear - 1, written++)
                {
                    var position = (ulong)(uint)(word * 64 + BitOperations.TrailingZeroCount(clear));
                    scratch[1 + written / 2] = written % 2 == 0 ? position : scratch[1 + written / 2] | position << 32;
                }
            }
            if (written % 2 == 1) scratch[1 + written / 2] |= 0xFFFF_FFFFUL << 32;
            return scratch.AsSpan(0, sparse + 1);
        }

        // The set's hash is a sum of per-operation scrambled values, so adding or removing one updates it in O(1).
        private static int BitHash(int bit) => (int)((uint)(bit + 1) * 2654435761u) ^ (bit << 7);

        private readonly record struct Configuration(ulong[] Set, int Hash, TState State);

        /// <summary>A configuration being looked up: the set's encoding still in the scratch buffer.</summary>
        private readonly ref struct Probe(ReadOnlySpan<ulong> set, int hash, TState state)
        {
            public ReadOnlySpan<ulong> Set { get; } = set;
            public int Hash { get; } = hash;
            public TState State { get; } = state;
        }

        private sealed class ConfigurationComparer : IEqualityComparer<Configuration>, IAlternateEqualityComparer<Probe, Configuration>
        {
            public bool Equals(Configuration a, Configuration b) =>
                a.Hash == b.Hash && a.Set.AsSpan().SequenceEqual(b.Set) && EqualityComparer<TState>.Default.Equals(a.State, b.State);

            public int GetHashCode(Configuration c) => Combine(c.Hash, c.State);

            public bool Equals(Probe probe, Configuration c) =>
                probe.Hash == c.Hash && probe.Set.SequenceEqual(c.Set) && EqualityComparer<TState>.Default.Equals(probe.State, c.State);

            public int GetHashCode(Probe probe) => Combine(probe.Hash, probe.State);

            public Configuration Create(Probe probe) => new(probe.Set.ToArray(), probe.Hash, probe.State);

            private static int Combine(int setHash, TState state) => setHash ^ (EqualityComparer<TState>.Default.GetHashCode(state) * 31);
        }

        private void Lift(int call)
        {
            Unlink(call);
            Unlink(call + 1);
        }

        private void Unlift(int call)
        {
            Relink(call + 1);
            Relink(call);
        }

        private void Unlink(int entry)
        {
            next[previous[entry]] = next[entry];
            if (next[entry] >= 0) previous[next[entry]] = previous[entry];
        }

        private void Relink(int entry)
        {
            next[previous[entry]] = entry;
            if (next[entry] >= 0) previous[next[entry]] = entry;
        }

        /// <summary>The longest partial linearization, and what blocks it: the operations that could come next and why they cannot.</summary>
        public string Explain()
        {
            var text = new StringBuilder();
            var longest = best.AsSpan(0, bestDepth).ToArray();
            var placed = longest.ToHashSet();
            text.AppendLine($"  the longest partial linearization orders {longest.Length} of the {operations.Length} operations of this partition:");
            foreach (var op in longest.TakeLast(8)) text.AppendLine($"    {Describe(op)}");
            if (longest.Length > 8) text.AppendLine($"    (and {longest.Length - 8} earlier ones)");
            text.AppendLine($"  state then: {model.Describe(bestState)}");
            // The next operation to return among those not placed must be linearized before that return, but none fits.
            var pending = Enumerable.Range(0, operations.Length).Where(i => !placed.Contains(i)).ToList();
            var firstReturn = pending.Where(i => operations[i].Completed).OrderBy(i => operations[i].Return).FirstOrDefault(-1);
            var candidates = pending.Where(i => firstReturn < 0 || operations[i].Call < operations[firstReturn].Return).ToList();
            text.AppendLine($"  none of these can come next (each is called before {(firstReturn < 0 ? "the end" : $"operation at line {operations[firstReturn].Line} returns")}):");
            foreach (var op in candidates.Take(8)) text.AppendLine($"    {Describe(op)}");
            if (candidates.Count > 8) text.AppendLine($"    (and {candidates.Count - 8} more)");
            return text.ToString().TrimEnd();
        }

        private string Describe(int op)
        {
            var operation = operations[op];
            return $"client {operation.Client}: {model.Describe(operation.Input, operation.Output)} (line {operation.Line}{(operation.Completed ? "" : ", outcome unknown")})";
        }
    }
}
