using Verification.Checkers;
using Verification.Checkers.Systematic;
using Verification.Protocols.Raft;
using Verification.Runtime;
using Xunit.Abstractions;

namespace Verification.Protocols.Tests.Raft;

/// <summary>Raft against its five safety properties, once-only in-order execution, and liveness.</summary>
public class RaftTests(ITestOutputHelper output)
{
    private static SystematicTester<RaftNodeState, RaftMessage, RaftTimer, RaftDurable, RaftEvent> Tester(RaftConfig config, TestOptions options) => new(RaftNode.System(config), options);

    private static readonly FaultModel Faults = FaultModel.Full(f: 1, losses: 3, duplicates: 2, partitions: 1);

    [Fact]
    public void Correct_IsSafe_UnderTheFullFaultModel()
    {
        var report = Tester(new RaftConfig(), new TestOptions { Seed = 21, Iterations = 2000, MaxSteps = 300, CheckLiveness = false, Faults = Faults }).Run();
        output.WriteLine(report.ToString());
        report.AssertHolds();
    }

    [Fact]
    public void Correct_CommitsEveryRequest_OnceTheNetworkIsStable()
    {
        var faults = new FaultModel { MaxLosses = 3, MaxCrashes = 1, MaxDownAtOnce = 1, CrashKinds = [CrashKind.Amnesia] };
        var report = Tester(new RaftConfig(MaxTerm: 40, LogCapacity: 10), new TestOptions { Seed = 22, Iterations = 500, MaxSteps = 600, LivenessThreshold = 300, SynchronousAfterFairPoint = true, Faults = faults }).Run();
        output.WriteLine(report.ToString());
        report.AssertHolds();
    }

    [Theory]
    [InlineData(RaftBug.CommitsEarlierTermByCounting, "StateMachineSafety|LeaderCompleteness")]
    [InlineData(RaftBug.VotesWithoutLogCheck, "LeaderCompleteness|StateMachineSafety")]
    [InlineData(RaftBug.ForgetsVote, "ElectionSafety")]
    [InlineData(RaftBug.AppendsWithoutTruncating, "LogMatching")]
    [InlineData(RaftBug.NoDeduplication, "ExecutedOnce")]
    public void PlantedBug_IsFound_WithTheSpecificProperty_AndReplays(RaftBug bug, string properties)
    {
        var config = RaftConfig.ForPlantedBug(bug);
        var found = Tester(config, new TestOptions { Seed = 23, Iterations = 100_000, MaxSteps = 300, CheckLiveness = false, Faults = Faults, Parallelism = 2 })
            .AssertFindsAndReplays(properties.Split('|'), FailureKind.Safety);
        output.WriteLine(found.ToString());
    }

    /// <summary>
    /// Raft §8: without a no-op, a new leader cannot commit the entries it inherited until a new request arrives (a
    /// retried one is already in its log): a submitted command waits forever, or an entry the old leader committed
    /// never reaches the other servers (Schneider's Agreement), whichever a run shows first.
    /// </summary>
    [Fact]
    public void WithoutTheNoOp_InheritedEntriesCanWaitForever()
    {
        var faults = new FaultModel { MaxLosses = 3, MaxCrashes = 1, MaxDownAtOnce = 1, CrashKinds = [CrashKind.Amnesia] };
        var found = Tester(new RaftConfig(MaxTerm: 40, LogCapacity: 8, NoOpOnElection: false),
                new TestOptions { Seed = 22, Iterations = 5000, MaxSteps = 600, LivenessThreshold = 300, SynchronousAfterFairPoint = true, Faults = faults })
            .AssertFindsAndReplays(["EverySubmittedCommandCommitted", "EveryServerAppliesTheCommittedPrefix"], FailureKind.Liveness);
        output.WriteLine(found.ToString());
    }

    private static SystematicTester<RaftNodeState, RaftMessage, RaftTimer, RaftDurable, RaftEvent> Store(RaftConfig config, TestOptions options) =>
        new(RaftNode.System(config) with { HistoryCheck = RaftSystem.LinearizableClients() }, options);

    /// <summary>The key-value store on Raft: every run's client history (put/append then get, per client) is linearizable.</summary>
    [Fact]
    public void Store_ClientHistories_AreLinearizable_UnderTheFullFaultModel()
    {
        var report = Store(new RaftConfig(OperationsPerClient: 3, LogCapacity: 8, MaxTerm: 5), new TestOptions { Seed = 24, Iterations = 3000, MaxSteps = 300, CheckLiveness = false, Faults = Faults }).Run();
        output.WriteLine(report.ToString());
        report.AssertHolds();
    }

    /// <summary>A leader that answers reads from its own state, without confirming leadership, serves stale reads: the Raft properties all hold, linearizability does not.</summary>
    [Fact]
    public void StaleLocalRead_IsCaughtByLinearizability_NotByTheRaftProperties()
    {
        var found = Store(RaftConfig.ForPlantedBug(RaftBug.LeaderReadsLocally), new TestOptions { Seed = 25, Iterations = 100_000, MaxSteps = 300, CheckLiveness = false, Faults = Faults, Parallelism = 2 })
            .AssertFindsAndReplays("Linearizable", FailureKind.Safety);
        output.WriteLine(found.ToString());
        Assert.Contains("not linearizable", found.ToString());
    }

