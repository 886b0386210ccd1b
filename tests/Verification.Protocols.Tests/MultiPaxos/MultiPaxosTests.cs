using Verification.Checkers.Systematic;
using Verification.Protocols.MultiPaxos;
using Verification.Runtime;
using Verification.Specs;
using Verification.Specs.Replication;
using Xunit.Abstractions;

namespace Verification.Protocols.Tests.MultiPaxos;

/// <summary>Multi-Paxos as a replicated log, checked against the replicated-log spec.</summary>
public class MultiPaxosTests(ITestOutputHelper output)
{
    private static SystematicTester<MultiPaxosState, MultiPaxosMessage, MultiPaxosTimer, ReplicaDurable, LogEvent> Tester(MultiPaxosConfig config, TestOptions options) =>
        new(MultiPaxosNode.System(config), options);

    [Fact]
    public void Correct_IsSafe_UnderTheFullFaultModel_WithLeaderChanges()
    {
        var report = Tester(new MultiPaxosConfig(), new TestOptions
        {
            Seed = 11, Iterations = 1500, MaxSteps = 250, CheckLiveness = false,
            Faults = FaultModel.Full(f: 1, losses: 3, duplicates: 2, partitions: 1),
        }).Run();
        output.WriteLine(report.ToString());
        report.AssertHolds();
    }

    [Fact]
    public void StableLeader_CommitsEveryRequest_AndEveryReplicaCatchesUp_DespiteLossAndACrash()
    {
        var faults = new FaultModel { MaxLosses = 30, MaxDuplicates = 1, MaxCrashes = 1, MaxDownAtOnce = 1, CrashKinds = [CrashKind.Amnesia] };
        var report = Tester(new MultiPaxosConfig(StableLeader: true, MaxRounds: 50), new TestOptions { Seed = 12, Iterations = 600, MaxSteps = 600, LivenessThreshold = 300, SynchronousAfterFairPoint = true, Faults = faults }).Run();
        output.WriteLine(report.ToString());
        report.AssertHolds();
    }

    [Theory]
    [InlineData(MultiPaxosBug.NewLeaderIgnoresAcceptedEntries, "SlotAgreement")]
    [InlineData(MultiPaxosBug.ReplicaExecutesDuplicates, "ExecutedOnce")]
    [InlineData(MultiPaxosBug.ReplicaAppliesAhead, "executed=mapping")] // only the refinement mapping sees it
    public void PlantedBug_IsFound_WithTheSpecificProperty_AndReplays(MultiPaxosBug bug, string property)
    {
        var found = Tester(new MultiPaxosConfig(Bugs: bug), new TestOptions
        {
            Seed = 13, Iterations = 20_000, MaxSteps = 250, CheckLiveness = false,
            Faults = FaultModel.Full(f: 1, losses: 2, duplicates: 1, partitions: 0),
        }).AssertFindsAndReplays(property, FailureKind.Safety);
        output.WriteLine(found.ToString());
    }

    /// <summary>Without catch-up a replica that lost a commit never applies it: the liveness side of Schneider's Agreement.</summary>
    [Fact]
    public void WithoutCatchUp_ALaggingReplicaNeverApplies()
    {
        var faults = new FaultModel { MaxLosses = 30 }; // a lagging replica needs the commit and its re-sends lost
        var found = Tester(new MultiPaxosConfig(StableLeader: true, MaxRounds: 50, Bugs: MultiPaxosBug.IgnoresCatchUp), new TestOptions { Seed = 14, Iterations = 3000, MaxSteps = 600, LivenessThreshold = 300, SynchronousAfterFairPoint = true, Faults = faults })
            .AssertFindsAndReplays("EveryReplicaAppliesTheCommittedPrefix", FailureKind.Liveness);
        output.WriteLine(found.ToString());
    }

    /// <summary>The key-value store on Multi-Paxos: every run's client history is linearizable, leader changes and faults included.</summary>
    [Fact]
    public void Store_ClientHistories_AreLinearizable_UnderTheFullFaultModel()
    {
        var system = MultiPaxosNode.System(new MultiPaxosConfig(Slots: 8, OperationsPerClient: 3)) with { HistoryCheck = MultiPaxosSystem.LinearizableClients() };
        var report = system.Tester(new TestOptions
        {
            Seed = 15, Iterations = 3000, MaxSteps = 300, CheckLiveness = false, Faults = FaultModel.Full(f: 1, losses: 3, duplicates: 2, partitions: 1),
        }).Run();
        output.WriteLine(report.ToString());
        report.AssertHolds();
    }

    /// <summary>With duplicates executed twice the store's history is not linearizable either (an append applied twice).</summary>
    [Fact]
    public void Store_DuplicateExecution_BreaksExecutedOnce_BeforeLinearizability()
    {
        var system = MultiPaxosNode.System(new MultiPaxosConfig(Slots: 8, OperationsPerClient: 3, Bugs: MultiPaxosBug.ReplicaExecutesDuplicates))
            with { HistoryCheck = MultiPaxosSystem.LinearizableClients() };
        var found = system.Tester(new TestOptions
        {
            Seed = 16, Iterations = 50_000, MaxSteps = 300, CheckLiveness = false, Faults = FaultModel.Full(f: 1, losses: 2, duplicates: 1, partitions: 0), Parallelism = 2,
        }).AssertFindsAndReplays("ExecutedOnce", FailureKind.Safety);
        output.WriteLine(found.ToString());
    }

    [Theory]
    [InlineData(1, 2, 1, "2 to 32 replicas")]      // catch-up asks a peer: with one replica it divided by zero
    [InlineData(33, 2, 1, "2 to 32 replicas")]     // replica sets are 32-bit masks
    [InlineData(3, 17, 2, "at most 32 commands")]  // so are command sets
    public void AConfigurationTheNodesCannotRun_IsRejected_NamingTheSetting(int replicas, int clients, int operations, string expected)
    {
        var error = Assert.Throws<SpecException>(() => MultiPaxosNode.System(new MultiPaxosConfig(Replicas: replicas, Clients: clients, OperationsPerClient: operations)));
        Assert.Contains(expected, error.Message);
        Assert.StartsWith("MultiPaxos[", error.Message);
    }

    /// <summary>The store's replicas refine the key-value spec: each replica's applied log, mapped to the commands its state machine ran, in one order everywhere.</summary>
    [Fact]
    public void Store_RefinesTheKeyValueSpec_WithEachReplicasAppliedLogMapped()
    {
        var system = MultiPaxosNode.System(new MultiPaxosConfig(Slots: 8, OperationsPerClient: 3) { ClientsLinearizable = true });
        Assert.Contains(system.Spec.Properties, p => p.Name == "KeyValueStore.SameOrderEverywhere");
        Assert.Contains(system.StateMapping!.Entries, e => e.Variable.Name == "KeyValueStore.executed");
        var result = system.Tester(new TestOptions { Seed = 21, Iterations = 500, MaxSteps = 300, CheckLiveness = false, Faults = FaultModel.Full(f: 1, losses: 3, duplicates: 2, partitions: 1) }).Run();
        output.WriteLine(result.ToString());
        Assert.True(result.Holds);
        Assert.True(result.Coverage.Steps > 10_000);
    }
}
