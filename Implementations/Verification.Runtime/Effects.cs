namespace Verification.Runtime;

/// <summary>One effect a handler asked for, in the order it asked.</summary>
public abstract record Effect<TState, TMessage>;

public sealed record Send<TState, TMessage>(NodeId To, TMessage Message) : Effect<TState, TMessage>;

public sealed record SetTimer<TState, TMessage>(string Timer) : Effect<TState, TMessage>;

public sealed record CancelTimer<TState, TMessage>(string Timer) : Effect<TState, TMessage>;

/// <summary>Durably store this state: it is what <see cref="INode{TState, TMessage}.OnRecover"/> gets after an amnesia crash.</summary>
public sealed record Persist<TState, TMessage>(TState State) : Effect<TState, TMessage>;

/// <summary>Emit an event of the spec's alphabet into the history σ.</summary>
public sealed record Observe<TState, TMessage>(object Event) : Effect<TState, TMessage>;

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
public sealed class Effects<TState, TMessage> where TState : class where TMessage : notnull
{
    private readonly List<Effect<TState, TMessage>> items = [];
    private IChoiceSource choices = null!;

    public NodeId Self { get; private set; }

    /// <summary>How many nodes the system has (ids 0..NodeCount-1).</summary>
    public int NodeCount { get; private set; }

    public IReadOnlyList<Effect<TState, TMessage>> Items => items;

    public IEnumerable<NodeId> Peers => Enumerable.Range(0, NodeCount).Where(i => i != Self.Index).Select(i => new NodeId(i));

    public void Send(NodeId to, TMessage message)
    {
        if (to.Index < 0 || to.Index >= NodeCount) throw new ArgumentOutOfRangeException(nameof(to), $"{Self} sent to {to}, but nodes are n0..n{NodeCount - 1}");
        items.Add(new Send<TState, TMessage>(to, message));
    }

    /// <summary>Sends to every other node.</summary>
    public void Broadcast(TMessage message)
    {
        for (var i = 0; i < NodeCount; i++)
            if (i != Self.Index) items.Add(new Send<TState, TMessage>(new NodeId(i), message));
    }

    /// <summary>Arms (or re-arms) a named timer. Under the controlled runtime it may fire at any later point.</summary>
    public void SetTimer(string timer) => items.Add(new SetTimer<TState, TMessage>(timer));

    public void CancelTimer(string timer) => items.Add(new CancelTimer<TState, TMessage>(timer));

    public void Persist(TState state) => items.Add(new Persist<TState, TMessage>(state));

    public void Observe(object specEvent) => items.Add(new Observe<TState, TMessage>(specEvent));

    /// <summary>A random choice in 0..<paramref name="count"/>-1, made by the runtime (recorded and replayable).</summary>
    public int Choose(int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), "a choice needs at least one option");
        return count == 1 ? 0 : choices.Choose(count);
    }

    /// <summary>Prepares the buffer for one handler call of <paramref name="self"/>.</summary>
    public void Reset(NodeId self, int nodeCount, IChoiceSource choiceSource)
    {
        items.Clear();
        Self = self;
        NodeCount = nodeCount;
        choices = choiceSource;
    }
}