    /// <summary>
    /// Every interleaving of 3 servers and 2 client requests with terms ≤ 2 and logs ≤ 3 entries (leader changes with
    /// committed entries are in reach), against every Raft property in every state, within 4 messages in flight.
    /// </summary>
    [Fact]
    public void ThreeServersTwoRequestsTwoTerms_ExhaustivelySafe()
    {
        // The check the system declares (and the default check runs), so the pinned count and the CLI cannot drift apart.
        var system = new RaftSystem();
        var check = system.Checks.Single(check => check.Configuration == "exhaustive" && check.Method is ExhaustiveSearch);
        var full = system.Run(check, options => options with { DeliverIgnoredFirst = false });
        var report = system.Run(check);
        output.WriteLine(full.ToString());
        output.WriteLine(report.ToString());
        Assert.True(full.Holds);
        Assert.Equal(1_489_814, full.Coverage.States); // pinned
        // As the check runs: stale votes and append replies delivered before anything else (Protocol.IgnoredForever).
        Assert.Null(report.Bug);
        Assert.True(report.Holds);
        Assert.Contains(report.Within, bound => bound.Contains("states beyond it not expanded"));
        Assert.Equal(1_046_856, report.Coverage.States); // pinned
    }

    /// <summary>
    /// Issue 14 item 6: Raft's real behaviour — heartbeats, client retries, one crash with amnesia and its recovery —
    /// searched to the end (the network bound is the only cut, and the report says so), count pinned.
    /// </summary>
    [Fact]
    public void HeartbeatsRetriesAndACrash_ExhaustivelySafe()
    {
        var system = new RaftSystem();
        var check = system.Checks.Single(check => check.Configuration == "exhaustive-real");
        var full = system.Run(check, options => options with { DeliverIgnoredFirst = false });
        var report = system.Run(check);
        output.WriteLine(full.ToString());
        output.WriteLine(report.ToString());
        Assert.True(full.Holds);
        Assert.Equal(489_977, full.Coverage.States); // pinned
        Assert.Equal(2_211_276, full.Coverage.Transitions);
        Assert.True(report.Holds);
        Assert.Contains(report.Within, bound => bound.Contains("≤ 1 crash (amnesia)"));
        Assert.Contains(report.Within, bound => bound.Contains("≤ 3 messages in flight"));
        Assert.DoesNotContain("incomplete", report.ToString());
        Assert.Equal(454_748, report.Coverage.States); // pinned, with stale replies delivered first (the check runs on 2 workers: the choice depends on the state alone)
        Assert.Equal(ReducedRealTransitions, report.Coverage.Transitions);
    }

    private const long ReducedRealTransitions = 1_942_890;

    /// <summary>The same search reaches a second leader elected without the log check and reports Leader Completeness.</summary>
    [Fact]
    public void ExhaustiveSearch_FindsTheVoteWithoutLogCheck()
    {
        var report = Tester(RaftConfig.ForExhaustiveSearch(RaftBug.VotesWithoutLogCheck), new TestOptions { CheckLiveness = false })
            .Explore(maxDepth: 200, maxInFlight: RaftConfig.ExhaustiveSearchInFlight);
        output.WriteLine(report.ToString());
        Assert.Equal("LeaderCompleteness", report.Bug?.Property);
    }

    /// <summary>A saved schedule names its system and configuration as JSON; it gives back the exact configuration, and a bad one is a clear error.</summary>
    [Fact]
    public void Configurations_RoundTripThroughJson_AndBadOnesAreClearErrors()
    {
        var system = new RaftSystem();
        var raft = new RaftConfig(Servers: 5, MaxTerm: 7, Bugs: RaftBug.ForgetsVote | RaftBug.NoDeduplication, NoOpOnElection: false, OperationsPerClient: 3) { ClientsLinearizable = true };
        var json = system.Build(raft).Identity!.Configuration;
        Assert.Contains("\"Bugs\":\"ForgetsVote, NoDeduplication\"", json);
        Assert.Equal(raft, Verification.Runtime.SystemConfiguration.FromJson<RaftConfig>(json, "Raft"));
        var error = Assert.Throws<Verification.Specs.SpecException>(() => ((Verification.Checkers.ISystemDefinition)system).BuildFromJson(json.Replace("\"Servers\":5", "\"Servers\":\"five\"")));
        Assert.Contains("system 'Raft': the configuration", error.Message);
        error = Assert.Throws<Verification.Specs.SpecException>(() => ((Verification.Checkers.ISystemDefinition)system).BuildFromJson(json.Replace("ForgetsVote", "Frobnicates")));
        Assert.Contains("is not a RaftConfig", error.Message);
        error = Assert.Throws<Verification.Specs.SpecException>(() => ((Verification.Checkers.ISystemDefinition)system).BuildFromJson(json.Replace("\"ElectionTimeoutSpread\":3", "\"ElectionTimeoutSpread\":0")));
        Assert.Contains("a spread of at least one", error.Message);
        error = Assert.Throws<Verification.Specs.SpecException>(() => ((Verification.Checkers.ISystemDefinition)system).BuildFromJson(json.Replace("\"Servers\":5", "\"Servres\":5")));
        Assert.Contains("Servres", error.Message);
    }
}
