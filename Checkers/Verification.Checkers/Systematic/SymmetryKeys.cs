using Verification.Runtime;
using Verification.Specs;

namespace Verification.Checkers.Systematic;

/// <summary>
/// The canonical key of a state's orbit under a node symmetry, made cheap: each renaming's effect on a value (a node
/// state, durable state, message or timer list) is remembered by the value's number, so a renamed state's key is
/// written straight from the original world through the renaming (<c>World.WritePermutedKey</c>), without copying
/// the world or calling a rename function again; and the nodes of each set are sorted by a signature that no
/// renaming changes and that sees more than the node's own state (the messages to and from it, its timers), so that
/// ties, and with them the renamings tried, are rare. Its memories are by value number: one instance per search (per
/// <see cref="ValueNumbering"/>).
/// </summary>
internal sealed class SymmetryKeys<TState, TMessage, TTimer, TDurable, TSpecEvent>
    where TState : class where TMessage : notnull where TTimer : notnull where TDurable : class where TSpecEvent : class
{
    /// <summary>One renaming of the group and what writing keys through it needs.</summary>
    internal sealed class Renaming(NodePermutation permutation, int[] specNumberSource, int[] specObjectSource)
    {
        public NodePermutation Permutation { get; } = permutation;
        public bool IsIdentity { get; } = permutation.IsIdentity;
        /// <summary>Slot j of the renamed world holds node Inverse[j] of the original.</summary>
        public int[] Inverse { get; } = InverseOf(permutation);
        /// <summary>Number of a value → number of the value renamed (0: not known yet), one map per kind of value (a protocol may rename a state and an equal durable state differently).</summary>
        public NumberMap States { get; } = new();
        public NumberMap Durables { get; } = new();
        public NumberMap Messages { get; } = new();
        public NumberMap Timers { get; } = new();
        /// <summary>Position p of the renamed spec key holds position SpecNumberSource[p] (SpecObjectSource[p]) of the original's.</summary>
        public int[] SpecNumberSource { get; } = specNumberSource;
        public int[] SpecObjectSource { get; } = specObjectSource;

        private static int[] InverseOf(NodePermutation π)
        {
            var inverse = new int[π.Nodes];
            for (var i = 0; i < π.Nodes; i++) inverse[π[i]] = i;
            return inverse;
        }
    }

    /// <summary>A growing map from value numbers to value numbers (0: none), an array since numbers are dense.</summary>
    internal sealed class NumberMap
    {
        private int[] values = new int[64];

        public int Get(int number) => number < values.Length ? values[number] : 0;

        public void Set(int number, int renamed)
        {
            if (number >= values.Length) Array.Resize(ref values, Math.Max(number + 1, values.Length * 2));
            values[number] = renamed;
        }
    }

    public NodeSymmetry<TState, TMessage, TTimer, TDurable> Symmetry { get; }

    /// <summary>Every renaming of the group, as given.</summary>
    public Renaming[] Group { get; }

    /// <summary>Each set's nodes in ascending order; the set each node is in (−1: none); its position in that set.</summary>
    private readonly int[][] sets;
    private readonly int[] setOf, positionInSet;

    /// <summary>For a node of a set: the renamings that take it to its set's first node (what a node's signature is seen through).</summary>
    private readonly int[][] towardFirst;

    /// <summary>A renaming's index by the position each set member goes to (3 bits each; the group has at most 720 renamings, so at most 18 members).</summary>
    private readonly Dictionary<long, int> byCode = [];

    /// <summary>Spec variables valued in nodes: their positions among the key's numbers, and the node value 0 stands for.</summary>
    private readonly (int Start, int Count, int FirstNode)[] valued;

    public SymmetryKeys(NodeSymmetry<TState, TMessage, TTimer, TDurable> symmetry, IReadOnlyList<NodePermutation> group, int nodes, Evaluator<TSpecEvent> evaluator)
    {
        Symmetry = symmetry;
        sets = [.. symmetry.Sets.Select(set => set.Order().ToArray())];
        setOf = Enumerable.Repeat(-1, nodes).ToArray();
        positionInSet = new int[nodes];
        for (var s = 0; s < sets.Length; s++)
            for (var k = 0; k < sets[s].Length; k++) (setOf[sets[s][k]], positionInSet[sets[s][k]]) = (s, k);
        var spec = evaluator.Spec;
        var (numberCount, objectCount) = evaluator.KeySize();
        var indexed = symmetry.SpecIndexed.Select(d => (Declared: d, Variable: spec.Variables.Single(v => v.Name == d.Variable))).ToList();
        valued = [.. symmetry.SpecNodeValued.Select(d =>
        {
            var variable = spec.Variables.Single(v => v.Name == d.Variable);
            return (evaluator.KeyPosition(variable).Start, variable.Count, d.FirstNode);
        }).OrderBy(v => v.Start)];
        Group = new Renaming[group.Count];
        for (var r = 0; r < group.Count; r++)
        {
            var π = group[r];
            var numberSource = Enumerable.Range(0, numberCount).ToArray();
            var objectSource = Enumerable.Range(0, objectCount).ToArray();
            // As SpecRenaming moves a family's members: member i goes to member destination(i), so the renamed key's position there reads position i.
            foreach (var (declared, variable) in indexed)
            {
                var (reference, start) = evaluator.KeyPosition(variable);
                var source = reference ? objectSource : numberSource;
                for (var i = 0; i < variable.Count; i++)
                {
                    var node = declared.FirstNode + i / declared.Stride;
                    var destination = node < π.Nodes ? (π[node] - declared.FirstNode) * declared.Stride + i % declared.Stride : i;
                    source[start + destination] = start + i;
                }
            }
            Group[r] = new Renaming(π, numberSource, objectSource);
            byCode.Add(Code(ImageOf(π)), r);
        }
        towardFirst = new int[nodes][];
        for (var node = 0; node < nodes; node++)
            towardFirst[node] = setOf[node] < 0 ? [] : [.. Enumerable.Range(0, Group.Length).Where(r => Group[r].Permutation[node] == sets[setOf[node]][0])];
        var largest = sets.Max(set => set.Length);
        runPermutations = [.. Enumerable.Range(0, largest + 1).Select(size => Permutations(Enumerable.Range(0, size).ToArray()).ToArray())];
        signatures = new long[nodes];
        (seenStates, seenDurables, seenMessages, seenTimers) = (Maps(nodes), Maps(nodes), Maps(nodes), Maps(nodes));
        sortedNodes = [.. sets.Select(set => new int[set.Length])];
        image = Enumerable.Range(0, nodes).ToArray(); // nodes outside the sets stay put
        var members = sets.Sum(set => set.Length);
        (runSet, runStart, runLength, digits) = (new int[members], new int[members], new int[members], new int[members]);
    }

    private static NumberMap[] Maps(int count) => [.. Enumerable.Range(0, count).Select(_ => new NumberMap())];

    private static int[] ImageOf(NodePermutation π) => [.. Enumerable.Range(0, π.Nodes).Select(i => π[i])];

    /// <summary>The set member positions a renaming (node i becomes image[i]) sends each member to, 3 bits a member.</summary>
    private long Code(int[] image)
    {
        long code = 0;
        var shift = 0;
        foreach (var set in sets)
            foreach (var node in set)
            {
                code |= (long)positionInSet[image[node]] << shift;
                shift += 3;
            }
        return code;
    }

    /// <summary>Every order of <paramref name="items"/>.</summary>
    internal static IEnumerable<int[]> Permutations(int[] items)
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

    /// <summary>The group's member that is <paramref name="π"/>.</summary>
    public Renaming Of(NodePermutation π) => Group[byCode[Code(ImageOf(π))]];

    public int SetOf(int node) => setOf[node];

    // The renamed numbers of each kind of value (by its number), computed once per value and renaming.
    public int RenamedState(Renaming renaming, int number, TState? state, ValueNumbering numbering)
    {
        if (number == 0) return 0;
        var renamed = renaming.States.Get(number);
        if (renamed == 0) renaming.States.Set(number, renamed = numbering.Number(Symmetry.State(state!, renaming.Permutation)));
        return renamed;
    }

    public int RenamedDurable(Renaming renaming, int number, TDurable? durable, ValueNumbering numbering)
    {
        if (number == 0) return 0;
        var renamed = renaming.Durables.Get(number);
        if (renamed == 0) renaming.Durables.Set(number, renamed = numbering.Number(Symmetry.Durable(durable!, renaming.Permutation)));
        return renamed;
    }

    public int RenamedMessage(Renaming renaming, int number, TMessage message, ValueNumbering numbering)
    {
        var renamed = renaming.Messages.Get(number);
        if (renamed == 0) renaming.Messages.Set(number, renamed = numbering.Number(Symmetry.Message(message, renaming.Permutation)));
        return renamed;
    }

    /// <summary>The number of a node's armed timers renamed (as the world keeps them: in their text order), from the number of the timers (0: none).</summary>
    public int RenamedTimers(Renaming renaming, int number, TTimer[] timers, ValueNumbering numbering)
    {
        if (number == 0 || Symmetry.Timer is null) return number;
        var renamed = renaming.Timers.Get(number);
        if (renamed == 0)
            renaming.Timers.Set(number, renamed = numbering.Number(ValueArray<TTimer>.From(World<TState, TMessage, TTimer, TDurable, TSpecEvent>.RenamedTimers(timers, renaming.Permutation, Symmetry.Timer))));
        return renamed;
    }

    // A value as node `node` sees it: the least number over the renamings that take that node to its set's first
    // node. σ(node) sees σ(value) as node sees value, so this is unchanged by renaming the world, and finer than the
    // value's orbit (a vote for oneself differs from a vote for another). Remembered per node and value number.
    private readonly NumberMap[] seenStates, seenDurables, seenMessages, seenTimers;

    public int StateSeenBy(int node, int number, TState? state, ValueNumbering numbering)
    {
        if (number == 0) return 0;
        var map = seenStates[node];
        var least = map.Get(number);
        if (least != 0) return least;
        least = int.MaxValue;
        foreach (var r in towardFirst[node]) least = Math.Min(least, RenamedState(Group[r], number, state, numbering));
        map.Set(number, least);
        return least;
    }

    public int DurableSeenBy(int node, int number, TDurable? durable, ValueNumbering numbering)
    {
        if (number == 0) return 0;
        var map = seenDurables[node];
        var least = map.Get(number);
        if (least != 0) return least;
        least = int.MaxValue;
        foreach (var r in towardFirst[node]) least = Math.Min(least, RenamedDurable(Group[r], number, durable, numbering));
        map.Set(number, least);
        return least;
    }

    public int MessageSeenBy(int node, int number, TMessage message, ValueNumbering numbering)
    {
        var map = seenMessages[node];
        var least = map.Get(number);
        if (least != 0) return least;
        least = int.MaxValue;
        foreach (var r in towardFirst[node]) least = Math.Min(least, RenamedMessage(Group[r], number, message, numbering));
        map.Set(number, least);
        return least;
    }

    public int TimersSeenBy(int node, int number, TTimer[] timers, ValueNumbering numbering)
    {
        if (number == 0) return 0;
        var map = seenTimers[node];
        var least = map.Get(number);
        if (least != 0) return least;
        least = int.MaxValue;
        foreach (var r in towardFirst[node]) least = Math.Min(least, RenamedTimers(Group[r], number, timers, numbering));
        map.Set(number, least);
        return least;
    }

    /// <summary>
    /// How node <paramref name="node"/> sees node <paramref name="other"/>, unchanged by renaming both: itself, another
    /// of its set, a member of another set, or a node no renaming moves (by its id).
    /// </summary>
    public long Relation(int node, int other) =>
        other == node ? -1 : setOf[other] < 0 ? other : setOf[other] == setOf[node] ? -2 : -3 - setOf[other];

    /// <summary>The spec key's numbers of <paramref name="renaming"/>'s image: moved, and node values renamed.</summary>
    public int WriteSpecNumbers(Span<byte> key, int at, Renaming renaming, long[] numbers, int count)
    {
        var source = renaming.SpecNumberSource;
        if (valued.Length == 0)
        {
            for (var p = 0; p < count; p++) at = KeyWriter.Put(key, at, numbers[source[p]]);
            return at;
        }
        var v = 0;
        for (var p = 0; p < count; p++)
        {
            while (v < valued.Length && p >= valued[v].Start + valued[v].Count) v++;
            var value = numbers[source[p]];
            if (v < valued.Length && p >= valued[v].Start && value is >= 0 and <= int.MaxValue) value = renaming.Permutation.Relative((int)value, valued[v].FirstNode);
            at = KeyWriter.Put(key, at, value);
        }
        return at;
    }

    // Scratch for one canonical key (a search is single-threaded under symmetry).
    private readonly long[] signatures;
    private readonly int[][] sortedNodes;
    private readonly int[] image;
    private readonly int[][][] runPermutations;
    private readonly List<int> candidates = [];
    private readonly int[] runSet, runStart, runLength, digits;
    private byte[] best = new byte[256];
    private long keysWritten, renamingsTried;

    /// <summary>How many renamings a canonical key took on average (1: no ties among signatures), for the result's bounds.</summary>
    public double RenamingsPerKey => keysWritten == 0 ? 0 : (double)renamingsTried / keysWritten;

    /// <summary>
    /// Writes a canonical key of <paramref name="world"/>'s orbit: the least key over the renamings that sort each
    /// set's nodes by their signatures (every order among equal signatures). σ(world) gives its nodes the signatures
    /// their originals had, so its candidates are these composed with σ⁻¹, which rename it to the same worlds: the
    /// least key is a function of the orbit. It is the key of a member of the orbit, so different orbits never share one.
    /// </summary>
    public void WriteCanonicalKey(World<TState, TMessage, TTimer, TDurable, TSpecEvent> world, ValueNumbering numbering)
    {
        world.NodeSignatures(this, numbering, signatures);
        Candidates();
        keysWritten++;
        renamingsTried += candidates.Count;
        if (candidates.Count == 1)
        {
            world.WritePermutedKey(this, Group[candidates[0]], numbering);
            return;
        }
        var bestLength = -1;
        foreach (var r in candidates)
        {
            world.WritePermutedKey(this, Group[r], numbering);
            var written = numbering.Writer.Written;
            if (bestLength < 0 || written.SequenceCompareTo(best.AsSpan(0, bestLength)) < 0)
            {
                if (best.Length < written.Length) best = new byte[Math.Max(written.Length, best.Length * 2)];
                written.CopyTo(best);
                bestLength = written.Length;
            }
        }
        numbering.Writer.Load(best.AsSpan(0, bestLength));
    }

    /// <summary>The renamings that put each set's nodes in signature order, into <see cref="candidates"/>: every order among ties.</summary>
    private void Candidates()
    {
        candidates.Clear();
        var runCount = 0;
        for (var s = 0; s < sets.Length; s++)
        {
            var set = sets[s];
            var sorted = sortedNodes[s];
            // Insertion sort by signature: sets are small.
            for (var k = 0; k < set.Length; k++)
            {
                var node = set[k];
                var j = k;
                for (; j > 0 && signatures[sorted[j - 1]] > signatures[node]; j--) sorted[j] = sorted[j - 1];
                sorted[j] = node;
            }
            for (var start = 0; start < sorted.Length;)
            {
                var end = start + 1;
                while (end < sorted.Length && signatures[sorted[end]] == signatures[sorted[start]]) end++;
                if (end - start > 1) (runSet[runCount], runStart[runCount], runLength[runCount], digits[runCount++]) = (s, start, end - start, 0);
                start = end;
            }
        }
        // The k-th node of a set in signature order goes to the set's k-th node.
        for (var s = 0; s < sets.Length; s++)
            for (var k = 0; k < sets[s].Length; k++) image[sortedNodes[s][k]] = sets[s][k];
        while (true)
        {
            // Within each run of equal signatures, the order given by the run's current permutation.
            for (var run = 0; run < runCount; run++)
            {
                var (s, start, length) = (runSet[run], runStart[run], runLength[run]);
                var order = runPermutations[length][digits[run]];
                for (var t = 0; t < length; t++) image[sortedNodes[s][start + order[t]]] = sets[s][start + t];
            }
            candidates.Add(byCode[Code(image)]);
            // The next combination of orders among the runs (an odometer).
            var digit = 0;
            while (digit < runCount && ++digits[digit] == runPermutations[runLength[digit]].Length) digits[digit++] = 0;
            if (digit == runCount) return;
        }
    }
}
