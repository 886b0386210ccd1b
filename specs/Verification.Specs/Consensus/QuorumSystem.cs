using System.Numerics;

namespace Verification.Specs.Consensus;

/// <summary>
/// A quorum system over nodes 0..N−1 (N ≤ 32), as bit sets. Intersection is checked, not assumed:
/// <see cref="FindDisjointQuorums"/> returns a counterexample pair when two quorums share no node.
/// </summary>
[SpecConstant]
public sealed class QuorumSystem
{
    private readonly Func<uint, bool> isQuorum;
    private readonly Func<IReadOnlyList<string>, string> quorumFormula;

    private QuorumSystem(string name, int nodes, Func<uint, bool> isQuorum, Func<IReadOnlyList<string>, string> quorumFormula)
    {
        if (nodes is < 1 or > 32) throw new SpecException($"a quorum system needs 1..32 nodes (got {nodes})");
        Name = name;
        Nodes = nodes;
        this.isQuorum = isQuorum;
        this.quorumFormula = quorumFormula;
    }

    /// <summary>How the system was made, for reports: "majority of 5", "any 2 of 5", "explicit over 4".</summary>
    public string Name { get; }

    /// <summary>N, the number of nodes; the nodes are 0..N−1.</summary>
    public int Nodes { get; }

    /// <summary>Any set of more than half the nodes.</summary>
    public static QuorumSystem Majority(int nodes) =>
        new($"majority of {nodes}", nodes, set => BitOperations.PopCount(set) > nodes / 2, member => $"(> {Count(member)} {nodes / 2})");

    /// <summary>Any set of at least <paramref name="size"/> nodes (⌊N/2⌋ is the planted bug: two quorums can miss each other).</summary>
    public static QuorumSystem AtLeast(int nodes, int size) =>
        new($"any {size} of {nodes}", nodes, set => BitOperations.PopCount(set) >= size, member => $"(>= {Count(member)} {size})");

    /// <summary>
    /// Weighted majority (Gifford's weighted voting): node i has weight wᵢ ≥ 0, and a quorum holds more than half the
    /// total weight. <paramref name="atLeastHalf"/> is the planted bug: exactly half is enough, so two halves can miss each other.
    /// </summary>
    public static QuorumSystem WeightedMajority(IReadOnlyList<int> weights, bool atLeastHalf = false)
    {
        if (weights.Count is < 1 or > 32) throw new SpecException($"a weighted quorum system needs 1..32 weights (got {weights.Count})");
        if (weights.FirstOrDefault(w => w < 0) is var negative && negative < 0) throw new SpecException($"a node's weight cannot be negative (got {negative})");
        var total = weights.Sum();
        var name = $"weighted {(atLeastHalf ? "half (at least)" : "majority")} of [{string.Join(",", weights)}]";
        return new(name, weights.Count, set =>
        {
            var held = 0;
            for (var node = 0; node < weights.Count; node++) held += ((set >> node) & 1) == 1 ? weights[node] : 0;
            return atLeastHalf ? 2 * held >= total : 2 * held > total;
        }, member => $"({(atLeastHalf ? ">=" : ">")} (* 2 (+ 0 {string.Join(" ", member.Select((m, node) => $"(ite {m} {weights[node]} 0)"))})) {total})");
    }

    /// <summary>
    /// The grid (Cheung, Ammar and Ahamad): nodes in <paramref name="rows"/> × <paramref name="columns"/>, node r·columns + c
    /// at row r, column c; a quorum holds a whole row and a whole column, so any two meet where one's row crosses the
    /// other's column. <paramref name="rowsOnly"/> is the planted bug: a whole row is enough, and two rows never meet.
    /// </summary>
    public static QuorumSystem Grid(int rows, int columns, bool rowsOnly = false)
    {
        if (rows < 1 || columns < 1 || rows * columns > 32) throw new SpecException($"a grid needs at least one row and column and at most 32 nodes (got {rows} × {columns})");
        var rowMasks = Enumerable.Range(0, rows).Select(r => Enumerable.Range(0, columns).Aggregate(0u, (mask, c) => mask | (1u << (r * columns + c)))).ToArray();
        var columnMasks = Enumerable.Range(0, columns).Select(c => Enumerable.Range(0, rows).Aggregate(0u, (mask, r) => mask | (1u << (r * columns + c)))).ToArray();
        string AnyWhole(uint[] masks, IReadOnlyList<string> member) =>
            $"(or {string.Join(" ", masks.Select(mask => $"(and {string.Join(" ", Enumerable.Range(0, rows * columns).Where(n => ((mask >> n) & 1) == 1).Select(n => member[n]))})"))})";
        return new($"grid {rows}×{columns}{(rowsOnly ? ", a row alone" : "")}", rows * columns,
            set => rowMasks.Any(row => (set & row) == row) && (rowsOnly || columnMasks.Any(column => (set & column) == column)),
            member => rowsOnly ? AnyWhole(rowMasks, member) : $"(and {AnyWhole(rowMasks, member)} {AnyWhole(columnMasks, member)})");
    }

