using System.Diagnostics;
using System.Text;

namespace Verification.Checkers.Linearizability;

public enum LinearizabilityVerdict
{
    Linearizable,
    NotLinearizable,

    /// <summary>The time or memory budget ran out first.</summary>
    Unknown,
}

/// <summary>What to spend at most on one history.</summary>
public sealed record LinearizabilityBudget
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Memoised (linearized set, state) pairs kept at most, summed over partitions: the memory bound.</summary>
    public long MaxCachedConfigurations { get; init; } = 20_000_000;
}

/// <summary>
/// The verdict on a history, with the operations of the smallest partition that is not linearizable and a readable
/// explanation: the longest partial linearization found and the operations none of which can come next.
/// </summary>
public sealed record LinearizabilityResult(
    string Model,
    LinearizabilityVerdict Verdict,
    int Operations,
    int Partitions,
    long ConfigurationsExplored,
    TimeSpan Elapsed,
    string? Explanation)
{
    public override string ToString()
    {
        var verdict = Verdict switch
        {
            LinearizabilityVerdict.Linearizable => "linearizable",
            LinearizabilityVerdict.NotLinearizable => "NOT linearizable",
            _ => "unknown (budget exhausted)",
        };
        var text = $"{verdict}: {Operations} operations in {Partitions} partition{(Partitions == 1 ? "" : "s")}, model {Model}, {ConfigurationsExplored} configurations explored, {Elapsed.TotalMilliseconds:F1} ms";
        return Explanation is null ? text : text + "\n" + Explanation;
    }
}

/// <summary>
/// Wing–Gong's search with Lowe's memoisation (as Porcupine does it): walk the calls and returns in real-time order;
/// at a call, try to linearize that operation now (the model must accept its output), unless the same set of
/// linearized operations has already been reached in the same state; at a return whose operation is not yet
/// linearized, undo the last choice. Each partition is searched on its own.
/// </summary>
public static class LinearizabilityChecker
{
    public static LinearizabilityResult Check<TState, TInput, TOutput>(ISequentialModel<TState, TInput, TOutput> model, IReadOnlyList<Operation<TInput, TOutput>> history, LinearizabilityBudget? budget = null)
        where TState : notnull
    {
        budget ??= new LinearizabilityBudget();
        var watch = Stopwatch.StartNew();
        var partitions = model.Partition(history).Where(p => p.Count > 0).OrderBy(p => p.Count).ToList();
        long explored = 0;
        var unknown = false;
        foreach (var partition in partitions)
        {
            var search = new Search<TState, TInput, TOutput>(model, partition, budget, watch, budget.MaxCachedConfigurations - explored);
            var verdict = search.Run();
            explored += search.Explored;
            if (verdict == LinearizabilityVerdict.NotLinearizable)
                return new LinearizabilityResult(model.Name, verdict, history.Count, partitions.Count, explored, watch.Elapsed, search.Explain());
            if (verdict == LinearizabilityVerdict.Unknown)
            {
                unknown = true;
                break;
            }
        }
        return new LinearizabilityResult(model.Name, unknown ? LinearizabilityVerdict.Unknown : LinearizabilityVerdict.Linearizable, history.Count, partitions.Count, explored, watch.Elapsed,
            unknown ? $"stopped after {watch.Elapsed.TotalSeconds:F1} s and {explored} memoised configurations (budget: {budget.Timeout.TotalSeconds:F0} s, {budget.MaxCachedConfigurations} configurations)" : null);
    }

    /// <summary>The search over one partition: a doubly linked list of call and return entries, lifted and unlifted as operations are linearized and undone.</summary>
    private sealed class Search<TState, TInput, TOutput> where TState : notnull
    {
        private readonly ISequentialModel<TState, TInput, TOutput> model;
        private readonly IReadOnlyList<Operation<TInput, TOutput>> operations;
        private readonly LinearizabilityBudget budget;
        private readonly Stopwatch watch;
        private readonly long maxCached;
        // Entries 0..2n−1 plus the head sentinel at 2n: entry 2i is operation i's call, 2i+1 its return.
        private readonly int[] next, previous;
        private readonly int head;
        private List<int> best = [];
        private TState bestState;

