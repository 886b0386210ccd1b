using Verification.Checkers.Smt;
using Verification.Protocols.Paxos;
using Xunit.Abstractions;

namespace Verification.Protocols.Tests.Paxos;

/// <summary>Paxos against Lamport's Voting: the refinement proved by induction.</summary>
public class PaxosVotingTests(ITestOutputHelper output)
{
    [Fact]
    public void PaxosRefinesVoting_ByInduction()
    {
        var spec = PaxosVotingRefinement.Create(acceptors: 3, values: 2, ballots: 3);
        var result = Prover.Prove(spec);
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Holds, result.Verdict);
        Assert.Contains("Voting.VotesSafe", result.ToString());
    }

    [Fact]
    public void WithoutChoosable_VotesAreNotProvablySafeInVotingsSense()
    {
        var spec = PaxosVotingRefinement.Create(acceptors: 3, values: 2, ballots: 3);
        var result = Prover.Prove(spec, spec.Properties.Where(p => p.Kind is Specs.PropertyKind.Invariant or Specs.PropertyKind.Step && p.Name != PaxosSpec.Choosable), new ProverOptions { UnrollingDepth = 3 });
        output.WriteLine(result.ToString());
        Assert.Equal(Inconclusive.NotInductive, result.Why);
        // The first of Voting's safety claims the prover tries breaks: its invariant, or the guard on the vote itself.
        Assert.Contains(result.Counterexample!.Property, new[] { "Voting.VotesSafe", "Voting.VoteOnlyWhenSafe" });
    }
}
