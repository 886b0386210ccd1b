using Verification.Specs;

namespace Verification.Runtime;

/// <summary>How a crashed node behaves (the seed's taxonomy of crash failures).</summary>
public enum CrashKind
{
    /// <summary>Halting: the node never returns.</summary>
    Stop,

    /// <summary>Crash-recover with amnesia: it returns with only what it persisted; timers are lost.</summary>
    Amnesia,

    /// <summary>Pause: it stops for a while and resumes with its whole state.</summary>
    Pause,
}


/// <summary>What the environment did, as an event of the history σ (mapped into a spec's alphabet when the spec wants it).</summary>
public abstract record EnvironmentEvent;

public sealed record MessageSent(NodeId From, NodeId To, object Message) : EnvironmentEvent;

public sealed record MessageDelivered(NodeId From, NodeId To, object Message) : EnvironmentEvent;

public sealed record MessageDropped(NodeId From, NodeId To, object Message) : EnvironmentEvent;

public sealed record MessageDuplicated(NodeId From, NodeId To, object Message) : EnvironmentEvent;

public sealed record TimerFired(NodeId Node, object Timer) : EnvironmentEvent;

public sealed record NodeCrashed(NodeId Node, CrashKind Kind) : EnvironmentEvent;

public sealed record NodeRecovered(NodeId Node) : EnvironmentEvent;

public sealed record NetworkPartitioned(string Groups) : EnvironmentEvent;

public sealed record NetworkHealed : EnvironmentEvent;

/// <summary>
/// A system: N nodes (each given by a factory, so roles may differ), and the spec whose properties its histories must
/// satisfy — what the systematic tester explores, and what a real host can monitor. Nodes feed the spec through <c>effects.Observe(e)</c>; environment events reach it only
/// through <see cref="EnvironmentEvents"/>, when the spec speaks of them.
/// </summary>
public sealed record Protocol<TState, TMessage, TTimer, TDurable, TSpecEvent>(
    string Name,
    int Nodes,
    Func<NodeId, INode<TState, TMessage, TTimer, TDurable>> NodeFactory,
    Spec<TSpecEvent> Spec) : IProtocol
    where TState : class where TMessage : notnull where TTimer : notnull where TDurable : class where TSpecEvent : class
{
    /// <summary>Set when a registered system builds it: the system and configuration this is.</summary>
    public SystemIdentity? Identity { get; init; }

    /// <summary>The assembly of the system definition that built this protocol (so a saved schedule can say where to find it).</summary>
    public System.Reflection.Assembly? DefinedIn { get; init; }

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
    /// A property of the whole observed history that is not a state equation (linearizability of the clients' calls
    /// and returns, say): checked when a run ends; a violation is a safety failure named <c>Property</c>.
    /// </summary>
    public HistoryCheck<TSpecEvent>? HistoryCheck { get; init; }
}

/// <summary>A check over a run's observed events; <see cref="Violation"/> returns why it fails, or null.</summary>
public sealed record HistoryCheck<TSpecEvent>(string Property, Func<IReadOnlyList<TSpecEvent>, string?> Violation);

/// <summary>
/// A shift symmetry: <see cref="Offset"/> picks how far the whole system can be shifted (0: not at all), from the
/// node states, durable states and messages; <see cref="State"/>, <see cref="Durable"/> and <see cref="Message"/>
/// shift one of each by it. Sound only when shifting every state, durable state and message by the same offset maps
/// behaviours onto behaviours.
/// </summary>
public sealed record StateNormalizer<TState, TMessage, TDurable>(
    Func<IEnumerable<TState>, IEnumerable<TDurable>, IEnumerable<TMessage>, int> Offset,
    Func<TState, int, TState> State,
    Func<TDurable, int, TDurable> Durable,
    Func<TMessage, int, TMessage> Message);
