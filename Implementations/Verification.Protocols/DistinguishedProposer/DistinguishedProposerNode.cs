using Verification.Protocols.Paxos;
using Verification.Runtime;
using Verification.Specs.Consensus;

namespace Verification.Protocols.DistinguishedProposer;

/// <summary>The distinguished proposer's timers: D halting (with a perfect detector), the recovery process suspecting D.</summary>
public enum DpTimer { Halt, SuspectD }

/// <summary>
/// The seed's "brute force commit solution to the single proposer problem", implemented as written: n0 is the
/// distinguished proposer D, which sends its value to all acceptors and marks it chosen (learns it) on accepts from a
/// majority; n1 runs the recovery when it suspects D has failed (its timer may fire at any time: in an asynchronous
/// system a slow D and a dead one look the same), polling the acceptors and copying any accepted value, or its own
/// value from a blank slate, then learning it on a majority of copy acknowledgements. Acceptors keep their state in
/// memory only. n2..n4 are the acceptors.
/// With <c>perfectDetector</c>, recovery starts only when D has really failed: D may halt at any time (a timer) and
/// the detector then tells n1, reliably — the seed's implicit assumption.
/// </summary>
public sealed class DistinguishedProposerNode(bool perfectDetector) : INode<DpState, DpMessage, DpTimer, NothingDurable>
{
    public const int Acceptors = 3;
    private static readonly NodeId Distinguished = new(0), Recovery = new(1);
    private static readonly QuorumSystem Majority = QuorumSystem.Majority(Acceptors);

    /// <summary>The system with the plain consensus spec (values 0 for D, 1 for a blank-slate recovery).</summary>
    public static Protocol<DpState, DpMessage, DpTimer, NothingDurable, PaxosEvent> System(bool perfectDetector) => new DistinguishedProposerSystem().Build(new DistinguishedProposerConfig(perfectDetector));

    internal static Protocol<DpState, DpMessage, DpTimer, NothingDurable, PaxosEvent> Create(bool perfectDetector) =>
        new(perfectDetector ? "DistinguishedProposerPerfectDetector" : "DistinguishedProposerSuspicion", 2 + Acceptors, _ => new DistinguishedProposerNode(perfectDetector), ConsensusSpec.Create(values: 2));

    private static IEnumerable<NodeId> AcceptorIds => Enumerable.Range(2, Acceptors).Select(i => new NodeId(i));

    private static uint Bit(NodeId acceptor) => 1u << (acceptor.Index - 2);

    public DpState Start(Effects<DpMessage, DpTimer, NothingDurable> effects)
    {
        if (effects.Self == Distinguished)
        {
            effects.Observe(new Proposed(0, 0, 0));
            foreach (var acceptor in AcceptorIds) effects.Send(acceptor, new Propose(0));
            if (perfectDetector) effects.SetTimer(DpTimer.Halt);
            return new DpProposerState(0, 0, PaxosSpec.None, 0, PaxosSpec.None);
        }
        if (effects.Self == Recovery)
        {
            if (!perfectDetector) effects.SetTimer(DpTimer.SuspectD);
            return new DpProposerState(PaxosSpec.None, 0, PaxosSpec.None, 0, PaxosSpec.None);
        }
        return new DpAcceptorState(PaxosSpec.None);
    }

    public DpState OnTimer(DpState state, DpTimer timer, Effects<DpMessage, DpTimer, NothingDurable> effects)
    {
        if (timer == DpTimer.Halt)
        {
            effects.Send(Recovery, new DHalted());
            return new DpHalted();
        }
        StartRecovery(effects);
        return state;
    }

    private static void StartRecovery(Effects<DpMessage, DpTimer, NothingDurable> effects)
    {
        foreach (var acceptor in AcceptorIds) effects.Send(acceptor, new Poll());
    }

    public DpState OnMessage(DpState state, NodeId from, DpMessage message, Effects<DpMessage, DpTimer, NothingDurable> effects)
    {
        switch (state, message)
        {
            case (DpHalted, _):
                return state;
            case (DpProposerState recovery, DHalted):
                StartRecovery(effects);
                return recovery;
            case (DpAcceptorState acceptor, Propose propose):
                effects.Send(from, new AcceptReply(propose.Value));
                return acceptor with { Accepted = propose.Value };
            case (DpAcceptorState acceptor, Poll):
                effects.Send(from, new PollReply(acceptor.Accepted));
                return acceptor;
            case (DpAcceptorState acceptor, Copy copy):
                effects.Send(from, new CopyAck(copy.Value));
                return acceptor with { Accepted = copy.Value };
            case (DpProposerState proposer, AcceptReply or CopyAck):
            {
                var value = message is AcceptReply a ? a.Value : ((CopyAck)message).Value;
                if (value != proposer.Value) return proposer;
                var confirmed = proposer.Confirmed | Bit(from);
                if (proposer.Learned == PaxosSpec.None && Majority.IsQuorum(confirmed))
                {
                    effects.Observe(new Learned(effects.Self.Index, value));
                    return proposer with { Confirmed = confirmed, Learned = value };
                }
                return proposer with { Confirmed = confirmed };
            }
            case (DpProposerState recovery, PollReply reply) when recovery.Value == PaxosSpec.None:
            {
                var polled = recovery.Polled | Bit(from);
                var found = reply.Accepted != PaxosSpec.None ? reply.Accepted : recovery.Found;
                if (!Majority.IsQuorum(polled)) return recovery with { Polled = polled, Found = found };
                // Copy an accepted value if any acceptor has one, or start from a blank slate with our own value.
                var value = found != PaxosSpec.None ? found : 1;
                effects.Observe(new Proposed(effects.Self.Index, 1, value));
                foreach (var acceptor in AcceptorIds) effects.Send(acceptor, new Copy(value));
                return new DpProposerState(value, 0, PaxosSpec.None, polled, found);
            }
            default:
                return state;
        }
    }

    /// <summary>
    /// Nothing is persisted: an acceptor comes back blank, the recovery process comes back waiting, and a crashed D
    /// stays down (bringing a proposer back is the election's job, outside this protocol).
    /// </summary>
    public DpState OnRecover(NothingDurable? persisted, Effects<DpMessage, DpTimer, NothingDurable> effects) =>
        effects.Self == Distinguished ? new DpHalted() : Start(effects);
}
