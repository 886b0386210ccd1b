using Verification.Checkers;
using Verification.Runtime;
using Verification.Checkers.Linearizability;
using Verification.Checkers.Systematic;
using Verification.Protocols;
using Verification.Specs.Consensus;
using Verification.Specs.Replication;

namespace Verification.Cli.Catalog;

/// <summary>Single-decree Paxos under the systematic tester: the correct protocol holds, every planted bug is found with the property it breaks.</summary>
internal static class PaxosChecks
{
    private static TestOptions Options(int seed, long iterations, FaultModel faults) => new()
    {
        Seed = seed,
        Iterations = iterations,
        MaxSteps = 150,
        CheckLiveness = false, // bounded rounds over a lossy network need not decide: safety is checked here
        Faults = faults,
        Parallelism = Environment.ProcessorCount,
    };

    public static IEnumerable<CheckDefinition> All(int seed)
    {
        yield return new CheckDefinition("Paxos (2 proposers, 3 acceptors): loss, duplication, partition, crash-recover", CheckKind.Protocol, Verdict.Holds,
            "50,000 runs of the default portfolio against the Paxos spec's guards and consensus properties", () =>
            {
                var report = new SystematicTester<PaxosNodeState, PaxosMessage, PaxosEvent>(PaxosNode.System(new PaxosConfig()),
                    Options(seed, 50_000, FaultModel.Full(f: 1, losses: 2, duplicates: 1, partitions: 1))).Run();
                return new CheckOutcome(report.Bug is null ? Verdict.Holds : Verdict.Violated, report.ToString(), report.Coverage);
            });
        foreach (var (bug, property) in new[]
                 {
                     (PaxosBug.AcceptorForgetsPromise, "PromiseOnlyHigher"),
                     (PaxosBug.PromiseOmitsAcceptedValue, "PromiseReportsLastVote"),
                     (PaxosBug.ProposerIgnoresReportedValue, "ProposalIsSafe"),
                     (PaxosBug.MinorityQuorum, "ProposalBackedByQuorum|LearnOnlyChosen"),
                     (PaxosBug.AcceptsLowerBallot, "VoteRespectsPromise"),
                 })
        {
            var faults = new FaultModel { MaxLosses = 2, MaxDuplicates = 1, MaxCrashes = 1, MaxDownAtOnce = 1, CrashKinds = [CrashKind.Amnesia] };
            var anyOf = property.Split('|'); // a minority quorum breaks the proposer's rule or the learner's, whichever a run reaches first
            yield return ProtocolChecks.PlantedBug($"Paxos planted bug {bug} ({string.Join(" or ", anyOf)})", string.Join(" or ", anyOf), FailureKind.Safety,
                () => new SystematicTester<PaxosNodeState, PaxosMessage, PaxosEvent>(PaxosNode.System(new PaxosConfig(Bugs: bug)), Options(seed, 20_000, faults)).AssertFindsAndReplays(anyOf, FailureKind.Safety));
        }
        yield return new CheckDefinition("Paxos (2 proposers, 3 acceptors, one ballot each): exhaustive DFS", CheckKind.Protocol, Verdict.Holds,
            "every interleaving, no faults, one learner, against the whole Paxos spec", () =>
            {
                var report = new SystematicTester<PaxosNodeState, PaxosMessage, PaxosEvent>(PaxosNode.System(new PaxosConfig(MaxRounds: 1, Learners: 1)), new TestOptions { CheckLiveness = false }).Explore(maxDepth: 100);
                return new CheckOutcome(report.Bug is not null ? Verdict.Violated : report.Complete ? Verdict.Holds : Verdict.Unknown, report.ToString(), report.Coverage);
            });
        yield return new CheckDefinition("Paxos duelling proposers, no faults: a livelock (SomeValueLearned)", CheckKind.PlantedBug, Verdict.Violated,
            "a fair cycle of mutual preemptions, found by the livelock search up to the ballot-shift symmetry", () =>
            {
                var report = new SystematicTester<PaxosNodeState, PaxosMessage, PaxosEvent>(PaxosNode.ConsensusSystem(PaxosConfig.Duelling(acceptors: 2)), new TestOptions()).FindLivelock(maxDepth: 40, maxInFlight: 6);
                return new CheckOutcome(report.Found ? Verdict.Violated : Verdict.Holds, report.ToString(), report.Coverage);
            });
        yield return new CheckDefinition("Paxos with a distinguished proposer, no faults: no livelock", CheckKind.Protocol, Verdict.Holds,
            "the same search, complete: every fair run learns", () =>
            {
                var report = new SystematicTester<PaxosNodeState, PaxosMessage, PaxosEvent>(PaxosNode.ConsensusSystem(PaxosConfig.Duelling(acceptors: 3) with { DistinguishedProposer = true }), new TestOptions()).FindLivelock(maxDepth: 60, maxInFlight: 12);
                return new CheckOutcome(report.Found ? Verdict.Violated : report.Complete ? Verdict.Holds : Verdict.Unknown, report.ToString(), report.Coverage);
            });
    }
}

