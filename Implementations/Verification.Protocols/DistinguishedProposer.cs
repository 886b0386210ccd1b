using Verification.Checkers.Systematic;
using Verification.Checkers;
using Verification.Runtime;
using Verification.Specs.Consensus;

namespace Verification.Protocols;

public abstract record DpMessage;

public sealed record Propose(int Value) : DpMessage;

public sealed record AcceptReply(int Value) : DpMessage;

public sealed record Poll : DpMessage;

public sealed record PollReply(int Accepted) : DpMessage;

public sealed record Copy(int Value) : DpMessage;

public sealed record CopyAck(int Value) : DpMessage;

/// <summary>A perfect failure detector's report: D has halted.</summary>
public sealed record DHalted : DpMessage;

public abstract record DpState;

/// <summary>D (or the recovery process): the value it is pushing, the acceptors that confirmed it, what it learned; for recovery, the poll answers.</summary>
public sealed record DpProposerState(int Value, uint Confirmed, int Learned, uint Polled, int Found) : DpState;

/// <summary>An acceptor's accepted value (volatile: the seed's protocol claims it needs no reliable storage).</summary>
public sealed record DpAcceptorState(int Accepted) : DpState;

/// <summary>D after it halts (with a perfect failure detector, this is how D fails).</summary>
public sealed record DpHalted : DpState;

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
/// <summary>The distinguished proposer's timers: D halting (with a perfect detector), the recovery process suspecting D.</summary>
public enum DpTimer { Halt, SuspectD }

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

/// <param name="PerfectDetector">Recovery starts only when D has really halted (the seed's implicit assumption); off: on suspicion.</param>
public sealed record DistinguishedProposerConfig(bool PerfectDetector);

/// <summary>The seed's distinguished-proposer protocol as a registered system (verdicts per failure model in docs/distinguished-proposer.md).</summary>
public sealed class DistinguishedProposerSystem : SystemDefinition<DistinguishedProposerConfig, DpState, DpMessage, DpTimer, NothingDurable, PaxosEvent>
{
    public override string Name => "DistinguishedProposer";

    public override string Description => "the seed's brute-force commit protocol for a single proposer, against consensus";

    public override IReadOnlyList<(string Name, DistinguishedProposerConfig Configuration)> Configurations { get; } =
        [("perfect-detector", new DistinguishedProposerConfig(PerfectDetector: true)), ("suspicion", new DistinguishedProposerConfig(PerfectDetector: false))];

    protected override Protocol<DpState, DpMessage, DpTimer, NothingDurable, PaxosEvent> Create(DistinguishedProposerConfig configuration) => DistinguishedProposerNode.Create(configuration.PerfectDetector);

    private static readonly TestOptions Runs = new() { Iterations = 50_000, MaxSteps = 60, CheckLiveness = false };

    private static FaultModel OneCrash(CrashKind kind) => new() { MaxCrashes = 1, MaxDownAtOnce = 1, CrashKinds = [kind], MaxDuplicates = 1, MaxLosses = 1 };

    public override IReadOnlyList<SystemCheck> Checks { get; } =
    [
        new("Distinguished proposer, recovery on suspicion, no failures (Agreement)", "suspicion", new RandomRuns { Options = Runs },
            Expectation.Violated(FailureKind.Safety, "Agreement"), "a slow D and a dead one look the same: two values are learned"),
        new("Distinguished proposer, perfect detector, acceptor amnesia (Agreement)", "perfect-detector", new RandomRuns { Options = Runs with { Faults = FaultModel.CrashRecover(1) } },
            Expectation.Violated(FailureKind.Safety, "Agreement"), "an acceptor that forgets what it accepted lets recovery choose another value"),
        new("Distinguished proposer, perfect detector, acceptor pause", "perfect-detector", new RandomRuns { Options = Runs with { Faults = OneCrash(CrashKind.Pause) } },
            Expectation.Holds, "50,000 runs with one acceptor pausing"),
        new("Distinguished proposer, perfect detector, acceptor halt", "perfect-detector", new RandomRuns { Options = Runs with { Faults = OneCrash(CrashKind.Stop) } },
            Expectation.Holds, "50,000 runs with one acceptor halting"),
    ];
}
