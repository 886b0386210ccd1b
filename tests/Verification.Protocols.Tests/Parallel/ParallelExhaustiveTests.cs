using Verification.Checkers.Systematic;
using Verification.Protocols.Paxos;
using Verification.Protocols.Raft;
using Xunit.Abstractions;

namespace Verification.Protocols.Tests.Parallel;

/// <summary>
/// The shipped protocols' exhaustive searches on two workers: the same states and transitions as the sequential
/// search (the pinned counts), and the same planted bug found. The full Raft configuration (1,489,814 states) is
/// measured in bench/ (ParallelExhaustiveBenchmarks); a smaller one is compared here, sequential against parallel.
/// </summary>
public class ParallelExhaustiveTests(ITestOutputHelper output)
{
    [Fact]
    public void Paxos_TwoProposersThreeAcceptors_OnTwoWorkers_CoversThePinnedStatesAndTransitions()
    {
        var report = PaxosNode.System(new PaxosConfig(Proposers: 2, Acceptors: 3, MaxRounds: 1, Learners: 1))
            .Tester(new TestOptions { CheckLiveness = false, Parallelism = 2, DeliverIgnoredFirst = false }).Explore(maxDepth: 100);
        output.WriteLine(report.ToString());
        Assert.True(report.Holds);
        Assert.Contains("2 workers", report.Method);
        Assert.Equal(671_225, report.Coverage.States); // pinned in PaxosTests (sequential)
        Assert.Equal(PaxosTransitions, report.Coverage.Transitions);
    }

    /// <summary>With stale messages delivered first, the choice of which depends on the state alone: two workers reach the sequential search's states.</summary>
    [Fact]
    public void Paxos_WithStaleMessagesFirst_OnTwoWorkers_TheSequentialStates()
    {
        var protocol = PaxosNode.System(new PaxosConfig(Proposers: 2, Acceptors: 3, MaxRounds: 1, Learners: 1));
        var sequential = protocol.Tester(new TestOptions { CheckLiveness = false }).Explore(maxDepth: 100);
        var parallel = protocol.Tester(new TestOptions { CheckLiveness = false, Parallelism = 2 }).Explore(maxDepth: 100);
        output.WriteLine(parallel.ToString());
        Assert.True(parallel.Holds);
        Assert.Equal(sequential.Coverage.States, parallel.Coverage.States);
        Assert.Equal(sequential.Coverage.Transitions, parallel.Coverage.Transitions);
        Assert.True(parallel.Coverage.States < 671_225 / 5);
    }

    /// <summary>The sequential search's transitions in the configuration above (PaxosTests.TwoProposersThreeAcceptors_OneBallotEach_ExhaustivelySafe prints them).</summary>
    private const long PaxosTransitions = 3_845_032;

    [Fact]
    public void Paxos_PlantedBug_IsFoundOnTwoWorkers()
    {
        var config = new PaxosConfig(Proposers: 2, Acceptors: 3, MaxRounds: 1, Learners: 1, Bugs: PaxosBug.ProposerIgnoresReportedValue);
        var report = PaxosNode.System(config).Tester(new TestOptions { CheckLiveness = false, Parallelism = 2 }).Explore(maxDepth: 100);
        output.WriteLine(report.ToString());
        Assert.Equal("ProposalIsSafe", report.Bug?.Property);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Raft_OneRequest_SameStatesAndTransitions_AsTheSequentialSearch(int workers)
    {
        var config = RaftConfig.ForExhaustiveSearch() with { Clients = 1 };
        var sequential = RaftExplore(config, 1);
        var parallel = RaftExplore(config, workers);
        output.WriteLine(sequential.ToString());
        output.WriteLine(parallel.ToString());
        Assert.True(sequential.Holds);
        Assert.True(parallel.Holds);
        Assert.Equal(sequential.Coverage.States, parallel.Coverage.States);
        Assert.Equal(sequential.Coverage.Transitions, parallel.Coverage.Transitions);
        Assert.Equal(sequential.Within, parallel.Within); // the network bound's count of states not expanded too
    }

    [Fact]
    public void Raft_PlantedBug_IsFoundOnTwoWorkers()
    {
        var report = RaftExplore(RaftConfig.ForExhaustiveSearch(RaftBug.VotesWithoutLogCheck), 2);
        output.WriteLine(report.ToString());
        Assert.Equal("LeaderCompleteness", report.Bug?.Property);
    }

    private static CheckResult RaftExplore(RaftConfig config, int workers) =>
        RaftNode.System(config).Tester(new TestOptions { CheckLiveness = false, Parallelism = workers })
            .Explore(maxDepth: 200, maxInFlight: RaftConfig.ExhaustiveSearchInFlight);
}
