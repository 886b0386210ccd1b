using Verification.Checkers.Systematic;
using Verification.Protocols.Paxos;
using Xunit.Abstractions;

namespace Verification.Protocols.Tests.Paxos;

/// <summary>
/// Paxos Made Simple's livelock: with no fault at all, two proposers can keep preempting each other so that no
/// value is ever chosen; a distinguished proposer removes it.
/// </summary>
public class DuelingProposersTests(ITestOutputHelper output)
{
    private static SystematicTester<PaxosNodeState, PaxosMessage, PaxosTimer, PaxosNodeState, PaxosEvent> Tester(PaxosConfig config) =>
        new(PaxosNode.ConsensusSystem(config), new TestOptions());

    /// <summary>
    /// Two acceptors keep the search small (the plain DFS does not reach a cycle for three acceptors within 6 million
    /// states: the duel there needs about ten messages in flight); the livelock is the same.
    /// </summary>
    [Fact]
    public void TwoProposers_NoFaults_CanPreemptEachOtherForever()
    {
        var report = Tester(PaxosConfig.Duelling(acceptors: 2)).FindLivelock(maxDepth: 40, maxInFlight: 6);
        output.WriteLine(report.ToString());
        Assert.True(report.IsViolated);
        Assert.Equal("SomeValueLearned", report.Counterexample!.Property);
        Assert.NotEmpty(report.Lasso!.Cycle);
        Assert.True(report.Lasso!.UpToSymmetry);
        // The cycle is a duel: both proposers' prepares reach the acceptors in it, and nothing is learned ...
        Assert.Contains(report.Lasso!.Cycle, step => step.StartsWith("deliver n0→n2: Prepare", StringComparison.Ordinal));
        Assert.Contains(report.Lasso!.Cycle, step => step.StartsWith("deliver n1→n2: Prepare", StringComparison.Ordinal));
        // ... each because the other preempted it: the acceptors' rejections reach both proposers within the cycle.
        Assert.Contains(report.Lasso!.Cycle, step => step.StartsWith("deliver n2→n0: Preempted", StringComparison.Ordinal) || step.StartsWith("deliver n3→n0: Preempted", StringComparison.Ordinal));
        Assert.Contains(report.Lasso!.Cycle, step => step.StartsWith("deliver n2→n1: Preempted", StringComparison.Ordinal) || step.StartsWith("deliver n3→n1: Preempted", StringComparison.Ordinal));
        // No fault can be part of it: the default fault model injects none.
        Assert.DoesNotContain(report.Lasso!.Prefix.Concat(report.Lasso!.Cycle), step => step.StartsWith("drop", StringComparison.Ordinal) || step.StartsWith("crash", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void DistinguishedProposer_NoFaults_EveryFairRunLearns_Exhaustively(int acceptors)
    {
        var report = Tester(PaxosConfig.Duelling(acceptors) with { DistinguishedProposer = true }).FindLivelock(maxDepth: 60, maxInFlight: 12);
        output.WriteLine(report.ToString());
        Assert.False(report.IsViolated);
        Assert.True(report.Holds);
    }

    [Fact]
    public void DistinguishedProposer_StillSafe_UnderTheRandomPortfolio()
    {
        var config = new PaxosConfig(Proposers: 2, Acceptors: 3, MaxRounds: 1, DistinguishedProposer: true);
        PaxosNode.System(config).Tester(new TestOptions { Seed = 5, Iterations = 2000, MaxSteps = 200 }).Run().AssertHolds();
    }
}
