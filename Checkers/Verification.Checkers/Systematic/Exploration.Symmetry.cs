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
        /// <summary>The adjacent transpositions of each set, which generate every renaming.</summary>
        private readonly List<NodePermutation> generators = [];
        private readonly World<TState, TMessage, TTimer, TDurable, TSpecEvent> renamed, renamedNext;
        private readonly SymmetryKeys<TState, TMessage, TTimer, TDurable, TSpecEvent> keys;
        private readonly VectorChoices choices = new([]);
        private byte[] other = new byte[256];
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
            foreach (var set in sets)
                for (var k = 0; k + 1 < set.Count; k++)
                {
                    var image = Enumerable.Range(0, protocol.Nodes).ToArray();
                    (image[set[k]], image[set[k + 1]]) = (set[k + 1], set[k]);
                    generators.Add(new NodePermutation(image));
                }
            keys = new SymmetryKeys<TState, TMessage, TTimer, TDurable, TSpecEvent>(symmetry, [.. Renamings(sets, protocol.Nodes)], protocol.Nodes, start.Monitor.Evaluator);
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
                images = images.SelectMany(image => SymmetryKeys<TState, TMessage, TTimer, TDurable, TSpecEvent>.Permutations(set.ToArray()).Select(order =>
                {
                    var next = (int[])image.Clone();
                    for (var k = 0; k < set.Count; k++) next[set[k]] = order[k];
                    return next;
                }));
            return images.Select(image => new NodePermutation(image));
        }


        /// <summary>Writes a canonical key of <paramref name="world"/>'s orbit into <paramref name="numbering"/>'s writer (see <see cref="SymmetryKeys{TState, TMessage, TTimer, TDurable, TSpecEvent}"/>).</summary>
        public void WriteCanonicalKey(World<TState, TMessage, TTimer, TDurable, TSpecEvent> world, ValueNumbering numbering) => keys.WriteCanonicalKey(world, numbering);

        /// <summary>What the canonical keys cost, for the result: renamings tried per key (ties among node signatures).</summary>
        public string Describe() => $"canonical keys: {keys.RenamingsPerKey:F2} renamings tried per key";

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
                // Described only for a report: describing every checked step would cost more than checking it.
                string Unsound(string what) =>
                    $"the {symmetry.Describe()} of {protocolName} is unsound: renaming {π} and then taking '{from.Describe(action)}' {what}; a rename function misses a node reference, or a node acts on its id";
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
                // The canonical keys are written through renamings without copying: they must be the copy's keys.
                renamedNext.WriteKey(numbering);
                var length = Keep(numbering.Writer.Written, ref other);
                to.WritePermutedKey(keys, keys.Of(π), numbering);
                if (!numbering.Writer.Written.SequenceEqual(other.AsSpan(0, length)))
                    throw new InvalidOperationException($"internal error in symmetry reduction: the key written through renaming {π} after '{from.Describe(action)}' differs from the renamed copy's key (World.WritePermutedKey no longer follows World.WriteKey)");
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
