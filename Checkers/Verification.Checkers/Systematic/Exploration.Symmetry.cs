using Verification.Runtime;

namespace Verification.Checkers.Systematic;

public sealed partial class SystematicTester<TState, TMessage, TTimer, TDurable, TSpecEvent>
{
    /// <summary>Writes the key a search files <paramref name="world"/> under: its own, or under a symmetry its orbit's canonical one.</summary>
    private static void WriteSearchKey(World<TState, TMessage, TTimer, TDurable, TSpecEvent> world, ValueNumbering numbering, SymmetryReduction? symmetry)
    {
        if (symmetry is null) world.WriteKey(numbering);
        else symmetry.WriteCanonicalKey(world, numbering);
    }

    /// <summary>What a search's result says of the symmetry it was reduced by.</summary>
    private static string SymmetryBound(NodeSymmetry<TState, TMessage, TTimer, TDurable> symmetry) =>
        $"{symmetry.Describe()}: states counted up to renaming those nodes (canonical states); "
        + (symmetry.CheckedTransitions > 0 ? "renaming checked to commute with a sample of transitions" : "the declaration NOT checked against transitions (CheckedTransitions = 0)");

    /// <summary>
    /// Symmetry reduction for one exhaustive search: every renaming in the declared group, the canonical key (the
    /// least key over the orbit), and the checks that refuse a declaration the search can see is unsound.
    /// </summary>
    private sealed class SymmetryReduction
    {
        private readonly NodeSymmetry<TState, TMessage, TTimer, TDurable> symmetry;
        private readonly SpecRenaming<TSpecEvent> spec;
        /// <summary>Every renaming but the identity; and the adjacent transpositions of each set, which generate them all.</summary>
        private readonly List<NodePermutation> renamings = [], generators = [];
        private readonly World<TState, TMessage, TTimer, TDurable, TSpecEvent> renamed, renamedNext;
        private readonly VectorChoices choices = new([]);
        private byte[] best = new byte[256], other = new byte[256];
        private long checkedTransitions;

        /// <summary>The most renamings enumerated per state (6! — one set of six, or two of three and one of two, …).</summary>
        public const int MaxRenamings = 720;

        public SymmetryReduction(Protocol<TState, TMessage, TTimer, TDurable, TSpecEvent> protocol, FaultModel faults, INode<TState, TMessage, TTimer, TDurable>[] nodes,
            World<TState, TMessage, TTimer, TDurable, TSpecEvent> start, ValueNumbering numbering)
        {
            symmetry = protocol.Symmetry!;
            var name = $"the {symmetry.Describe()} of {protocol.Name}";
            var sets = symmetry.Sets;
            if (sets.Count == 0) throw new ConfigurationException($"{name}: no set of interchangeable nodes is declared");
            var seen = new HashSet<int>();
            foreach (var set in sets)
            {
                if (set.Count < 2) throw new ConfigurationException($"{name}: a set of interchangeable nodes needs at least two nodes (got {{{string.Join(",", set)}}})");
                foreach (var node in set)
                {
                    if (node < 0 || node >= protocol.Nodes) throw new ConfigurationException($"{name}: node {node} is not one of the protocol's nodes n0..n{protocol.Nodes - 1}");
                    if (!seen.Add(node)) throw new ConfigurationException($"{name}: node n{node} is in two sets, or twice in one");
                }
            }
            var count = sets.Aggregate(1L, (product, set) => product * Factorial(set.Count));
            if (count > MaxRenamings) throw new ConfigurationException($"{name}: {count:N0} renamings per state is more than the {MaxRenamings} a search enumerates; declare smaller sets");
            if (protocol.Normalizer is not null) throw new ConfigurationException($"{name}: a protocol with a normaliser (a shift symmetry) cannot also declare node symmetry yet");
            if (protocol.HistoryCheck is not null) throw new ConfigurationException($"{name}: the whole-history check reads events the symmetry cannot rename, so it cannot be combined with node symmetry");
            // Interchangeable nodes run the same code, fail alike and are told alike.
            var roles = faults.EffectiveRoles(protocol.Nodes);
            string RoleOf(int node) => roles.FirstOrDefault(r => r.Nodes.Contains(node)) is { } role ? $"role '{role.Name}'" : "no fault role (reliable)";
            bool Subscribed(int node) => faults.Detector is { } detector && (detector.Subscribers?.Contains(node) ?? true);
            foreach (var set in sets)
                foreach (var node in set.Skip(1))
                {
                    if (nodes[node].GetType() != nodes[set[0]].GetType())
                        throw new ConfigurationException($"{name}: n{node} is a {nodes[node].GetType().Name} but n{set[0]} a {nodes[set[0]].GetType().Name}; interchangeable nodes must run the same code");
                    if (RoleOf(node) != RoleOf(set[0]))
                        throw new ConfigurationException($"{name}: n{node} has {RoleOf(node)} but n{set[0]} {RoleOf(set[0])}; the fault model must treat interchangeable nodes alike");
                    if (Subscribed(node) != Subscribed(set[0]))
                        throw new ConfigurationException($"{name}: the failure detector tells {(Subscribed(node) ? $"n{node} but not n{set[0]}" : $"n{set[0]} but not n{node}")}; subscribers must treat interchangeable nodes alike");
                }
            spec = new SpecRenaming<TSpecEvent>(protocol.Spec, sets, symmetry.SpecIndexed, symmetry.SpecNodeValued, symmetry.SpecUnaffected, name);
            foreach (var image in Renamings(sets, protocol.Nodes))
                if (!image.IsIdentity) renamings.Add(image);
            foreach (var set in sets)
                for (var k = 0; k + 1 < set.Count; k++)
                {
                    var image = Enumerable.Range(0, protocol.Nodes).ToArray();
                    (image[set[k]], image[set[k + 1]]) = (set[k + 1], set[k]);
                    generators.Add(new NodePermutation(image));
                }
            renamed = start.Clone();
            renamedNext = start.Clone();
            CheckStart(start, numbering, name);
        }

