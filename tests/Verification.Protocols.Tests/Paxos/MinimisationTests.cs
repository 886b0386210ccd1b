using Verification.Checkers.Systematic;
using Verification.Protocols.Paxos;
using Xunit.Abstractions;

namespace Verification.Protocols.Tests;

/// <summary>Minimisation reaches the length breadth-first search proves shortest, on every planted Paxos bug.</summary>
public sealed class MinimisationTests(ITestOutputHelper output)
{
    /// <summary>
    /// Issue 14 item 9. ddmin used to keep 12 steps of ProposerIgnoresReportedValue where 11 suffice: removing an
    /// acceptor's vote changed the text of that acceptor's later Promise (LastBallot −1 instead of 0), so replay, which
    /// matched steps by text, skipped the Promise and the candidate no longer failed. Steps now name their message by
    /// where it was sent, and the minimised run is as short as the shortest counterexample BFS finds.
    /// </summary>
    [Theory]
    [InlineData(PaxosBug.ProposerIgnoresReportedValue)]
    [InlineData(PaxosBug.MinorityQuorum)]
    [InlineData(PaxosBug.AcceptsLowerBallot)]
    [InlineData(PaxosBug.PromiseOmitsAcceptedValue)]
    public void MinimisedCounterexample_IsAsShortAsTheShortestBreadthFirstSearchFinds(PaxosBug bug)
    {
        var tester = PaxosNode.System(new PaxosConfig(Proposers: 2, Acceptors: 3, MaxRounds: 1, Learners: 1, Bugs: bug)).Tester(new TestOptions { CheckLiveness = false, Iterations = 20_000 });
        var shortest = (RunCounterexample)tester.Explore(maxDepth: 100, order: SearchOrder.BreadthFirst).Counterexample!;
        var minimised = (RunCounterexample)tester.Run().Counterexample!;
        output.WriteLine(minimised.Describe());
        Assert.Equal(shortest.Property, minimised.Property);
        Assert.True(minimised.OriginalSteps > minimised.Schedule.Steps.Count, "the random run was longer than its minimised schedule");
        Assert.Equal(shortest.Schedule.Steps.Count, minimised.Schedule.Steps.Count);
        // Every delivery names its message's origin, an earlier step or start-up, and the schedule replays strictly with it.
        Assert.All(minimised.Schedule.Steps.Select((step, i) => (step, i)).Where(s => s.step.Action.StartsWith("deliver", StringComparison.Ordinal)),
            s => Assert.InRange(s.step.Origin!.Step, 0, s.i));
        Assert.Equal(minimised.Property, tester.Replay(minimised.Schedule).Property);
        // Iterative deepening (depth-first searches under growing bounds) reaches the same shortest length unminimised.
        var deepening = (RunCounterexample)tester.Explore(maxDepth: 100, order: SearchOrder.IterativeDeepening).Counterexample!;
        Assert.Equal(shortest.OriginalSteps, deepening.OriginalSteps);
    }
}
