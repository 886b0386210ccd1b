using Verification.Runtime;

namespace Verification.Protocols.FailureDetectors;

// ---- What the three detectors send each other, and their timers (one alphabet, so one system holds all three). ----

public abstract record DetectorMessage;

/// <summary>Heartbeat: "I am alive", sent to every other node every period.</summary>
public sealed record Heartbeat : DetectorMessage;

/// <summary>Ping-ack: the monitor's ping of round <paramref name="Round"/> (mod 2, so a late ack of the previous round is not taken for this one).</summary>
public sealed record Ping(int Round) : DetectorMessage;

/// <summary>Ping-ack: a member's answer to the ping of <paramref name="Round"/>.</summary>
public sealed record Ack(int Round) : DetectorMessage;

/// <summary>What SWIM members know of a member: alive, suspected or confirmed failed, at an incarnation the member itself raises to refute a suspicion.</summary>
public enum MemberStatus { Alive, Suspect, Failed }

/// <summary>SWIM: one membership update, as gossip piggybacked on probes and acks carries it.</summary>
public sealed record MemberUpdate(int Member, MemberStatus Status, int Incarnation)
{
    public override string ToString() => $"{Status.ToString().ToLowerInvariant()} n{Member}@{Incarnation}";
}

/// <summary>
/// SWIM: a probe of <paramref name="Target"/> on behalf of <paramref name="Origin"/> (the prober itself, or a member
/// that asked the sender to probe indirectly), with gossip.
/// </summary>
public sealed record SwimPing(int Origin, int Target, ValueArray<MemberUpdate> Gossip) : DetectorMessage;

/// <summary>SWIM: <paramref name="Target"/> answers a probe for <paramref name="Origin"/>; a relay forwards it to the origin.</summary>
public sealed record SwimAck(int Origin, int Target, ValueArray<MemberUpdate> Gossip) : DetectorMessage;

/// <summary>SWIM: "probe <paramref name="Target"/> for me" — the indirect probe after a missing direct ack.</summary>
public sealed record PingRequest(int Target, ValueArray<MemberUpdate> Gossip) : DetectorMessage;

/// <summary>The detectors' timers.</summary>
public enum DetectorTimerKind
{
    /// <summary>Heartbeat: time to send the next heartbeat.</summary>
    Beat,

    /// <summary>Heartbeat: no heartbeat from <see cref="DetectorTimer.Node"/> for a whole timeout.</summary>
    Silence,

    /// <summary>Ping-ack: time to ping every member again.</summary>
    Probe,

    /// <summary>Ping-ack: <see cref="DetectorTimer.Node"/> did not ack the last ping in time.</summary>
    AckDeadline,

    /// <summary>SWIM: the next protocol period (probe the next member).</summary>
    Period,

    /// <summary>SWIM: the direct ack is late; probe indirectly.</summary>
    DirectAck,

    /// <summary>SWIM: the indirect acks are late too; suspect the target.</summary>
    IndirectAck,

    /// <summary>SWIM: <see cref="DetectorTimer.Node"/> stayed suspected a whole suspicion timeout: declare it failed.</summary>
    Suspicion,
}

/// <summary>A timer, about a node where the kind says so (−1 otherwise).</summary>
public sealed record DetectorTimer(DetectorTimerKind Kind, int Node = -1)
{
    public override string ToString() => Node < 0 ? Kind.ToString() : $"{Kind}(n{Node})";
}