        private static long Factorial(int n) => n <= 1 ? 1 : n * Factorial(n - 1);

        /// <summary>Every combination of a permutation of each set (the identity first).</summary>
        private static IEnumerable<NodePermutation> Renamings(IReadOnlyList<IReadOnlyList<int>> sets, int nodes)
        {
            IEnumerable<int[]> images = [Enumerable.Range(0, nodes).ToArray()];
            foreach (var set in sets)
                images = images.SelectMany(image => Permutations(set.ToArray()).Select(order =>
                {
                    var next = (int[])image.Clone();
                    for (var k = 0; k < set.Count; k++) next[set[k]] = order[k];
                    return next;
                }));
            return images.Select(image => new NodePermutation(image));
        }

        private static IEnumerable<int[]> Permutations(int[] items)
        {
            if (items.Length <= 1)
            {
                yield return items;
                yield break;
            }
            for (var first = 0; first < items.Length; first++)
                foreach (var rest in Permutations([.. items[..first], .. items[(first + 1)..]]))
                    yield return [items[first], .. rest];
        }

        /// <summary>
        /// Writes a canonical key of <paramref name="world"/>'s orbit into <paramref name="numbering"/>'s writer: the
        /// least key over the renamings that sort each set's nodes by a signature renaming cannot change (status, and
        /// the number of the node's state when no renaming changes that state), ties broken by trying every order.
        /// Any σ(world) yields the same candidates composed with σ⁻¹, so the same least key: a function of the orbit.
        /// </summary>
        public void WriteCanonicalKey(World<TState, TMessage, TTimer, TDurable, TSpecEvent> world, ValueNumbering numbering)
        {
            var candidates = SortingRenamings(world, numbering);
            world.WriteKey(numbering);
            var bestLength = -1;
            if (candidates.Count == 0 || candidates.Any(π => π.IsIdentity)) bestLength = Keep(numbering.Writer.Written, ref best);
            foreach (var π in candidates.Count == 0 ? renamings : candidates)
            {
                if (π.IsIdentity) continue;
                renamed.CopyPermuted(world, π, symmetry, spec);
                renamed.WriteKey(numbering);
                var written = numbering.Writer.Written;
                if (bestLength < 0 || written.SequenceCompareTo(best.AsSpan(0, bestLength)) < 0) bestLength = Keep(written, ref best);
            }
            numbering.Writer.Load(best.AsSpan(0, bestLength));
        }

        private readonly List<NodePermutation> sorting = [];

        /// <summary>
        /// The renamings that put each set's nodes in the order of their signatures (every order among equal ones);
        /// empty when a set member's state is changed by some renaming (its number is then no signature), and the
        /// whole group is tried instead.
        /// </summary>
        private List<NodePermutation> SortingRenamings(World<TState, TMessage, TTimer, TDurable, TSpecEvent> world, ValueNumbering numbering)
        {
            sorting.Clear();
            var images = new List<int[]> { Enumerable.Range(0, world.NodeCount).ToArray() };
            foreach (var set in symmetry.Sets)
            {
                var signed = new List<(long Signature, int Node)>(set.Count);
                foreach (var node in set)
                {
                    var state = world.StateOf(node);
                    if (state is not null && !generators.All(g => Equals(symmetry.State(state, g), state))) return sorting;
                    signed.Add((((long)world.StatusOf(node) << 40) | (uint)numbering.Number(state), node));
                }
                signed.Sort();
                var positions = set.Order().ToArray();
                // Each run of equal signatures may go to its positions in any order.
                var next = new List<int[]>();
                foreach (var image in images)
                {
                    var partial = new List<int[]> { image };
                    for (var start = 0; start < signed.Count;)
                    {
                        var end = start;
                        while (end + 1 < signed.Count && signed[end + 1].Signature == signed[start].Signature) end++;
                        var run = signed.GetRange(start, end - start + 1).Select(s => s.Node).ToArray();
                        var at = positions[start..(end + 1)];
                        partial = partial.SelectMany(p => Permutations(run).Select(order =>
                        {
                            var with = (int[])p.Clone();
                            for (var k = 0; k < order.Length; k++) with[order[k]] = at[k];
                            return with;
                        })).ToList();
                        start = end + 1;
                    }
                    next.AddRange(partial);
                }
                images = next;
            }
            foreach (var image in images) sorting.Add(new NodePermutation(image));
            return sorting;
        }

