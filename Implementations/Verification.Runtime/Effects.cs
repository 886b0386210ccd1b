namespace Verification.Runtime;

/// <summary>One effect a handler asked for, in the order it asked.</summary>
public abstract record Effect;

/// <summary>Send <paramref name="Message"/> to <paramref name="To"/>: it goes in flight after the handler returns.</summary>
/// <param name="To">The addressee.</param>
/// <param name="Message">The message.</param>
public sealed record Send<TMessage>(NodeId To, TMessage Message) : Effect;

/// <summary>Arm <paramref name="Timer"/>; arming an armed timer leaves it armed once (with the new length).</summary>
/// <param name="Timer">The timer, compared by value.</param>
/// <param name="Length">
/// Ticks of the tester's logical clock until it fires, honoured only under the synchronous timing model
/// (<c>FaultModel.Timing</c>); under the asynchronous model a timer may fire at any later point whatever its length.
/// </param>
public sealed record SetTimer<TTimer>(TTimer Timer, int Length = 1) : Effect;

/// <summary>Disarm <paramref name="Timer"/>, if it is armed.</summary>
/// <param name="Timer">The timer, compared by value.</param>
public sealed record CancelTimer<TTimer>(TTimer Timer) : Effect;

/// <summary>Durably store this state: it is what <see cref="INode{TState, TMessage, TTimer, TDurable}.OnRecover"/> gets after an amnesia crash.</summary>
/// <param name="Durable">The durable state to store, replacing what was stored before.</param>
public sealed record Persist<TDurable>(TDurable Durable) : Effect;

/// <summary>Emit an event of the spec's alphabet into the history σ.</summary>
/// <param name="Event">An event of the protocol's spec alphabet.</param>
public sealed record Observe(object Event) : Effect;

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

    /// <summary>An empty buffer, for the runtime to reset before each handler call.</summary>
    internal Effects() { }

    /// <summary>
    /// A buffer for one handler call of <paramref name="self"/> among <paramref name="nodeCount"/> nodes, made outside the
    /// tester: by a host that runs the node for real, or by a unit test that calls one handler on a hand-built state and
    /// reads <see cref="Items"/>. Random choices come from <paramref name="choices"/> (by default the first option).
    /// </summary>
    public Effects(NodeId self, int nodeCount, IChoiceSource? choices = null)
    {
        if (nodeCount < 1 || self.Index < 0 || self.Index >= nodeCount)
            throw new ArgumentOutOfRangeException(nameof(self), $"node {self} is not one of {nodeCount} nodes");
        Reset(self, nodeCount, choices ?? FirstOption.Instance);
    }

    /// <summary>The sends in this buffer, in order.</summary>
    public IEnumerable<Send<TMessage>> Sent => items.OfType<Send<TMessage>>();

    /// <summary>The spec events observed in this buffer, in order.</summary>
    public IEnumerable<object> Observed => items.OfType<Observe>().Select(observed => observed.Event);

    private sealed class FirstOption : IChoiceSource
    {
        public static readonly FirstOption Instance = new();

        public int Choose(int count) => 0;
    }

    /// <summary>The node handling this call.</summary>
    public NodeId Self { get; private set; }

    /// <summary>How many nodes the system has (ids 0..NodeCount-1).</summary>
    public int NodeCount { get; private set; }

    /// <summary>What the handler asked for so far, in order (the runtime reads it after the call).</summary>
    public IReadOnlyList<Effect> Items => items;

    /// <summary>The same, as a span, for the runtime's loop over them (no interface call per item).</summary>
    internal ReadOnlySpan<Effect> Span => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(items);

    /// <summary>Every other node.</summary>
    public IEnumerable<NodeId> Peers => Enumerable.Range(0, NodeCount).Where(i => i != Self.Index).Select(i => new NodeId(i));

    /// <summary>Sends <paramref name="message"/> to <paramref name="to"/>; a node outside 0..NodeCount−1 throws <see cref="ArgumentOutOfRangeException"/>.</summary>
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

    /// <summary>
    /// Arms (or re-arms) a timer that fires <paramref name="length"/> ticks from now under the synchronous timing model,
    /// where every message is delivered within the model's bound; under the asynchronous model it may fire at any later point.
    /// </summary>
    public void SetTimer(TTimer timer, int length)
    {
        if (length < 1) throw new ArgumentOutOfRangeException(nameof(length), $"{Self} set timer {timer} to fire after {length} ticks; a timer's length is at least 1");
        items.Add(new SetTimer<TTimer>(timer, length));
    }

    /// <summary>Disarms a timer; cancelling one that is not armed does nothing.</summary>
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
