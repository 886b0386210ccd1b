using Verification.Checkers.Smt;
using Verification.Checkers.Systematic;
using Verification.Protocols.Paxos;
using Xunit.Abstractions;

namespace Verification.Protocols.Tests.Paxos;

/// <summary>Paxos refines Consensus: checked on histories, and proved by Z3 for a bounded configuration.</summary>
public class PaxosRefinementTests(ITestOutputHelper output)
{
    [Fact]
    public void PaxosRefinesConsensus_IsProvedByInduction()
    {
        var spec = PaxosRefinement.RefinesConsensus(acceptors: 3, values: 2, ballots: 2);
        output.WriteLine(spec.Print());
        var result = Prover.Prove(spec);
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Holds, result.Verdict);
    }

    [Fact]
    public void AMappingThatDropsLearning_IsCaughtWithTheAbstractObligation()
    {
        var spec = PaxosRefinement.RefinesConsensus(acceptors: 3, values: 2, ballots: 2, PaxosRefinement.DropsLearning);
        var result = Prover.BoundedCheck(spec, depth: 6);
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Violated, result.Verdict);
        Assert.Equal("Consensus.chosen=mapping", result.Counterexample!.Property);
    }

    /// <summary>
    /// The implementation against "Paxos refines Consensus", every interleaving: Consensus's copy is a function of the
    /// Paxos spec's state, so the search visits exactly the states it visits against the Paxos spec alone.
    /// </summary>
    [Fact]
    public void TheImplementation_RefinesConsensus_InEveryInterleaving_WithoutAddingStates()
    {
        var system = new PaxosSystem();
        var check = system.Checks.Single(check => check.Configuration == "refines-consensus-exhaustive");
        var report = system.Run(check);
        output.WriteLine(report.ToString());
        Assert.True(report.Holds);
        Assert.Equal(671_225, report.Coverage.States); // the count pinned for the Paxos spec alone
    }

    [Fact]
    public void TheImplementation_WithAMappingThatDropsLearning_IsCaught_AndReplays()
    {
        var system = new PaxosSystem();
        var check = system.Checks.Single(check => check.Configuration == "refinement-bug:DropsLearning");
        var report = system.Run(check, options => options with { Iterations = 2000 });
        output.WriteLine(report.ToString());
        Assert.Equal("Consensus.chosen=mapping", report.Bug!.Property);
        Assert.Contains("Learned(", report.ToString());
    }
}
