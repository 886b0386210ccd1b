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

/// <summary>A message a handler sent entered the network (after the handler returned, in the order it sent).</summary>
/// <param name="From">The sender.</param>
/// <param name="To">The addressee.</param>
/// <param name="Message">The message, of the protocol's message type.</param>
public sealed record MessageSent(NodeId From, NodeId To, object Message) : EnvironmentEvent;

/// <summary>The network delivered an in-flight message; the addressee's <c>OnMessage</c> runs next.</summary>
/// <param name="From">The sender.</param>
/// <param name="To">The addressee.</param>
/// <param name="Message">The message, of the protocol's message type.</param>
public sealed record MessageDelivered(NodeId From, NodeId To, object Message) : EnvironmentEvent;

/// <summary>The network lost an in-flight message (a fault, within the fault model's losses).</summary>
/// <param name="From">The sender.</param>
/// <param name="To">The addressee, which will never get this copy.</param>
/// <param name="Message">The message, of the protocol's message type.</param>
public sealed record MessageDropped(NodeId From, NodeId To, object Message) : EnvironmentEvent;

/// <summary>The network made a second copy of an in-flight message (a fault); either copy may be delivered, dropped or copied again.</summary>
/// <param name="From">The sender.</param>
/// <param name="To">The addressee.</param>
/// <param name="Message">The message, of the protocol's message type.</param>
public sealed record MessageDuplicated(NodeId From, NodeId To, object Message) : EnvironmentEvent;

/// <summary>An armed timer of <paramref name="Node"/> fired (and is no longer armed); the node's <c>OnTimer</c> runs next.</summary>
/// <param name="Node">The node whose timer fired.</param>
/// <param name="Timer">The timer, of the protocol's timer type.</param>
public sealed record TimerFired(NodeId Node, object Timer) : EnvironmentEvent;

/// <summary><paramref name="Node"/> crashed; <paramref name="Kind"/> says whether and how it can come back.</summary>
/// <param name="Node">The node that crashed.</param>
/// <param name="Kind">Halting, crash-recover with amnesia, or a pause.</param>
public sealed record NodeCrashed(NodeId Node, CrashKind Kind) : EnvironmentEvent;

/// <summary><paramref name="Node"/> came back from an amnesia crash (through <c>OnRecover</c>) or from a pause (with its state).</summary>
/// <param name="Node">The node that came back.</param>
public sealed record NodeRecovered(NodeId Node) : EnvironmentEvent;

/// <summary>The network split in two: messages between the sides are not delivered until it heals.</summary>
/// <param name="Groups">The two sides, e.g. <c>{n0,n1} | {n2}</c>.</param>
public sealed record NetworkPartitioned(string Groups) : EnvironmentEvent;

/// <summary>The partition ended: every node can reach every other again.</summary>
public sealed record NetworkHealed : EnvironmentEvent;

/// <summary>The failure-detector oracle told <paramref name="To"/> a <paramref name="Report"/>; its <c>OnDetector</c> runs next.</summary>
/// <param name="To">The subscriber told.</param>
/// <param name="Report">Suspect or trust, and of which node.</param>
/// <param name="Accurate">Whether the report matches the truth when made: a suspected node is down, a trusted node is up.</param>
public sealed record DetectorReported(NodeId To, DetectorReport Report, bool Accurate) : EnvironmentEvent;

/// <summary>The failure detector's stabilisation point (◇ classes): from here on it makes no new mistakes.</summary>
public sealed record DetectorStabilized : EnvironmentEvent;
