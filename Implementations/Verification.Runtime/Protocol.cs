using Verification.Specs;

namespace Verification.Runtime;

/// <summary>
/// A system: N nodes (each given by a factory, so roles may differ), and the spec whose properties its histories must
/// satisfy — what the systematic tester explores, and what a real host can monitor. Nodes feed the spec through <c>effects.Observe(e)</c>; environment events reach it only
/// through <see cref="EnvironmentEvents"/>, when the spec speaks of them.
/// </summary>
/// <param name="Name">The protocol's name, as results and saved schedules show it.</param>
/// <param name="Nodes">N, the number of nodes: n0..n(N−1).</param>
/// <param name="NodeFactory">Makes the node object of each id; called again for replays and for each parallel worker, so it must not share mutable state.</param>
/// <param name="Spec">The spec whose properties every history of the protocol must satisfy.</param>
public sealed record Protocol<TState, TMessage, TTimer, TDurable, TSpecEvent>(
    string Name,
    int Nodes,
    Func<NodeId, INode<TState, TMessage, TTimer, TDurable>> NodeFactory,
    Spec<TSpecEvent> Spec) : IProtocol
    where TState : class where TMessage : notnull where TTimer : notnull where TDurable : class where TSpecEvent : class
{
    private readonly SystemIdentity? identity;
    private readonly object? identityStamp;

    /// <summary>
    /// Set when a registered system builds it: the system and configuration this is. A copy that changes what the
    /// system built (<c>protocol with { Spec = … }</c>, another history check, node factory, normaliser, node count or
    /// name, symmetry) is no longer that system, so its identity is dropped: a schedule it saves does not claim to replay on the
    /// registered configuration.
    /// </summary>
    public SystemIdentity? Identity
    {
        get => identity is not null && Equals(identityStamp, Stamp()) ? identity : null;
        init
        {
            identity = value;
            identityStamp = value is null ? null : Stamp();
        }
    }

    /// <summary>What the identity vouches for, compared by reference (delegates by target and method).</summary>
    private object Stamp() => (Name, Nodes, NodeFactory, Spec, EnvironmentEvents, Normalizer, HistoryCheck, StateMapping, Symmetry, IgnoredForever);

    /// <summary>The assembly of the system definition that built this protocol (so a saved schedule can say where to find it).</summary>
    public System.Reflection.Assembly? DefinedIn { get; init; }

    /// <inheritdoc/>
    public TResult Accept<TResult>(IProtocolVisitor<TResult> visitor) => visitor.Visit(this);

    /// <summary>Maps an environment event to a spec event (null: the spec does not see it).</summary>
    public Func<EnvironmentEvent, TSpecEvent?>? EnvironmentEvents { get; init; }

    /// <summary>
    /// A symmetry of the node code, for searches that compare states: two states that normalise alike behave alike
    /// (e.g. Paxos shifted by a whole number of ballot rounds), so a search treats them as one state and a protocol
    /// whose numbers grow forever can still revisit a state. The spec's values are compared as they are.
    /// </summary>
    public StateNormalizer<TState, TMessage, TDurable>? Normalizer { get; init; }

    /// <summary>
    /// Interchangeable nodes, for exhaustive searches: states equal up to renaming the nodes of a set count as one
    /// (see <see cref="NodeSymmetry{TState, TMessage, TTimer, TDurable}"/> for what soundness requires). Random runs
    /// ignore it.
    /// </summary>
    public NodeSymmetry<TState, TMessage, TTimer, TDurable>? Symmetry { get; init; }

    /// <summary>
    /// Messages a node ignores for ever: true when the addressee, in <c>state</c> and in every state it can reach from
    /// it (by its own steps, crashes and recoveries), handles the message from the sender as a no-op — its state,
    /// persisted state and timers unchanged, nothing sent, nothing observed. Typically a request or reply of a ballot
    /// or term below the node's own, which never decreases.
    /// <para>
    /// Exhaustive depth-first searches then deliver such a message before anything else (a persistent set of one
    /// step: the delivery commutes with every other step, and dropping or copying the message instead leads only to
    /// states the delivery's successor covers), which cuts the interleavings of stale messages with everything else.
    /// Every run checks the declaration where it can: a delivery it declares ignored must change nothing, and after
    /// each later step of that node the last message it ignored must still be declared ignored; either failure is a
    /// model error naming the message and the state. Deciding too little is always sound; deciding too much is not.
    /// </para>
    /// </summary>
    public Func<TState, NodeId, TMessage, bool>? IgnoredForever { get; init; }

    /// <summary>
    /// A property of the whole observed history that is not a state equation (linearizability of the clients' calls
    /// and returns, say): checked when a run ends; a violation is a safety failure named <c>Property</c>.
    /// </summary>
    public HistoryCheck<TSpecEvent>? HistoryCheck { get; init; }

    /// <summary>
    /// How the nodes' states realise the spec's variables (a refinement mapping): checked after every step; a
    /// difference is a safety failure named <c>{variable}=mapping</c>.
    /// </summary>
    public StateMapping<TState, TDurable>? StateMapping { get; init; }
}
