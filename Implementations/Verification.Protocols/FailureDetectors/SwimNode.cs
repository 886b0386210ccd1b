using Verification.Runtime;
using Verification.Specs.FailureDetection;

namespace Verification.Protocols.FailureDetectors;

/// <summary>What a SWIM member believes of one member.</summary>
public sealed record MemberView(MemberStatus Status, int Incarnation)
{
    public override string ToString() => $"{Status.ToString().ToLowerInvariant()}@{Incarnation}";
}

/// <summary>An update still to be piggybacked on <see cref="Left"/> more messages.</summary>
public sealed record PendingGossip(MemberUpdate Update, int Left)
{
    public override string ToString() => $"{Update}×{Left}";
}

/// <summary>
/// A SWIM member: its view of every member (its own entry holds its incarnation), the updates it still gossips, the
/// member it is probing this period (−1: none, or already answered) and where its round-robin probe order is.
/// </summary>
public sealed record SwimState(ValueArray<MemberView> View, ValueArray<PendingGossip> Gossip, int Target, int Cursor) : DetectorState;

/// <summary>
/// SWIM (Das, Gupta and Motivala, 2002), deterministic: each protocol period a member probes the next member in
/// round-robin order; without a direct ack in time it asks <c>IndirectProbes</c> other members to probe the target
/// for it; without any ack by the end it suspects the target, and a member suspected for <c>SuspicionTimeout</c> ticks
/// is declared failed. A suspected member that hears of the suspicion refutes it by raising its incarnation: "alive
/// at incarnation i" overrides "suspect at a lower incarnation", and "suspect at i" overrides "alive at i". Every
/// change a member makes to its view is gossiped, piggybacked on its next <c>GossipTransmissions</c> pings, ping
/// requests and acks. Two details of later SWIM implementations make a refutation arrive in bounded time, which
/// strong accuracy under synchrony needs (the paper's guarantee is probabilistic): a message to a suspected member
/// always tells it of the suspicion (Lifeguard's buddy system), and a member told of a suspicion older than its
/// incarnation announces that incarnation again. The spec sees a member declared failed as <see cref="Suspected"/>
/// (a suspicion before it is SWIM's internal state); failed is final.
/// <para>
/// Why the lengths suffice under synchrony (delay ≤ 1 tick, period 9, suspicion timeout 45 = 5 periods): a member
/// probes each other member at least every 2 periods (round robin over 2 others), and a probe and its ack take ≤ 2
/// ticks, so a member that suspects a live one hears the refutation within 2 periods + 2 ticks; a false suspicion
/// needs a lost direct probe and either a lost indirect one or a crashed helper, so at most one loss is left to cost
/// another 2 periods: ≤ 38 ticks &lt; 45.
/// </para>
/// </summary>
public sealed class SwimNode(DetectorConfig config) : INode<DetectorState, DetectorMessage, DetectorTimer, NothingDurable>
{
    private static readonly DetectorTimer PeriodTimer = new(DetectorTimerKind.Period);
    private static readonly DetectorTimer DirectAckTimer = new(DetectorTimerKind.DirectAck);
    private static readonly DetectorTimer IndirectAckTimer = new(DetectorTimerKind.IndirectAck);

    public DetectorState Start(Effects<DetectorMessage, DetectorTimer, NothingDurable> effects)
    {
        effects.SetTimer(PeriodTimer, config.Period);
        return new SwimState(ValueArray<MemberView>.Filled(effects.NodeCount, new MemberView(MemberStatus.Alive, 0)), ValueArray<PendingGossip>.Empty, -1, effects.Self.Index);
    }

