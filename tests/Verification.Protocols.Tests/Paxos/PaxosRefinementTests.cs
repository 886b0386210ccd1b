using Verification.Checkers.Smt;
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
}
