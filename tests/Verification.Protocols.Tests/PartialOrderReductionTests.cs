using Verification.Checkers;
using Verification.Checkers.Systematic;
using Verification.Protocols.Paxos;
using Verification.Protocols.Raft;
using Xunit.Abstractions;

namespace Verification.Protocols.Tests;

/// <summary>
/// The two partial-order reductions on every shipped exhaustive check. Sleep sets skip transitions, never states: the
/// same states and verdict. Delivering messages declared ignored for ever first (IgnoredFirst.cs) skips states: the
/// same verdict with no more states, and the result says which reduction ran. Planted bugs are found either way.
/// </summary>
public sealed class PartialOrderReductionTests(ITestOutputHelper output)
{
    /// <summary>Every exhaustive check every shipped system declares, as (system, check) names.</summary>
    public static TheoryData<string, string> ExhaustiveChecks()
    {
        var data = new TheoryData<string, string>();
        foreach (var system in SystemRegistry.In(typeof(RaftSystem).Assembly))
            foreach (var check in system.Checks.Where(check => check.Method is ExhaustiveSearch))
                data.Add(system.Name, check.Name);
        return data;
    }

    private static TestOptions Unreduced(TestOptions options) => options with { DeliverIgnoredFirst = false };

    [Theory]
    [MemberData(nameof(ExhaustiveChecks))]
    public void EveryShippedExhaustiveCheck_SameVerdict_SleepSetsSameStates_IgnoredFirstNoMoreStates(string systemName, string checkName)
    {
        var system = SystemRegistry.In(typeof(RaftSystem).Assembly).Single(s => s.Name == systemName);
        var check = system.Checks.Single(c => c.Name == checkName);
        var full = system.Run(check, Unreduced);
        var asleep = system.Run(check with { Method = ((ExhaustiveSearch)check.Method) with { PartialOrder = true } }, Unreduced);
        var declared = system.Run(check);
        output.WriteLine(full.ToString());
        output.WriteLine(asleep.ToString());
        output.WriteLine(declared.ToString());
        foreach (var reduced in new[] { asleep, declared })
        {
            Assert.Equal(full.Verdict, reduced.Verdict);
            Assert.True(check.Expected.Matches(reduced), $"expected {check.Expected}, got {reduced}");
        }
        if (full.Verdict == Verdict.Holds)
        {
            Assert.Equal(full.Coverage.States, asleep.Coverage.States);
            Assert.True(declared.Coverage.States <= full.Coverage.States);
        }
        Assert.True(asleep.Coverage.Transitions <= full.Coverage.Transitions);
        Assert.Contains(asleep.Within, line => line.StartsWith("partial-order reduction", StringComparison.Ordinal));
    }

    /// <summary>Paxos's planted bugs, each in the exhaustive configuration, found with the same property with and without each reduction.</summary>
    [Theory]
    [InlineData(PaxosBug.ProposerIgnoresReportedValue)]
    [InlineData(PaxosBug.MinorityQuorum)]
    [InlineData(PaxosBug.AcceptsLowerBallot)]
    [InlineData(PaxosBug.PromiseOmitsAcceptedValue)]
    public void PaxosPlantedBugs_FoundWithAndWithout(PaxosBug bug)
    {
        var protocol = PaxosNode.System(new PaxosConfig(Proposers: 2, Acceptors: 3, MaxRounds: 1, Learners: 1, Bugs: bug));
        var full = protocol.Tester(new TestOptions { CheckLiveness = false, DeliverIgnoredFirst = false }).Explore(maxDepth: 100);
        var asleep = protocol.Tester(new TestOptions { CheckLiveness = false }).Explore(maxDepth: 100, partialOrder: true);
        var declared = protocol.Tester(new TestOptions { CheckLiveness = false }).Explore(maxDepth: 100);
        output.WriteLine(full.ToString());
        output.WriteLine(declared.ToString());
        Assert.Equal(Verdict.Violated, full.Verdict);
        foreach (var reduced in new[] { asleep, declared })
        {
            Assert.Equal(Verdict.Violated, reduced.Verdict);
            Assert.Equal(full.Counterexample?.Property, reduced.Counterexample?.Property);
        }
        Assert.Contains(declared.Within, line => line.StartsWith("partial-order reduction: a message its addressee ignores for ever", StringComparison.Ordinal));
    }

    /// <summary>
    /// The Raft planted bug its exhaustive configuration reaches, found with a property the bug breaks with and
    /// without delivering stale replies first.
    /// </summary>
    [Theory]
    [InlineData(RaftBug.VotesWithoutLogCheck, "LeaderCompleteness", "StateMachineSafety")]
    public void RaftPlantedBugs_FoundWithAndWithoutStaleRepliesFirst(RaftBug bug, params string[] properties)
    {
        var protocol = RaftNode.System(RaftConfig.ForExhaustiveSearch(bug));
        var full = protocol.Tester(new TestOptions { CheckLiveness = false, DeliverIgnoredFirst = false }).Explore(maxDepth: 200, maxInFlight: RaftConfig.ExhaustiveSearchInFlight);
        var declared = protocol.Tester(new TestOptions { CheckLiveness = false }).Explore(maxDepth: 200, maxInFlight: RaftConfig.ExhaustiveSearchInFlight);
        output.WriteLine(full.ToString());
        output.WriteLine(declared.ToString());
        Assert.Contains(full.Counterexample?.Property, properties);
        Assert.Contains(declared.Counterexample?.Property, properties);
        Assert.Contains(declared.Within, line => line.StartsWith("partial-order reduction: a message its addressee ignores for ever", StringComparison.Ordinal));
    }
}
