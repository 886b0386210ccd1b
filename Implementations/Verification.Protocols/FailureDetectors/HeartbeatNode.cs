using Verification.Runtime;
using Verification.Specs.FailureDetection;

namespace Verification.Protocols.FailureDetectors;

/// <summary>Every detector node's state.</summary>
public abstract record DetectorState;

/// <summary>A heartbeat node: whom it suspects (bit n: node n), and its current silence timeout for each node.</summary>
public sealed record HeartbeatState(long Suspects, ValueArray<int> Timeouts) : DetectorState
{
    public bool Suspecting(int node) => (Suspects & (1L << node)) != 0;
}

/// <summary>
/// All-to-all heartbeats: each node sends a heartbeat to every other node every <c>Period</c> ticks, and suspects a
/// node it has not heard from for <c>Timeout</c> ticks; the next heartbeat withdraws the suspicion. Under synchrony
/// (messages take ≤ d ticks) a timeout above period + d never suspects a live node: the next heartbeat is sent at most
/// a period after the last one arrived and arrives within d. The adaptive variant starts with a timeout that may be
/// too short and raises it by one tick at each mistake (a heartbeat from a suspected node): wrong finitely often (◇P).
/// </summary>
public sealed class HeartbeatNode(DetectorConfig config) : INode<DetectorState, DetectorMessage, DetectorTimer, NothingDurable>
{
    /// <summary>The planted bug makes the silence timeout a tick shorter than the period.</summary>
    private int InitialTimeout => config.Has(DetectorBug.TimeoutShorterThanPeriod) ? config.Period - 1 : config.Timeout;

    public DetectorState Start(Effects<DetectorMessage, DetectorTimer, NothingDurable> effects)
    {
        effects.SetTimer(new DetectorTimer(DetectorTimerKind.Beat), config.Period);
        foreach (var peer in effects.Peers) effects.SetTimer(new DetectorTimer(DetectorTimerKind.Silence, peer.Index), InitialTimeout);
        return new HeartbeatState(0, ValueArray<int>.Filled(effects.NodeCount, InitialTimeout));
    }

    public DetectorState OnMessage(DetectorState state, NodeId from, DetectorMessage message, Effects<DetectorMessage, DetectorTimer, NothingDurable> effects)
    {
        if (state is not HeartbeatState node || message is not Heartbeat) return state;
        var peer = from.Index;
        if (!node.Suspecting(peer))
        {
            effects.SetTimer(new DetectorTimer(DetectorTimerKind.Silence, peer), node.Timeouts[peer]);
            return node;
        }
        // A heartbeat from a suspected node: the suspicion was a mistake (or the node's last heartbeat arrived late).
        var timeouts = config.AdaptiveTimeout ? node.Timeouts.With(peer, node.Timeouts[peer] + 1) : node.Timeouts;
        effects.SetTimer(new DetectorTimer(DetectorTimerKind.Silence, peer), timeouts[peer]);
        if (config.Has(DetectorBug.NeverTrustsAgain)) return node with { Timeouts = timeouts };
        effects.Observe(new Trusted(effects.Self.Index, peer));
        return new HeartbeatState(node.Suspects & ~(1L << peer), timeouts);
    }

    public DetectorState OnTimer(DetectorState state, DetectorTimer timer, Effects<DetectorMessage, DetectorTimer, NothingDurable> effects)
    {
        if (state is not HeartbeatState node) return state;
        switch (timer.Kind)
        {
            case DetectorTimerKind.Beat:
                effects.Broadcast(new Heartbeat());
                effects.SetTimer(timer, config.Period);
                return node;
            case DetectorTimerKind.Silence when !node.Suspecting(timer.Node):
                effects.Observe(new Suspected(effects.Self.Index, timer.Node));
                return node with { Suspects = node.Suspects | (1L << timer.Node) };
            default:
                return node;
        }
    }

    /// <summary>Crash-stop is the model; a node that does come back starts afresh.</summary>
    public DetectorState OnRecover(NothingDurable? durable, Effects<DetectorMessage, DetectorTimer, NothingDurable> effects) => Start(effects);
}
