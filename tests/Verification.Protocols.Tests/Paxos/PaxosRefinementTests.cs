using Verification.Checkers.Smt;
using Verification.Checkers.Systematic;
using Verification.Protocols.Paxos;
using Verification.Specs;
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
        Assert.Equal(110_809, report.Coverage.States); // the count pinned for the Paxos spec alone (stale messages delivered first; 671,225 without)
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

    [Fact]
    public void AssertRefines_PassesARecordedRun_AndFailsAForeignOne_NamingTheAbstractEventAndProperty()
    {
        var spec = PaxosRefinement.RefinesConsensus(acceptors: 3, values: 2, ballots: 2);
        PaxosEvent[] decided =
        [
            new Promised(0, 0, -1, -1), new Promised(1, 0, -1, -1), new Proposed(0, 0, 1), new Voted(0, 0, 1), new Voted(1, 0, 1), new Learned(0, 1),
        ];
        History.AssertRefines(spec, decided);
        // A learner that learns what no quorum voted for breaks Paxos's own rule; one that learns before it breaks
        // Consensus too, and the report says which abstract event the step stood for.
        var failure = Assert.Throws<CheckFailedException>(() => History.AssertRefines(spec, [.. decided[..5], new Learned(1, 0)]));
        output.WriteLine(failure.Message);
        Assert.Contains("in Consensus this event is ValueLearned(Learner: 1, Value: 0)", failure.Message);
        Assert.Contains("after event #6: Learned(Learner: 1, Value: 0)", failure.Message);
    }
}
