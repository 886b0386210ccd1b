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

    private QuorumSystem(string name, int nodes, Func<uint, bool> isQuorum)
    {
        if (nodes is < 1 or > 32) throw new SpecException($"a quorum system needs 1..32 nodes (got {nodes})");
        Name = name;
        Nodes = nodes;
        this.isQuorum = isQuorum;
    }

    /// <summary>How the system was made, for reports: "majority of 5", "any 2 of 5", "explicit over 4".</summary>
    public string Name { get; }

    /// <summary>N, the number of nodes; the nodes are 0..N−1.</summary>
    public int Nodes { get; }

    /// <summary>Any set of more than half the nodes.</summary>
    public static QuorumSystem Majority(int nodes) => new($"majority of {nodes}", nodes, set => BitOperations.PopCount(set) > nodes / 2);

    /// <summary>Any set of at least <paramref name="size"/> nodes (⌊N/2⌋ is the planted bug: two quorums can miss each other).</summary>
    public static QuorumSystem AtLeast(int nodes, int size) => new($"any {size} of {nodes}", nodes, set => BitOperations.PopCount(set) >= size);

    /// <summary>An explicit system: a set is a quorum when it contains one of the given sets.</summary>
    public static QuorumSystem Explicit(int nodes, IEnumerable<IEnumerable<int>> quorums)
    {
        var masks = quorums.Select(q => q.Aggregate(0u, (mask, node) =>
            node >= 0 && node < nodes ? mask | (1u << node) : throw new SpecException($"quorum member {node} is not a node (0..{nodes - 1})"))).ToArray();
        if (masks.Length == 0) throw new SpecException("an explicit quorum system needs at least one quorum");
        return new QuorumSystem($"explicit over {nodes}", nodes, set => masks.Any(m => (set & m) == m));
    }

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
