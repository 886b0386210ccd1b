using Verification.Specs;

namespace Verification.Runtime;

/// <summary>
/// A renaming of node ids: node i becomes node <see cref="this[int]"/>; nodes outside the declared sets stay put.
/// What a symmetry's rename functions are given.
/// </summary>
public sealed class NodePermutation
{
    private readonly int[] image;

    /// <param name="image">image[i] is the node i becomes (a permutation of 0..N−1).</param>
    public NodePermutation(IReadOnlyList<int> image)
    {
        this.image = [.. image];
        var seen = new bool[this.image.Length];
        foreach (var target in this.image)
        {
            if (target < 0 || target >= seen.Length || seen[target]) throw new SpecException($"[{string.Join(",", image)}] is not a permutation of the nodes 0..{seen.Length - 1}");
            seen[target] = true;
        }
    }

    /// <summary>How many nodes it renames (all of them, most onto themselves).</summary>
    public int Nodes => image.Length;

    /// <summary>Whether every node stays put.</summary>
    public bool IsIdentity => image.Select((target, i) => target == i).All(same => same);

    /// <summary>The node that node <paramref name="index"/> becomes.</summary>
    public int this[int index] => image[index];

    /// <summary>The node that <paramref name="node"/> becomes.</summary>
    public NodeId this[NodeId node] => new(image[node.Index]);

    /// <summary>
    /// A node index stored relative to <paramref name="firstNode"/> (e.g. acceptor a is node P + a), renamed; a
    /// negative value (the usual "none") or one outside the nodes is returned unchanged.
    /// </summary>
    public int Relative(int value, int firstNode) =>
        value < 0 || firstNode + value >= image.Length ? value : image[firstNode + value] - firstNode;

    /// <summary>A bit set of nodes, bit k standing for node <paramref name="firstNode"/> + k, renamed.</summary>
    public uint Bits(uint mask, int firstNode = 0)
    {
        uint renamed = 0;
        for (var k = 0; k < 32; k++)
            if (((mask >> k) & 1) == 1) renamed |= 1u << Relative(k, firstNode);
        return renamed;
    }

    /// <summary>An array indexed by node (entry k for node <paramref name="firstNode"/> + k), its entries moved to the renamed nodes.</summary>
    public ValueArray<T> Indexed<T>(ValueArray<T> values, int firstNode = 0)
    {
        var moved = new T[values.Length];
        for (var k = 0; k < values.Length; k++) moved[Relative(k, firstNode)] = values[k];
        return ValueArray<T>.From(moved);
    }

    /// <summary>"n2→n3, n3→n2" (the nodes that move).</summary>
    public override string ToString() =>
        IsIdentity ? "identity" : string.Join(", ", image.Select((target, i) => (i, target)).Where(p => p.i != p.target).Select(p => $"n{p.i}→n{p.target}"));
}

/// <summary>
/// A spec family indexed by the nodes of a symmetric set: member i belongs to node <see cref="FirstNode"/> + i / <see cref="Stride"/>
/// (with the rest i mod Stride, e.g. the ballot of <c>votes[a·B + b]</c>, kept), so renaming the nodes moves members.
/// </summary>
/// <param name="Variable">The variable's name in the spec (a sequence family: list both its parts, <c>{name}.Length</c> with stride 1 and <c>{name}</c> with its bound).</param>
/// <param name="FirstNode">The node of member 0 (acceptor 0 of Paxos is node P).</param>
/// <param name="Stride">Members per node.</param>
public sealed record SpecIndexedByNodes(string Variable, int FirstNode = 0, int Stride = 1);

/// <summary>A spec variable whose (number) values are node indices, relative to <see cref="FirstNode"/>; negative values mean none.</summary>
/// <param name="Variable">The variable's name in the spec.</param>
/// <param name="FirstNode">The node that value 0 stands for.</param>
public sealed record SpecNodeValued(string Variable, int FirstNode = 0);

/// <summary>
/// Node-permutation symmetry: sets of interchangeable nodes, and how to rename node ids inside states, messages,
/// timers and durable states, and in the spec's state. An exhaustive search then keys each state by a canonical
/// representative of its orbit (the least key over every permutation of each set), so it visits one state per orbit.
/// <para>
/// Sound only if renaming the nodes of a set maps behaviours onto behaviours: the nodes run the same code and never
/// branch on their own id or another's beyond what the renaming rewrites (no tie-break by id, no id-derived ballot or
/// timeout); the initial state is unchanged by every renaming; the rename functions rewrite every node reference —
/// <see cref="NodeId"/> fields, and also ids stored as plain ints, bit sets and arrays indexed by node, which no
/// generic renamer can recognise (so the functions are the protocol's to write: see <see cref="NodePermutation"/>'s
/// helpers); and every spec variable is declared as indexed by the nodes, valued in them, or neither, with the spec's
/// properties themselves symmetric (majority quorums are; a quorum system naming particular nodes is not).
/// </para>
/// <para>
/// The search refuses a declaration it can see is wrong (nodes of a set with different node types or fault roles,
/// a failure detector that tells some of them and not others, an undeclared spec variable, a renamed initial state
/// that differs), and checks on a sample of transitions that renaming then stepping equals stepping then renaming,
/// reporting the first difference as an unsound declaration.
/// </para>
/// </summary>
/// <param name="Sets">Sets of interchangeable node ids (each at least two nodes, disjoint).</param>
/// <param name="State">A node state with its node references renamed.</param>
/// <param name="Message">A message with its node references renamed (the network renames sender and addressee).</param>
/// <param name="Durable">A durable state with its node references renamed.</param>
public sealed record NodeSymmetry<TState, TMessage, TTimer, TDurable>(
    IReadOnlyList<IReadOnlyList<int>> Sets,
    Func<TState, NodePermutation, TState> State,
    Func<TMessage, NodePermutation, TMessage> Message,
    Func<TDurable, NodePermutation, TDurable> Durable)
    where TState : class where TMessage : notnull where TTimer : notnull where TDurable : class
{
    /// <summary>A timer with its node references renamed; null when timers hold none (an enum, say).</summary>
    public Func<TTimer, NodePermutation, TTimer>? Timer { get; init; }

    /// <summary>The spec's families indexed by nodes of the sets.</summary>
    public IReadOnlyList<SpecIndexedByNodes> SpecIndexed { get; init; } = [];

    /// <summary>The spec's variables whose values are node indices.</summary>
    public IReadOnlyList<SpecNodeValued> SpecNodeValued { get; init; } = [];

    /// <summary>The spec's variables that neither are indexed by nor hold nodes of the sets (each must be named: none is assumed).</summary>
    public IReadOnlyList<string> SpecUnaffected { get; init; } = [];

    /// <summary>How many transitions of a search are checked to commute with the renamings (the first ones, then every 97th); 0 turns the check off.</summary>
    public int CheckedTransitions { get; init; } = 2000;

    /// <summary>"symmetry over {n2,n3,n4}" (and further sets).</summary>
    public string Describe() => "symmetry over " + string.Join(" and ", Sets.Select(set => "{" + string.Join(",", set.Select(n => $"n{n}")) + "}"));
}