/// <summary>The seed's distinguished-proposer protocol, one check per failure model (docs/distinguished-proposer.md).</summary>
internal static class DistinguishedProposerChecks
{
    private static SystematicTester<DpState, DpMessage, PaxosEvent> Tester(bool perfectDetector, FaultModel faults, int seed) =>
        new(DistinguishedProposerNode.System(perfectDetector), new TestOptions { Seed = seed, Iterations = 50_000, MaxSteps = 60, CheckLiveness = false, Faults = faults, Parallelism = Environment.ProcessorCount });

    public static IEnumerable<CheckDefinition> All(int seed)
    {
        yield return ProtocolChecks.PlantedBug("Distinguished proposer, recovery on suspicion, no failures (Agreement)", "Agreement", FailureKind.Safety,
            () => Tester(perfectDetector: false, FaultModel.None, seed).AssertFindsAndReplays("Agreement", FailureKind.Safety));
        yield return ProtocolChecks.PlantedBug("Distinguished proposer, perfect detector, acceptor amnesia (Agreement)", "Agreement", FailureKind.Safety,
            () => Tester(perfectDetector: true, FaultModel.CrashRecover(1), seed).AssertFindsAndReplays("Agreement", FailureKind.Safety));
        yield return new CheckDefinition("Distinguished proposer, perfect detector, acceptor pause or halt", CheckKind.Protocol, Verdict.Holds,
            "50,000 runs per crash kind", () =>
            {
                var reports = new[] { CrashKind.Pause, CrashKind.Stop }.Select(kind =>
                    Tester(perfectDetector: true, new FaultModel { MaxCrashes = 1, MaxDownAtOnce = 1, CrashKinds = [kind], MaxDuplicates = 1, MaxLosses = 1 }, seed).Run()).ToList();
                return new CheckOutcome(reports.All(r => r.Bug is null) ? Verdict.Holds : Verdict.Violated, string.Join("\n", reports),
                    new Coverage { Runs = reports.Sum(r => r.Iterations), Steps = reports.Sum(r => r.Steps) });
            });
    }
}

/// <summary>Multi-Paxos as a replicated log (tests/Verification.Systematic.Tests/MultiPaxosTests.cs has the same configurations).</summary>
internal static class MultiPaxosChecks
{
    private static SystematicTester<MultiPaxosState, MultiPaxosMessage, LogEvent> Tester(MultiPaxosConfig config, TestOptions options) =>
        new(MultiPaxosNode.System(config), options with { Parallelism = Environment.ProcessorCount });

