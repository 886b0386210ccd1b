using Verification.Specs;
using Verification.Specs.FailureDetection;

namespace Verification.Protocols.FailureDetectors;

/// <summary>Which detector the nodes run.</summary>
public enum DetectorKind
{
    /// <summary>Every node sends a heartbeat to every other node each period and suspects one it has not heard from for a timeout.</summary>
    Heartbeat,

    /// <summary>One monitor (n0) pings the members each period and suspects a member whose ack is late.</summary>
    PingAck,

    /// <summary>SWIM: probes, indirect probes, suspicion with a timeout, incarnations, gossip piggybacked on probes.</summary>
    Swim,
}

/// <summary>Planted bugs, each switched on by configuration.</summary>
[Flags]
public enum DetectorBug
{
    None = 0,

    /// <summary>Heartbeat: the silence timeout is one tick shorter than the period (instead of longer than period + delay).</summary>
    TimeoutShorterThanPeriod = 1,

    /// <summary>Heartbeat (adaptive, ◇P): a heartbeat from a suspected node raises the timeout but the suspicion is never withdrawn.</summary>
    NeverTrustsAgain = 2,

    /// <summary>
    /// SWIM: no incarnation numbers — a suspected member's refutation ("alive") is no newer than the suspicion it
    /// answers, so under SWIM's rule (suspect beats alive at the same incarnation) the suspicion gossip still going
    /// round overrides it, and the live member is declared failed.
    /// </summary>
    NoIncarnations = 4,
}

/// <summary>
/// A failure detector over <see cref="Nodes"/> nodes, checked against the detector class named <see cref="Promises"/>
/// (P, ◇P, S, ◇S, Q, W, ◇W). Lengths are in ticks of the tester's logical clock; they assume messages take at most one
/// tick (<c>FaultModel.MaxMessageDelay = 1</c>, the default).
/// </summary>
public sealed record DetectorConfig(DetectorKind Kind, int Nodes = 3, string Promises = "P", DetectorBug Bugs = DetectorBug.None)
{
    /// <summary>Heartbeat: ticks between heartbeats. Ping-ack: ticks between pings. SWIM: the protocol period (one probe each).</summary>
    public int Period { get; init; } = 2;

    /// <summary>
    /// Heartbeat: ticks of silence before a suspicion (accurate under synchrony when above period + delay). Ping-ack:
    /// ticks to wait for an ack (accurate when above two delays, and below the period so each round's deadline fires).
    /// </summary>
    public int Timeout { get; init; } = 4;

    /// <summary>Heartbeat: a heartbeat from a suspected node raises the monitor's timeout for it by one tick (◇P: wrong only until the timeout has grown past period + delay).</summary>
    public bool AdaptiveTimeout { get; init; }

    /// <summary>SWIM: members asked to probe indirectly after a missing direct ack (k).</summary>
    public int IndirectProbes { get; init; } = 1;

    /// <summary>SWIM: ticks to wait for the direct ack (a round trip: two delays, plus one).</summary>
    public int DirectAckTimeout { get; init; } = 3;

    /// <summary>SWIM: further ticks to wait for an indirect ack (four delays: request, ping, ack, forwarded ack; plus one).</summary>
    public int IndirectAckTimeout { get; init; } = 5;

    /// <summary>SWIM: ticks a member stays suspected before it is declared failed (time for its refutation to spread).</summary>
    public int SuspicionTimeout { get; init; } = 45;

    /// <summary>SWIM: how many messages carry each membership update (SWIM's λ·log n), piggybacked.</summary>
    public int GossipTransmissions { get; init; } = 3;

    public bool Has(DetectorBug bug) => (Bugs & bug) != 0;

    /// <summary>The class the spec checks; an unknown name is an error listing the known ones.</summary>
    public DetectorClass PromisedClass =>
        DetectorClass.All.FirstOrDefault(c => c.Name == Promises)
        ?? throw new SpecException($"failure detector config: no detector class '{Promises}' (known: {string.Join(", ", DetectorClass.All.Select(c => c.Name))})");

    /// <summary>Checks the lengths; a bad one throws <see cref="SpecException"/> naming it.</summary>
    public void Validate()
    {
        if (Nodes < 2 || Nodes > 62) throw new SpecException($"failure detector config: Nodes must be 2..62 (got {Nodes})");
        if (Period < 2) throw new SpecException($"failure detector config: Period must be at least 2 ticks (got {Period})");
        if (Timeout < 1) throw new SpecException($"failure detector config: Timeout must be at least 1 tick (got {Timeout})");
        if (Kind == DetectorKind.PingAck && Timeout >= Period)
            throw new SpecException($"failure detector config: ping-ack's Timeout ({Timeout}) must be below its Period ({Period}), so each round's deadline fires before the next ping re-arms it");
        if (Kind == DetectorKind.Swim)
        {
            if (Nodes < 3) throw new SpecException($"failure detector config: SWIM needs at least 3 members (got {Nodes})");
            if (IndirectProbes < 0 || IndirectProbes > Nodes - 2) throw new SpecException($"failure detector config: IndirectProbes must be 0..{Nodes - 2} (got {IndirectProbes})");
            if (DirectAckTimeout < 1 || IndirectAckTimeout < 1 || SuspicionTimeout < 1 || GossipTransmissions < 1)
                throw new SpecException("failure detector config: SWIM's timeouts and GossipTransmissions must be at least 1");
            if (DirectAckTimeout + IndirectAckTimeout >= Period)
                throw new SpecException($"failure detector config: SWIM's Period ({Period}) must exceed DirectAckTimeout + IndirectAckTimeout ({DirectAckTimeout + IndirectAckTimeout}), so a probe ends before the next one starts");
        }
    }
}
