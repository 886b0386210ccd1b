using Verification.Checkers;
using Verification.Checkers.Systematic;
using Verification.Runtime;

namespace Verification.Protocols.Paxos;

/// <summary>Single-decree Paxos against the Paxos spec (its rules as guards, the inductive invariant, consensus).</summary>
public sealed class PaxosSystem : SystemDefinition<PaxosConfig, PaxosNodeState, PaxosMessage, PaxosTimer, PaxosNodeState, PaxosEvent>
{
    public override string Name => "Paxos";

    public override string Description => "single-decree Paxos (proposers, acceptors, learners) against the Paxos spec";

    public override IReadOnlyList<(string Name, PaxosConfig Configuration)> Configurations { get; } =
    [
        ("default", new PaxosConfig()),
        ("exhaustive", new PaxosConfig(MaxRounds: 1, Learners: 1)),
        ("exhaustive-symmetric", new PaxosConfig(MaxRounds: 1, Learners: 1) { AcceptorsSymmetric = true }),
        ("refines-consensus", new PaxosConfig { MapsToConsensus = ConsensusMapping.Correct }),
        ("refines-consensus-exhaustive", new PaxosConfig(MaxRounds: 1, Learners: 1) { MapsToConsensus = ConsensusMapping.Correct }),
        ("refinement-bug:DropsLearning", new PaxosConfig { MapsToConsensus = ConsensusMapping.DropsLearning }),
        .. Enum.GetValues<PaxosBug>().Where(b => b != PaxosBug.None).Select(b => ($"bug:{b}", new PaxosConfig(Bugs: b))),
    ];

    protected override Protocol<PaxosNodeState, PaxosMessage, PaxosTimer, PaxosNodeState, PaxosEvent> Create(PaxosConfig configuration) => PaxosNode.Create(configuration);

    /// <summary>Safety only: bounded rounds over a lossy network need not decide.</summary>
    private static readonly TestOptions Safety = new() { MaxSteps = 150, CheckLiveness = false };

    private static readonly FaultModel BugFaults = new() { MaxLosses = 2, MaxDuplicates = 1, MaxCrashes = 1, MaxDownAtOnce = 1, CrashKinds = [CrashKind.Amnesia] };

    public override IReadOnlyList<SystemCheck> Checks { get; } =
    [
        new("Paxos (2 proposers, 3 acceptors): loss, duplication, partition, crash-recover", "default",
            new RandomRuns { Options = Safety with { Iterations = 50_000, Faults = FaultModel.Full(f: 1, losses: 2, duplicates: 1, partitions: 1) } },
            Expectation.Holds, "50,000 runs of the default portfolio against the Paxos spec's guards and consensus properties"),
        .. new (PaxosBug Bug, string[] Properties)[]
        {
            (PaxosBug.AcceptorForgetsPromise, ["PromiseOnlyHigher"]),
            (PaxosBug.PromiseOmitsAcceptedValue, ["PromiseReportsLastVote"]),
            (PaxosBug.ProposerIgnoresReportedValue, ["ProposalIsSafe"]),
            // A minority quorum breaks the proposer's rule or the learner's, whichever a run reaches first.
            (PaxosBug.MinorityQuorum, ["ProposalBackedByQuorum", "LearnOnlyChosen"]),
            (PaxosBug.AcceptsLowerBallot, ["VoteRespectsPromise"]),
        }.Select(planted => new SystemCheck($"Paxos planted bug {planted.Bug} ({string.Join(" or ", planted.Properties)})", $"bug:{planted.Bug}",
            new RandomRuns { Options = Safety with { Iterations = 20_000, Faults = BugFaults } },
            Expectation.Violated(FailureKind.Safety, planted.Properties), "the default portfolio must find it with the rule it breaks, and replay it")),
        new("Paxos (2 proposers, 3 acceptors, one ballot each): exhaustive DFS", "exhaustive",
            new ExhaustiveSearch(MaxDepth: 100) { Options = new TestOptions { CheckLiveness = false } },
            Expectation.Holds, "every interleaving, no faults, one learner, against the whole Paxos spec"),
        new("Paxos (2 proposers, 3 acceptors, one ballot each): exhaustive DFS up to renaming acceptors", "exhaustive-symmetric",
            new ExhaustiveSearch(MaxDepth: 100) { Options = new TestOptions { CheckLiveness = false } },
            Expectation.Holds, "the exhaustive configuration with acceptor symmetry declared: one state per orbit, the declaration checked on a sample of transitions"),
        new("Paxos implementation → Paxos spec → Consensus: loss, duplication, partition, crash-recover", "refines-consensus",
            new RandomRuns { Options = Safety with { Iterations = 10_000, Faults = FaultModel.Full(f: 1, losses: 2, duplicates: 1, partitions: 1) } },
            Expectation.Holds, "10,000 runs against 'Paxos refines Consensus': the Paxos spec, Consensus's rules on the mapped events, and Consensus's state mapped from Paxos's"),
        new("Paxos implementation → Paxos spec → Consensus: exhaustive DFS (the refinement adds no states)", "refines-consensus-exhaustive",
            new ExhaustiveSearch(MaxDepth: 100) { Options = new TestOptions { CheckLiveness = false } },
            Expectation.Holds, "every interleaving of the exhaustive configuration; Consensus's copy is a function of Paxos's state, so the count equals the Paxos spec's"),
        new("Paxos planted refinement bug: a mapping that drops learning (Consensus.chosen=mapping)", "refinement-bug:DropsLearning",
            new RandomRuns { Options = Safety with { Iterations = 20_000, Faults = BugFaults } },
            Expectation.Violated(FailureKind.Safety, "Consensus.chosen=mapping"), "Consensus never hears of a decision, so its state stops matching Paxos's at the first learning"),
    ];
}

/// <summary>The same Paxos nodes against Consensus alone, with unbounded ballots compared up to a ballot shift (for livelock searches).</summary>
public sealed class PaxosConsensusSystem : SystemDefinition<PaxosConfig, PaxosNodeState, PaxosMessage, PaxosTimer, PaxosNodeState, PaxosEvent>
{
    public override string Name => "PaxosConsensus";

    public override string Description => "single-decree Paxos against Consensus alone: duelling proposers, and a distinguished proposer";

    public override IReadOnlyList<(string Name, PaxosConfig Configuration)> Configurations { get; } =
    [
        ("duelling", PaxosConfig.Duelling(acceptors: 2)),
        ("distinguished-proposer", PaxosConfig.Duelling(acceptors: 3) with { DistinguishedProposer = true }),
    ];

    protected override Protocol<PaxosNodeState, PaxosMessage, PaxosTimer, PaxosNodeState, PaxosEvent> Create(PaxosConfig configuration) => PaxosNode.CreateConsensus(configuration);

    public override IReadOnlyList<SystemCheck> Checks { get; } =
    [
        new("Paxos duelling proposers, no faults: a livelock (SomeValueLearned)", "duelling",
            new LivelockSearch(MaxDepth: 40, MaxInFlight: 6) { Options = new TestOptions() },
            Expectation.Violated("SomeValueLearned"), "a fair cycle of mutual preemptions, found by the livelock search up to the ballot-shift symmetry"),
        new("Paxos with a distinguished proposer, no faults: no livelock", "distinguished-proposer",
            new LivelockSearch(MaxDepth: 60, MaxInFlight: 12) { Options = new TestOptions() },
            Expectation.Holds, "the same search, complete: every fair run learns"),
    ];
}
