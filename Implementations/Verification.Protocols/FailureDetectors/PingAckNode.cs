using Verification.Runtime;
using Verification.Specs.FailureDetection;

namespace Verification.Protocols.FailureDetectors;

/// <summary>The ping-ack monitor: the round it is in (0 or 1) and whom it suspects (bit n: node n).</summary>
public sealed record MonitorState(int Round, long Suspects) : DetectorState
{
    public bool Suspecting(int node) => (Suspects & (1L << node)) != 0;
}

/// <summary>A ping-ack member: it only answers pings.</summary>
public sealed record MemberState : DetectorState
{
    public static MemberState Instance { get; } = new();
}

/// <summary>
/// Ping-ack: the monitor n0 pings every member each <c>Period</c> ticks and suspects a member whose ack has not come
/// <c>Timeout</c> ticks after the ping; any later ack withdraws the suspicion. Under synchrony a timeout above two
/// delays (ping there, ack back) never suspects a live member. Only the monitor suspects: weak completeness (Q), not
/// strong — the members never learn of each other's crashes.
/// </summary>
public sealed class PingAckNode(DetectorConfig config) : INode<DetectorState, DetectorMessage, DetectorTimer, NothingDurable>
{
    public const int Monitor = 0;

    public DetectorState Start(Effects<DetectorMessage, DetectorTimer, NothingDurable> effects)
    {
        if (effects.Self.Index != Monitor) return MemberState.Instance;
        var state = new MonitorState(0, 0);
        PingAll(state, effects);
        return state;
    }

    private void PingAll(MonitorState state, Effects<DetectorMessage, DetectorTimer, NothingDurable> effects)
    {
        foreach (var member in effects.Peers)
        {
            effects.Send(member, new Ping(state.Round));
            // A suspected member's deadline would change nothing: its next ack withdraws the suspicion whenever it comes.
            if (!state.Suspecting(member.Index)) effects.SetTimer(new DetectorTimer(DetectorTimerKind.AckDeadline, member.Index), config.Timeout);
        }
        effects.SetTimer(new DetectorTimer(DetectorTimerKind.Probe), config.Period);
    }

    public DetectorState OnMessage(DetectorState state, NodeId from, DetectorMessage message, Effects<DetectorMessage, DetectorTimer, NothingDurable> effects)
    {
        switch (state, message)
        {
            case (MemberState, Ping ping):
                effects.Send(from, new Ack(ping.Round));
                return state;
            case (MonitorState monitor, Ack ack):
                if (ack.Round == monitor.Round) effects.CancelTimer(new DetectorTimer(DetectorTimerKind.AckDeadline, from.Index));
                if (!monitor.Suspecting(from.Index)) return monitor;
                effects.Observe(new Trusted(Monitor, from.Index));
                return monitor with { Suspects = monitor.Suspects & ~(1L << from.Index) };
            default:
                return state;
        }
    }

    public DetectorState OnTimer(DetectorState state, DetectorTimer timer, Effects<DetectorMessage, DetectorTimer, NothingDurable> effects)
    {
        if (state is not MonitorState monitor) return state;
        switch (timer.Kind)
        {
            case DetectorTimerKind.Probe:
                var next = monitor with { Round = 1 - monitor.Round };
                PingAll(next, effects);
                return next;
            case DetectorTimerKind.AckDeadline when !monitor.Suspecting(timer.Node):
                effects.Observe(new Suspected(Monitor, timer.Node));
                return monitor with { Suspects = monitor.Suspects | (1L << timer.Node) };
            default:
                return monitor;
        }
    }

    public DetectorState OnRecover(NothingDurable? durable, Effects<DetectorMessage, DetectorTimer, NothingDurable> effects) => Start(effects);
}
