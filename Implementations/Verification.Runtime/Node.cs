namespace Verification.Runtime;

/// <summary>A node of a protocol, numbered 0..N-1.</summary>
/// <param name="Index">The node's number, 0..N−1.</param>
public readonly record struct NodeId(int Index) : IComparable<NodeId>
{
    /// <summary>Orders nodes by index.</summary>
    public int CompareTo(NodeId other) => Index.CompareTo(other.Index);

    /// <summary>Whether <paramref name="left"/>'s index is below <paramref name="right"/>'s.</summary>
    public static bool operator <(NodeId left, NodeId right) => left.Index < right.Index;

    /// <summary>Whether <paramref name="left"/>'s index is above <paramref name="right"/>'s.</summary>
    public static bool operator >(NodeId left, NodeId right) => left.Index > right.Index;

    /// <summary>Whether <paramref name="left"/>'s index is at most <paramref name="right"/>'s.</summary>
    public static bool operator <=(NodeId left, NodeId right) => left.Index <= right.Index;

    /// <summary>Whether <paramref name="left"/>'s index is at least <paramref name="right"/>'s.</summary>
    public static bool operator >=(NodeId left, NodeId right) => left.Index >= right.Index;

    /// <summary>The node as reports show it: <c>n0</c>, <c>n1</c>, ….</summary>
    public override string ToString() => $"n{Index}";
}

/// <summary>
/// A protocol node as a deterministic step function over an immutable state (the etcd/raft and Stateright style).
/// Handlers never block, read a clock, use threads or unseeded randomness: they return the next state and write
/// their effects (send, broadcast, timers, persist, observe) into <see cref="Effects{TMessage, TTimer, TDurable}"/>,
/// and ask the runtime for any random choice. The same node code runs under the controlled tester and a real host.
/// <para>
/// The contract the tester relies on, and checks (a breach is a counterexample of its own kind, not a wrong verdict):
/// a handler never changes the state, message or durable state it is given — it builds a new state (records with
/// <c>with</c>, new collections such as <see cref="ValueArray{T}"/>) — because the tester shares states between
/// runs, persisted copies and the branches of an exhaustive search; the node object itself is stateless (only
/// configuration), since parallel workers and replays call it; a handler returns a non-null state, does not loop (a
/// call longer than the step budget is reported as a hang), and depends on nothing but its arguments and the
/// runtime's choices: no clock, no unseeded randomness, no hash codes of strings or objects (they differ between
/// processes), no static mutable fields. Replays compare a fingerprint of every step with the recorded one and say
/// where a node stopped behaving the same.
/// </para>
/// </summary>
/// <typeparam name="TState">The node's whole state. Immutable, with value equality (records), so runs can be hashed and replayed.</typeparam>
/// <typeparam name="TMessage">What nodes send each other. Immutable, with value equality.</typeparam>
/// <typeparam name="TTimer">The node's timers: an enum or records, compared by value.</typeparam>
/// <typeparam name="TDurable">What the node persists and recovers with, declared apart from what a crash forgets (etcd/raft's HardState).</typeparam>
public interface INode<TState, TMessage, TTimer, TDurable> where TState : class where TMessage : notnull where TTimer : notnull where TDurable : class
{
    /// <summary>The node starts (once, before any event).</summary>
    TState Start(Effects<TMessage, TTimer, TDurable> effects);

    /// <summary>
    /// Handles <paramref name="message"/> from <paramref name="from"/> and returns the node's next state. As the fault
    /// model allows, messages arrive out of order (unless channels are FIFO), twice, or not at all.
    /// </summary>
    TState OnMessage(TState state, NodeId from, TMessage message, Effects<TMessage, TTimer, TDurable> effects);

    /// <summary>Handles <paramref name="timer"/> firing and returns the next state; a timer fires once per arming (set it again to repeat).</summary>
    TState OnTimer(TState state, TTimer timer, Effects<TMessage, TTimer, TDurable> effects);

    /// <summary>
    /// The node restarts after a crash that loses its memory: <paramref name="durable"/> is the last durable state it
    /// persisted (null if it never did), and its timers are cleared.
    /// </summary>
    TState OnRecover(TDurable? durable, Effects<TMessage, TTimer, TDurable> effects);

    /// <summary>
    /// The failure detector tells this node that <see cref="DetectorReport.Node"/> is suspected (<see cref="Suspect"/>)
    /// or trusted again (<see cref="Trust"/>). Called only when the test's fault model has a failure-detector oracle
    /// (<c>FaultModel.Detector</c>), which then requires every subscribed node to implement this handler.
    /// </summary>
    TState OnDetector(TState state, DetectorReport report, Effects<TMessage, TTimer, TDurable> effects) => state;
}

/// <summary>What a failure detector tells a node about another one.</summary>
/// <param name="Node">The node the report is about.</param>
public abstract record DetectorReport(NodeId Node);

/// <summary>The failure detector suspects <paramref name="Node"/> has crashed.</summary>
/// <param name="Node">The suspected node.</param>
public sealed record Suspect(NodeId Node) : DetectorReport(Node)
{
    /// <summary>"suspect n2".</summary>
    public override string ToString() => $"suspect {Node}";
}

/// <summary>The failure detector no longer suspects <paramref name="Node"/> (a suspicion withdrawn).</summary>
/// <param name="Node">The node trusted again.</param>
public sealed record Trust(NodeId Node) : DetectorReport(Node)
{
    /// <summary>"trust n2".</summary>
    public override string ToString() => $"trust {Node}";
}

/// <summary>The durable state of a node that persists nothing: a crash that loses its memory restarts it from scratch.</summary>
public sealed record NothingDurable
{
    private NothingDurable() { }
}

/// <summary>The timers of a node that sets none.</summary>
public enum NoTimer { }