        public Search(ISequentialModel<TState, TInput, TOutput> model, IReadOnlyList<Operation<TInput, TOutput>> operations, LinearizabilityBudget budget, Stopwatch watch, long maxCached)
        {
            this.model = model;
            this.operations = operations;
            this.budget = budget;
            this.watch = watch;
            this.maxCached = maxCached;
            bestState = model.Initial;
            var n = operations.Count;
            head = 2 * n;
            next = new int[2 * n + 1];
            previous = new int[2 * n + 1];
            // Real-time order; at equal times a call comes first (the two overlap).
            var order = Enumerable.Range(0, 2 * n)
                .OrderBy(e => e % 2 == 0 ? operations[e / 2].Call : operations[e / 2].Return)
                .ThenBy(e => e % 2)
                .ToArray();
            var last = head;
            foreach (var entry in order)
            {
                next[last] = entry;
                previous[entry] = last;
                last = entry;
            }
            next[last] = -1;
        }

        public long Explored { get; private set; }

        public LinearizabilityVerdict Run()
        {
            // The linearized set is one mutable bit array with a running hash; when the cache takes it as a new
            // (set, state) pair, the search continues on a copy, so a repeated configuration costs no allocation.
            var linearized = new ulong[(operations.Count + 63) / 64];
            var hash = 0;
            var cache = new HashSet<Configuration>(new ConfigurationComparer());
            var stack = new Stack<(int Call, TState Before)>();
            var state = model.Initial;
            var entry = next[head];
            var steps = 0;
            while (next[head] >= 0)
            {
                if ((++steps & 4095) == 0 && watch.Elapsed > budget.Timeout) return LinearizabilityVerdict.Unknown;
                if (entry % 2 == 0)
                {
                    var op = entry / 2;
                    var operation = operations[op];
                    if (model.Step(state, operation.Input, operation.Output, out var after))
                    {
                        linearized[op >> 6] |= 1UL << (op & 63);
                        var withHash = hash + BitHash(op);
                        if (cache.Add(new Configuration(linearized, withHash, after)))
                        {
                            linearized = (ulong[])linearized.Clone(); // the cache keeps the array it was given
                            Explored++;
                            if (cache.Count > maxCached) return LinearizabilityVerdict.Unknown;
                            stack.Push((entry, state));
                            state = after;
                            hash = withHash;
                            Lift(entry);
                            if (stack.Count > best.Count)
                            {
                                best = stack.Select(s => s.Call / 2).Reverse().ToList();
                                bestState = state;
                            }
                            entry = next[head];
                            continue;
                        }
                        linearized[op >> 6] &= ~(1UL << (op & 63));
                    }
                    entry = next[entry];
                }
                else
                {
                    // An operation returned before it could be linearized: undo the last choice.
                    if (stack.Count == 0) return LinearizabilityVerdict.NotLinearizable;
                    var (call, before) = stack.Pop();
                    state = before;
                    linearized[(call / 2) >> 6] &= ~(1UL << ((call / 2) & 63));
                    hash -= BitHash(call / 2);
                    Unlift(call);
                    entry = next[call];
                }
            }
            return LinearizabilityVerdict.Linearizable;
        }

        // The set's hash is a sum of per-operation scrambled values, so adding or removing one updates it in O(1).
        private static int BitHash(int bit) => (int)((uint)(bit + 1) * 2654435761u) ^ (bit << 7);

        private readonly record struct Configuration(ulong[] Linearized, int Hash, TState State);

        private sealed class ConfigurationComparer : IEqualityComparer<Configuration>
        {
            public bool Equals(Configuration a, Configuration b) =>
                a.Hash == b.Hash && a.Linearized.AsSpan().SequenceEqual(b.Linearized) && EqualityComparer<TState>.Default.Equals(a.State, b.State);

            public int GetHashCode(Configuration c) => c.Hash ^ (EqualityComparer<TState>.Default.GetHashCode(c.State) * 31);
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
            var placed = best.ToHashSet();
            text.AppendLine($"  the longest partial linearization orders {best.Count} of the {operations.Count} operations of this partition:");
            foreach (var op in best.TakeLast(8)) text.AppendLine($"    {Describe(op)}");
            if (best.Count > 8) text.AppendLine($"    (and {best.Count - 8} earlier ones)");
            text.AppendLine($"  state then: {model.Describe(bestState)}");
            // The next operation to return among those not placed must be linearized before that return, but none fits.
            var pending = Enumerable.Range(0, operations.Count).Where(i => !placed.Contains(i)).ToList();
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