    public static IEnumerable<CheckDefinition> All(int seed)
    {
        yield return new CheckDefinition("MultiPaxos (3 replicas, 2 clients): loss, duplication, partition, crash-recover, leader changes", CheckKind.Protocol, Verdict.Holds,
            "20,000 runs of the default portfolio against the replicated-log spec's safety properties", () =>
            {
                var report = Tester(new MultiPaxosConfig(), new TestOptions { Seed = seed, Iterations = 20_000, MaxSteps = 250, CheckLiveness = false, Faults = FaultModel.Full(f: 1, losses: 3, duplicates: 2, partitions: 1) }).Run();
                return new CheckOutcome(report.Bug is null ? Verdict.Holds : Verdict.Violated, report.ToString(), report.Coverage);
            });
        yield return new CheckDefinition("MultiPaxos, stable leader: every request commits and is answered, every replica catches up", CheckKind.Protocol, Verdict.Holds,
            "2,000 runs with up to 30 losses and an amnesia crash, liveness judged after a fair, synchronous suffix (messages beat timeouts)", () =>
            {
                var faults = new FaultModel { MaxLosses = 30, MaxDuplicates = 1, MaxCrashes = 1, MaxDownAtOnce = 1, CrashKinds = [CrashKind.Amnesia] };
                var report = Tester(new MultiPaxosConfig(StableLeader: true, MaxRounds: 50), new TestOptions { Seed = seed, Iterations = 2000, MaxSteps = 600, LivenessThreshold = 300, SynchronousAfterFairPoint = true, Faults = faults }).Run();
                return new CheckOutcome(report.Bug is null ? Verdict.Holds : Verdict.Violated, report.ToString(), report.Coverage);
            });
        yield return new CheckDefinition("MultiPaxos key-value store: every run's client history is linearizable", CheckKind.Protocol, Verdict.Holds,
            "10,000 runs, 2 clients each writing, reading and compare-and-setting, full fault model; histories checked by the linearizability checker", () =>
            {
                var system = MultiPaxosNode.System(new MultiPaxosConfig(Slots: 8, OperationsPerClient: 3)) with { HistoryCheck = LinearizabilityHistoryCheck.MultiPaxosClients() };
                var report = new SystematicTester<MultiPaxosState, MultiPaxosMessage, LogEvent>(system, new TestOptions
                {
                    Seed = seed, Iterations = 10_000, MaxSteps = 300, CheckLiveness = false, Faults = FaultModel.Full(f: 1, losses: 3, duplicates: 2, partitions: 1), Parallelism = Environment.ProcessorCount,
                }).Run();
                return new CheckOutcome(report.Bug is null ? Verdict.Holds : Verdict.Violated, report.ToString(), report.Coverage);
            });
        foreach (var (bug, property) in new[] { (MultiPaxosBug.NewLeaderIgnoresAcceptedEntries, "SlotAgreement"), (MultiPaxosBug.ReplicaExecutesDuplicates, "ExecutedOnce") })
            yield return ProtocolChecks.PlantedBug($"MultiPaxos planted bug {bug} ({property})", property, FailureKind.Safety,
                () => Tester(new MultiPaxosConfig(Bugs: bug), new TestOptions { Seed = seed, Iterations = 50_000, MaxSteps = 250, CheckLiveness = false, Faults = FaultModel.Full(f: 1, losses: 2, duplicates: 1, partitions: 0) })
                    .AssertFindsAndReplays(property, FailureKind.Safety));
        yield return ProtocolChecks.PlantedBug("MultiPaxos planted bug IgnoresCatchUp (EveryReplicaAppliesTheCommittedPrefix)", "EveryReplicaAppliesTheCommittedPrefix", FailureKind.Liveness,
            () => Tester(new MultiPaxosConfig(StableLeader: true, MaxRounds: 50, Bugs: MultiPaxosBug.IgnoresCatchUp), new TestOptions { Seed = seed, Iterations = 5000, MaxSteps = 600, LivenessThreshold = 300, SynchronousAfterFairPoint = true, Faults = new FaultModel { MaxLosses = 30 } })
                .AssertFindsAndReplays("EveryReplicaAppliesTheCommittedPrefix", FailureKind.Liveness));
    }
}

/// <summary>Raft (tests/Verification.Systematic.Tests/RaftTests.cs has the same configurations).</summary>
internal static class RaftChecks
{
    private static readonly FaultModel Faults = FaultModel.Full(f: 1, losses: 3, duplicates: 2, partitions: 1);

    private static SystematicTester<RaftNodeState, RaftMessage, RaftEvent> Tester(RaftConfig config, TestOptions options) =>
        new(RaftNode.System(config), options with { Parallelism = Environment.ProcessorCount });

    /// <summary>The key-value store on Raft, with its clients' histories checked for linearizability at the end of each run.</summary>
    private static SystematicTester<RaftNodeState, RaftMessage, RaftEvent> Store(RaftConfig config, TestOptions options) =>
        new(RaftNode.System(config) with { HistoryCheck = LinearizabilityHistoryCheck.RaftClients() }, options with { Parallelism = Environment.ProcessorCount });