        private static int Keep(ReadOnlySpan<byte> bytes, ref byte[] into)
        {
            if (into.Length < bytes.Length) into = new byte[Math.Max(bytes.Length, into.Length * 2)];
            bytes.CopyTo(into);
            return bytes.Length;
        }

        /// <summary>A single initial state must be its own renaming, or the orbits the search files states under are not those of its behaviours.</summary>
        private void CheckStart(World<TState, TMessage, TTimer, TDurable, TSpecEvent> start, ValueNumbering numbering, string name)
        {
            foreach (var π in generators)
            {
                renamed.CopyPermuted(start, π, symmetry, spec);
                var difference = Difference(start, renamed, numbering);
                if (difference is not null)
                    throw new ConfigurationException($"{name} is unsound: renaming {π} changes the initial state ({difference}); some node starts differently by its id");
            }
        }

        /// <summary>
        /// On a sample of transitions (the first <see cref="NodeSymmetry{TState, TMessage, TTimer, TDurable}.CheckedTransitions"/>,
        /// then every 97th up to as many again): renaming <paramref name="from"/> and taking the renamed action must give
        /// <paramref name="to"/> renamed, for each generating renaming.
        /// </summary>
        public void CheckTransition(World<TState, TMessage, TTimer, TDurable, TSpecEvent> from, ScheduledAction action, List<int> vector, World<TState, TMessage, TTimer, TDurable, TSpecEvent> to,
            ValueNumbering numbering, long transition, string protocolName)
        {
            var budget = symmetry.CheckedTransitions;
            if (budget <= 0 || !(transition < budget || (transition % 97 == 0 && checkedTransitions < 2L * budget))) return;
            checkedTransitions++;
            foreach (var π in generators)
            {
                renamed.CopyPermuted(from, π, symmetry, spec);
                var step = from.Describe(action);
                string Unsound(string what) =>
                    $"the {symmetry.Describe()} of {protocolName} is unsound: renaming {π} and then taking '{step}' {what}; a rename function misses a node reference, or a node acts on its id";
                if (from.RenamedAction(action, π, renamed, symmetry) is not { } mapped) throw new ConfigurationException(Unsound("finds no such action (a renamed timer is not armed)"));
                choices.Reset(vector);
                try
                {
                    renamed.Apply(mapped, choices);
                }
                catch (RunFailure failure)
                {
                    throw new ConfigurationException(Unsound($"fails ({failure.Property}), which the step itself does not"));
                }
                if (renamed.Violation is { } violation) throw new ConfigurationException(Unsound($"violates {violation.Property.Name}, which the step itself does not"));
                renamedNext.CopyPermuted(to, π, symmetry, spec);
                var difference = Difference(renamedNext, renamed, numbering);
                if (difference is not null) throw new ConfigurationException(Unsound($"differs from taking it and then renaming ({difference})"));
            }
        }

        /// <summary>Null when the two worlds have the same key; otherwise the first line of their pictures that differs, or "the spec's values or budgets".</summary>
        private string? Difference(World<TState, TMessage, TTimer, TDurable, TSpecEvent> expected, World<TState, TMessage, TTimer, TDurable, TSpecEvent> actual, ValueNumbering numbering)
        {
            expected.WriteKey(numbering);
            var length = Keep(numbering.Writer.Written, ref other);
            actual.WriteKey(numbering);
            if (numbering.Writer.Written.SequenceEqual(other.AsSpan(0, length))) return null;
            var wanted = expected.Describe().Split('\n');
            var got = actual.Describe().Split('\n');
            for (var line = 0; line < Math.Max(wanted.Length, got.Length); line++)
            {
                var w = line < wanted.Length ? wanted[line].Trim() : "nothing";
                var g = line < got.Length ? got[line].Trim() : "nothing";
                if (w != g) return $"expected {Cut(w)}, got {Cut(g)}";
            }
            return "the spec's values or the fault budgets differ";
        }

        private static string Cut(string text) => text.Length <= 200 ? text : text[..200] + "…";
    }
}