    /// <summary>
    /// Flexible Paxos's two quorum systems over <paramref name="nodes"/>: phase 1 (promises) any <paramref name="phase1"/>
    /// nodes, phase 2 (votes) any <paramref name="phase2"/>. Safety needs every phase-1 quorum to meet every phase-2 one,
    /// |Q1| + |Q2| &gt; N; phase-2 quorums need not meet each other.
    /// </summary>
    public static (QuorumSystem Phase1, QuorumSystem Phase2) FlexiblePaxos(int nodes, int phase1, int phase2) =>
        (AtLeast(nodes, phase1), AtLeast(nodes, phase2));

    /// <summary>An explicit system: a set is a quorum when it contains one of the given sets.</summary>
    public static QuorumSystem Explicit(int nodes, IEnumerable<IEnumerable<int>> quorums)
    {
        var masks = quorums.Select(q => q.Aggregate(0u, (mask, node) =>
            node >= 0 && node < nodes ? mask | (1u << node) : throw new SpecException($"quorum member {node} is not a node (0..{nodes - 1})"))).ToArray();
        if (masks.Length == 0) throw new SpecException("an explicit quorum system needs at least one quorum");
        return new QuorumSystem($"explicit over {nodes}", nodes, set => masks.Any(m => (set & m) == m),
            member => $"(or {string.Join(" ", masks.Select(mask => $"(and true {string.Join(" ", Enumerable.Range(0, nodes).Where(n => ((mask >> n) & 1) == 1).Select(n => member[n]))})"))})");
    }

    /// <summary>
    /// "This set is a quorum" as an SMT-LIB2 formula over N Boolean terms, term i true when node i is in the set; it
    /// agrees with <see cref="IsQuorum(uint)"/> on every set (the quorum tests check this against enumeration).
    /// </summary>
    public string QuorumFormula(IReadOnlyList<string> member)
    {
        if (member.Count != Nodes) throw new SpecException($"{Name}: a quorum formula needs one term per node ({Nodes}), got {member.Count}");
        return quorumFormula(member);
    }

    private static string Count(IReadOnlyList<string> member) => $"(+ 0 {string.Join(" ", member.Select(m => $"(ite {m} 1 0)"))})";

    /// <summary>Whether the nodes <paramref name="members"/> (each 0..N−1) form a quorum.</summary>
    public bool IsQuorum(IEnumerable<int> members) => isQuorum(members.Aggregate(0u, (mask, node) =>
        node >= 0 && node < Nodes ? mask | (1u << node) : throw new SpecException($"{node} is not a node (0..{Nodes - 1})")));

    /// <summary>Whether the node set <paramref name="members"/> (bit i set for node i) is a quorum.</summary>
    public bool IsQuorum(uint members) => isQuorum(members);

    /// <summary>Two quorums with no common node, or null when every two quorums intersect (checked over all subsets; N ≤ 20).</summary>
    public (uint First, uint Second)? FindDisjointQuorums()
    {
        if (Nodes > 20) throw new SpecException($"checking intersection enumerates 2^N subsets; {Nodes} nodes is too many");
        var all = (1u << Nodes) - 1;
        for (var first = 1u; first <= all; first++)
        {
            if (!isQuorum(first)) continue;
            // A disjoint quorum exists iff the complement of `first` contains one; quorum systems here are upward closed.
            var complement = all & ~first;
            if (complement != 0 && isQuorum(complement)) return (first, complement);
        }
        return null;
    }

    /// <summary>
    /// The quorums no proper subset of which is a quorum, in increasing order of their bit sets (N ≤ 20). Specs
    /// quantify over these: "some quorum" and "every quorum" are decided by the minimal ones, quorums being upward closed.
    /// </summary>
    public IReadOnlyList<uint> MinimalQuorums => minimalQuorums ??= EnumerateMinimalQuorums();

    private IReadOnlyList<uint>? minimalQuorums;

    /// <summary>Whether <paramref name="node"/> belongs to the minimal quorum number <paramref name="quorum"/> (folds to a constant in a spec).</summary>
    public bool IsMember(int quorum, int node) => ((MinimalQuorums[quorum] >> node) & 1) == 1;

    private List<uint> EnumerateMinimalQuorums()
    {
        if (Nodes > 20) throw new SpecException($"enumerating quorums visits 2^N subsets; {Nodes} nodes is too many");
        var all = (1u << Nodes) - 1;
        var minimal = new List<uint>();
        for (var set = 1u; set <= all; set++)
        {
            if (!isQuorum(set)) continue;
            var hasSmaller = false;
            for (var node = 0; node < Nodes && !hasSmaller; node++)
                hasSmaller = ((set >> node) & 1) == 1 && isQuorum(set & ~(1u << node));
            if (!hasSmaller) minimal.Add(set);
        }
        return minimal;
    }

    /// <summary>A node set as reports show it: bit set 0b1101 is <c>{0,2,3}</c>.</summary>
    public static string Describe(uint set) => "{" + string.Join(",", Enumerable.Range(0, 32).Where(i => ((set >> i) & 1) == 1)) + "}";
}