    public static IEnumerable<CheckDefinition> All(int seed)
    {
        yield return new CheckDefinition("Raft (3 servers, 2 clients): loss, duplication, partition, crash-recover", CheckKind.Protocol, Verdict.Holds,
            "20,000 runs of the default portfolio against the five Raft properties and once-only in-order execution", () =>
            {
                var report = Tester(new RaftConfig(), new TestOptions { Seed = seed, Iterations = 20_000, MaxSteps = 300, CheckLiveness = false, Faults = Faults }).Run();
                return new CheckOutcome(report.Bug is null ? Verdict.Holds : Verdict.Violated, report.ToString(), report.Coverage);
            });
        yield return new CheckDefinition("Raft: every request commits and is answered, and every server applies it, once the network is synchronous", CheckKind.Protocol, Verdict.Holds,
            "2,000 runs with losses and an amnesia crash; after the fair point messages beat timeouts", () =>
            {
                var faults = new FaultModel { MaxLosses = 3, MaxCrashes = 1, MaxDownAtOnce = 1, CrashKinds = [CrashKind.Amnesia] };
                var report = Tester(new RaftConfig(MaxTerm: 40, LogCapacity: 10), new TestOptions { Seed = seed, Iterations = 2000, MaxSteps = 600, LivenessThreshold = 300, SynchronousAfterFairPoint = true, Faults = faults }).Run();
                return new CheckOutcome(report.Bug is null ? Verdict.Holds : Verdict.Violated, report.ToString(), report.Coverage);
            });
        yield return new CheckDefinition("Raft (3 servers, 2 requests, terms ≤ 2, logs ≤ 3): exhaustive DFS", CheckKind.Protocol, Verdict.Holds,
            $"every interleaving with ≤ {RaftConfig.ExhaustiveSearchInFlight} messages in flight, no faults, against every Raft property in every state", () =>
            {
                var report = new SystematicTester<RaftNodeState, RaftMessage, RaftEvent>(RaftNode.System(RaftConfig.ForExhaustiveSearch()), new TestOptions { CheckLiveness = false })
                    .Explore(maxDepth: 200, maxInFlight: RaftConfig.ExhaustiveSearchInFlight);
                return new CheckOutcome(report.Bug is not null ? Verdict.Violated : report.Complete ? Verdict.Holds : Verdict.Unknown, report.ToString(), report.Coverage);
            });
        yield return new CheckDefinition("Raft key-value store: every run's client history is linearizable", CheckKind.Protocol, Verdict.Holds,
            "10,000 runs, 2 clients each writing then reading, full fault model; histories checked by the linearizability checker", () =>
            {
                var report = Store(new RaftConfig(OperationsPerClient: 3, LogCapacity: 8, MaxTerm: 5), new TestOptions { Seed = seed, Iterations = 10_000, MaxSteps = 300, CheckLiveness = false, Faults = Faults }).Run();
                return new CheckOutcome(report.Bug is null ? Verdict.Holds : Verdict.Violated, report.ToString(), report.Coverage);
            });
        yield return ProtocolChecks.PlantedBug("Raft planted bug LeaderReadsLocally (Linearizable; the Raft properties all hold)", "Linearizable", FailureKind.Safety,
            () => Store(RaftConfig.ForPlantedBug(RaftBug.LeaderReadsLocally),
                new TestOptions { Seed = seed, Iterations = 100_000, MaxSteps = 300, CheckLiveness = false, Faults = Faults }).AssertFindsAndReplays("Linearizable", FailureKind.Safety));
        foreach (var (bug, properties) in new[]
                 {
                     (RaftBug.CommitsEarlierTermByCounting, "StateMachineSafety|LeaderCompleteness"),
                     (RaftBug.VotesWithoutLogCheck, "LeaderCompleteness|StateMachineSafety"),
                     (RaftBug.ForgetsVote, "ElectionSafety"),
                     (RaftBug.AppendsWithoutTruncating, "LogMatching"),
                     (RaftBug.NoDeduplication, "ExecutedOnce"),
                 })
        {
            var anyOf = properties.Split('|');
            var config = RaftConfig.ForPlantedBug(bug);
            yield return ProtocolChecks.PlantedBug($"Raft planted bug {bug} ({string.Join(" or ", anyOf)})", string.Join(" or ", anyOf), FailureKind.Safety,
                () => Tester(config, new TestOptions { Seed = seed, Iterations = 200_000, MaxSteps = 300, CheckLiveness = false, Faults = Faults }).AssertFindsAndReplays(anyOf, FailureKind.Safety));
        }
    }
}
