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