    public DetectorState OnMessage(DetectorState state, NodeId from, DetectorMessage message, Effects<DetectorMessage, DetectorTimer, NothingDurable> effects)
    {
        if (state is not SwimState member) return state;
        var self = effects.Self.Index;
        switch (message)
        {
            case SwimPing ping:
                member = Merge(member, ping.Gossip, effects);
                (member, var gossip) = Piggyback(member, from.Index);
                effects.Send(from, new SwimAck(ping.Origin, self, gossip));
                return member;
            case SwimAck ack:
                member = Merge(member, ack.Gossip, effects);
                if (ack.Origin != self)
                {
                    // A relay: pass the answer on to the member that asked for the indirect probe.
                    (member, var relayed) = Piggyback(member, ack.Origin);
                    effects.Send(new NodeId(ack.Origin), new SwimAck(ack.Origin, ack.Target, relayed));
                    return member;
                }
                if (ack.Target != member.Target) return member; // a late or repeated answer to an earlier probe
                effects.CancelTimer(DirectAckTimer);
                effects.CancelTimer(IndirectAckTimer);
                return member with { Target = -1 };
            case PingRequest request:
                member = Merge(member, request.Gossip, effects);
                (member, var forwarded) = Piggyback(member, request.Target);
                effects.Send(new NodeId(request.Target), new SwimPing(from.Index, request.Target, forwarded));
                return member;
            default:
                return member;
        }
    }

    public DetectorState OnTimer(DetectorState state, DetectorTimer timer, Effects<DetectorMessage, DetectorTimer, NothingDurable> effects)
    {
        if (state is not SwimState member) return state;
        var self = effects.Self.Index;
        switch (timer.Kind)
        {
            case DetectorTimerKind.Period:
            {
                effects.SetTimer(PeriodTimer, config.Period);
                effects.CancelTimer(DirectAckTimer); // an unanswered earlier probe (possible only without synchrony) is abandoned
                effects.CancelTimer(IndirectAckTimer);
                var target = NextTarget(member, self, member.Cursor);
                if (target < 0) return member with { Target = -1 };
                (member, var gossip) = Piggyback(member with { Target = target, Cursor = target }, target);
                effects.Send(new NodeId(target), new SwimPing(self, target, gossip));
                effects.SetTimer(DirectAckTimer, config.DirectAckTimeout);
                return member;
            }
            case DetectorTimerKind.DirectAck when member.Target >= 0:
            {
                // Ask k other members, the next ones after the target in ring order, to probe it.
                var helpers = 0;
                for (var step = 1; step < effects.NodeCount && helpers < config.IndirectProbes; step++)
                {
                    var helper = (member.Target + step) % effects.NodeCount;
                    if (helper == self || member.View[helper].Status == MemberStatus.Failed) continue;
                    (member, var gossip) = Piggyback(member, helper);
                    effects.Send(new NodeId(helper), new PingRequest(member.Target, gossip));
                    helpers++;
                }
                effects.SetTimer(IndirectAckTimer, config.IndirectAckTimeout);
                return member;
            }
            case DetectorTimerKind.IndirectAck when member.Target >= 0:
            {
                var target = member.Target;
                member = member with { Target = -1 };
                var known = member.View[target];
                return known.Status == MemberStatus.Alive ? Apply(member, new MemberUpdate(target, MemberStatus.Suspect, known.Incarnation), effects) : member;
            }
            case DetectorTimerKind.Suspicion when member.View[timer.Node].Status == MemberStatus.Suspect:
                return Apply(member, new MemberUpdate(timer.Node, MemberStatus.Failed, member.View[timer.Node].Incarnation), effects);
            default:
                return member;
        }
    }

    /// <summary>The next member after <paramref name="cursor"/> in ring order that is neither this one nor declared failed (−1: none).</summary>
    private static int NextTarget(SwimState member, int self, int cursor)
    {
        var count = member.View.Length;
        for (var step = 1; step <= count; step++)
        {
            var candidate = (cursor + step) % count;
            if (candidate != self && member.View[candidate].Status != MemberStatus.Failed) return candidate;
        }
        return -1;
    }

    private SwimState Merge(SwimState member, ValueArray<MemberUpdate> gossip, Effects<DetectorMessage, DetectorTimer, NothingDurable> effects)
    {
        foreach (var update in gossip.AsEnumerable()) member = Apply(member, update, effects);
        return member;
    }

