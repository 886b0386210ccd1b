using Verification.Checkers;
using Verification.Checkers.Systematic;
using Verification.Protocols.Paxos;
using Verification.Protocols.Raft;
using Xunit.Abstractions;

namespace Verification.Protocols.Tests;

/// <summary>
/// Sleep sets skip transitions, never states: every shipped exhaustive check reaches the same states and the same
/// verdict with the reduction on, and planted bugs are still found.
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

    [Theory]
    [MemberData(nameof(ExhaustiveChecks))]
    public void EveryShippedExhaustiveCheck_SameVerdictAndStates(string systemName, string checkName)
    {
        var system = SystemRegistry.In(typeof(RaftSystem).Assembly).Single(s => s.Name == systemName);
        var check = system.Checks.Single(c => c.Name == checkName);
        var full = system.Run(check);
        var reduced = system.Run(check with { Method = ((ExhaustiveSearch)check.Method) with { PartialOrder = true } });
        output.WriteLine(full.ToString());
        output.WriteLine(reduced.ToString());
        Assert.Equal(full.Verdict, reduced.Verdict);
        Assert.True(check.Expected.Matches(reduced), $"expected {check.Expected}, got {reduced}");
        if (full.Verdict == Verdict.Holds) Assert.Equal(full.Coverage.States, reduced.Coverage.States);
        Assert.True(reduced.Coverage.Transitions <= full.Coverage.Transitions);
        Assert.Contains(reduced.Within, line => line.StartsWith("partial-order reduction", StringComparison.Ordinal));
    }

    /// <summary>Paxos's planted bugs, each in the exhaustive configuration, found with the same property with and without the reduction.</summary>
    [Theory]
    [InlineData(PaxosBug.ProposerIgnoresReportedValue)]
    [InlineData(PaxosBug.MinorityQuorum)]
    [InlineData(PaxosBug.AcceptsLowerBallot)]
    [InlineData(PaxosBug.PromiseOmitsAcceptedValue)]
    public void PaxosPlantedBugs_FoundWithAndWithout(PaxosBug bug)
    {
        var tester = PaxosNode.System(new PaxosConfig(Proposers: 2, Acceptors: 3, MaxRounds: 1, Learners: 1, Bugs: bug)).Tester(new TestOptions { CheckLiveness = false });
        var full = tester.Explore(maxDepth: 100);
        var reduced = tester.Explore(maxDepth: 100, partialOrder: true);
        output.WriteLine(full.ToString());
        output.WriteLine(reduced.ToString());
        Assert.Equal(Verdict.Violated, full.Verdict);
        Assert.Equal(Verdict.Violated, reduced.Verdict);
        Assert.Equal(full.Counterexample?.Property, reduced.Counterexample?.Property);
    }
}
