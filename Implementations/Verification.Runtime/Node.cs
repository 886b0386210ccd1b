namespace Verification.Runtime;

/// <summary>A node of a protocol, numbered 0..N-1.</summary>
public readonly record struct NodeId(int Index) : IComparable<NodeId>
{
    public int CompareTo(NodeId other) => Index.CompareTo(other.Index);

    public override string ToString() => $"n{Index}";
}

/// <summary>
/// A protocol node as a deterministic step function over an immutable state (the etcd/raft and Stateright style).
/// Handlers never block, read a clock, use threads or unseeded randomness: they return the next state and write
/// their effects (send, broadcast, timers, persist, observe) into <see cref="Effects{TState, TMessage}"/>, and ask the
/// runtime for any random choice. The same node code runs under the controlled tester and, later, a real host.
/// <para>
/// The contract the tester relies on, and checks (a breach is a counterexample of its own kind, not a wrong verdict):
/// a handler never changes the state, message or persisted state it is given — it builds a new state (records with
/// <c>with</c>, new collections such as <see cref="ValueArray{T}"/>) — because the tester shares states between
/// runs, persisted copies and the branches of an exhaustive search; the node object itself holds no mutable state
/// (only configuration), since parallel workers and replays call it; a handler returns a non-null state, does not
/// loop (a call longer than the step budget is reported as a hang), and depends on nothing but its arguments and
/// the runtime's choices: no clock, no unseeded randomness, no hash codes of strings or objects (they differ between
/// processes), no static mutable fields. Replays compare a fingerprint of every step with the recorded one and say
/// where a node stopped behaving the same.
/// </para>
/// </summary>
/// <typeparam name="TState">Immutable, with value equality (records), so runs can be hashed and replayed.</typeparam>
/// <typeparam name="TMessage">Immutable, with value equality.</typeparam>
public interface INode<TState, TMessage> where TState : class where TMessage : notnull
{
    /// <summary>The node starts (once, before any event).</summary>
    TState Start(Effects<TState, TMessage> effects);

    TState OnMessage(TState state, NodeId from, TMessage message, Effects<TState, TMessage> effects);

    TState OnTimer(TState state, string timer, Effects<TState, TMessage> effects);

    /// <summary>
    /// The node restarts after an amnesia crash: everything it did not persist is gone, <paramref name="persisted"/> is
    /// the last state it persisted (null if it never did), and its timers are cleared.
    /// </summary>
    TState OnRecover(TState? persisted, Effects<TState, TMessage> effects);
}