    /// <summary>Applies one update if it overrides what the member knows; a change is gossiped on, and timed or observed as it needs.</summary>
    private SwimState Apply(SwimState member, MemberUpdate update, Effects<DetectorMessage, DetectorTimer, NothingDurable> effects)
    {
        var self = effects.Self.Index;
        var noIncarnations = config.Has(DetectorBug.NoIncarnations);
        if (update.Member == self)
        {
            // Suspected (or worse): refute by raising the incarnation past the suspicion's. A suspicion older than the
            // current incarnation means someone missed the refutation: it is announced again. Without incarnations (the
            // planted bug) the refutation is a plain "alive", no newer than the suspicion it answers, so SWIM's rule
            // (suspect beats alive at the same incarnation) keeps the suspicion wherever it has spread.
            var own = member.View[self];
            if (update.Status == MemberStatus.Alive) return member;
            var refuted = new MemberView(MemberStatus.Alive, noIncarnations ? own.Incarnation : Math.Max(own.Incarnation, update.Incarnation + 1));
            return Gossiped(member with { View = member.View.With(self, refuted) }, new MemberUpdate(self, MemberStatus.Alive, refuted.Incarnation));
        }
        var known = member.View[update.Member];
        var overrides = known.Status != MemberStatus.Failed && update.Status switch
        {
            MemberStatus.Failed => true,
            MemberStatus.Suspect => known.Status == MemberStatus.Alive ? update.Incarnation >= known.Incarnation : update.Incarnation > known.Incarnation,
            _ => update.Incarnation > known.Incarnation,
        };
        if (!overrides) return member;
        var timer = new DetectorTimer(DetectorTimerKind.Suspicion, update.Member);
        switch (update.Status)
        {
            case MemberStatus.Suspect when known.Status == MemberStatus.Alive:
                effects.SetTimer(timer, config.SuspicionTimeout);
                break;
            case MemberStatus.Alive:
                effects.CancelTimer(timer);
                break;
            case MemberStatus.Failed:
                effects.CancelTimer(timer);
                effects.Observe(new Suspected(self, update.Member));
                break;
        }
        return Gossiped(member with { View = member.View.With(update.Member, new MemberView(update.Status, update.Incarnation)) }, update);
    }

    /// <summary>Queues <paramref name="update"/> for the next messages, replacing older news of the same member.</summary>
    private SwimState Gossiped(SwimState member, MemberUpdate update) =>
        member with { Gossip = ValueArray<PendingGossip>.From(member.Gossip.AsEnumerable().Where(g => g.Update.Member != update.Member).Append(new PendingGossip(update, config.GossipTransmissions))) };

    /// <summary>
    /// The updates to piggyback on one message to <paramref name="to"/>, each with one transmission fewer left. A
    /// message to a member this one suspects also tells it so (Lifeguard's "buddy system"): its gossip may have been
    /// spent on messages to a dead member, and a suspicion its subject never hears of cannot be refuted.
    /// </summary>
    private static (SwimState Member, ValueArray<MemberUpdate> Gossip) Piggyback(SwimState member, int to)
    {
        var known = member.View[to];
        var buddy = known.Status == MemberStatus.Suspect && !member.Gossip.AsEnumerable().Any(g => g.Update.Member == to)
            ? [new MemberUpdate(to, MemberStatus.Suspect, known.Incarnation)] : Array.Empty<MemberUpdate>();
        if (member.Gossip.Length == 0) return (member, buddy.Length == 0 ? ValueArray<MemberUpdate>.Empty : ValueArray<MemberUpdate>.From(buddy));
        var carried = ValueArray<MemberUpdate>.From(member.Gossip.AsEnumerable().Select(g => g.Update).Concat(buddy));
        var left = ValueArray<PendingGossip>.From(member.Gossip.AsEnumerable().Where(g => g.Left > 1).Select(g => g with { Left = g.Left - 1 }));
        return (member with { Gossip = left }, carried);
    }

    public DetectorState OnRecover(NothingDurable? durable, Effects<DetectorMessage, DetectorTimer, NothingDurable> effects) => Start(effects);
}
