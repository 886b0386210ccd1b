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
