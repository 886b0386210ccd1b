namespace Verification.Runtime;

/// <summary>One effect a handler asked for, in the order it asked.</summary>
public abstract record Effect;

public sealed record Send<TMessage>(NodeId To, TMessage Message) : Effect;

public sealed record SetTimer<TTimer>(TTimer Timer) : Effect;

public sealed record CancelTimer<TTimer>(TTimer Timer) : Effect;

/// <summary>Durably store this state: it is what <see cref="INode{TState, TMessage, TTimer, TDurable}.OnRecover"/> gets after an amnesia crash.</summary>
public sealed record Persist<TDurable>(TDurable Durable) : Effect;

/// <summary>Emit an event of the spec's alphabet into the history σ.</summary>
public sealed record Observe(object Event) : Effect;

/// <summary>Where a nondeterministic value comes from: the controlled runtime's strategy, or a real host's random source.</summary>
public interface IChoiceSource
{
    /// <summary>A value in 0..<paramref name="count"/>-1.</summary>
    int Choose(int count);
}

/// <summary>
/// The effect buffer a handler writes into (Stateright's Out, etcd/raft's Ready). The runtime applies a batch in a
/// fixed order: persists first, then sends, timers and observations, so that a node never sends what it has not made
/// durable when it asked for both (the persist-before-send rule).
/// </summary>
/// <typeparam name="TMessage">What nodes send each other.</typeparam>
/// <typeparam name="TTimer">The node's timers: an enum or a record per protocol, compared by value.</typeparam>
/// <typeparam name="TDurable">What a node persists: its durable state, apart from what a crash forgets.</typeparam>
public sealed class Effects<TMessage, TTimer, TDurable> where TMessage : notnull where TTimer : notnull where TDurable : class
{
    private readonly List<Effect> items = [];
    private IChoiceSource choices = null!;

    /// <summary>The node handling this call.</summary>
    public NodeId Self { get; private set; }

    /// <summary>How many nodes the system has (ids 0..NodeCount-1).</summary>
    public int NodeCount { get; private set; }

    /// <summary>What the handler asked for so far, in order (the runtime reads it after the call).</summary>
    public IReadOnlyList<Effect> Items => items;

    /// <summary>Every other node.</summary>
    public IEnumerable<NodeId> Peers => Enumerable.Range(0, NodeCount).Where(i => i != Self.Index).Select(i => new NodeId(i));

    public void Send(NodeId to, TMessage message)
    {
        if (to.Index < 0 || to.Index >= NodeCount) throw new ArgumentOutOfRangeException(nameof(to), $"{Self} sent to {to}, but nodes are n0..n{NodeCount - 1}");
        items.Add(new Send<TMessage>(to, message));
    }

    /// <summary>Sends to every other node.</summary>
    public void Broadcast(TMessage message)
    {
        for (var i = 0; i < NodeCount; i++)
            if (i != Self.Index) items.Add(new Send<TMessage>(new NodeId(i), message));
    }

    /// <summary>Arms (or re-arms) a timer. Under the controlled runtime it may fire at any later point.</summary>
    public void SetTimer(TTimer timer) => items.Add(new SetTimer<TTimer>(timer));

    public void CancelTimer(TTimer timer) => items.Add(new CancelTimer<TTimer>(timer));

    /// <summary>Makes <paramref name="durable"/> what the node recovers with after a crash that loses its memory.</summary>
    public void Persist(TDurable durable) => items.Add(new Persist<TDurable>(durable));

    /// <summary>Emits an event of the spec's alphabet into the history σ.</summary>
    public void Observe(object specEvent) => items.Add(new Observe(specEvent));

    /// <summary>A random choice in 0..<paramref name="count"/>-1, made by the runtime (recorded and replayable).</summary>
    public int Choose(int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), "a choice needs at least one option");
        return count == 1 ? 0 : choices.Choose(count);
    }

    /// <summary>Prepares the buffer for one handler call of <paramref name="self"/> (the runtime's, not a node's, to call).</summary>
    internal void Reset(NodeId self, int nodeCount, IChoiceSource choiceSource)
    {
        items.Clear();
        Self = self;
        NodeCount = nodeCount;
        choices = choiceSource;
    }
}
