using Verification.Checkers.Smt;
using Verification.Protocols.Raft;
using Verification.Specs;
using Xunit.Abstractions;

namespace Verification.Protocols.Tests.Raft;

/// <summary>Raft's safety properties sent to Z3 by induction: finite (3 servers) and parametric (every N, EPR).</summary>
public class RaftProofTests(ITestOutputHelper output)
{
    [Fact]
    public void RaftForEveryN_IsProvedInEpr()
    {
        var model = RaftRelational.Create();
        var result = RelationalProver.Prove(model);
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Holds, result.Verdict);
        Assert.Equal(model.Invariants.Count * (1 + model.Actions.Count), result.Coverage.Obligations);
    }

    [Fact]
    public void RaftModel_InductiveInvariant_ProvesRaftsSafetyProperties()
    {
        var spec = RaftModel.Create(servers: 3, terms: 3, logLength: 2, commands: 2);
        var result = Prover.Prove(spec);
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Holds, result.Verdict);
        foreach (var property in new[] { "ElectionSafety", "LogMatching", "LeaderCompleteness", "StateMachineSafety" })
            Assert.Contains(property, result.Subject);
    }

    [Fact]
    public void RaftForEveryN_WithoutTheUpToDateCheckInvariant_FailsWithAFiniteCounterexample()
    {
        var model = RaftRelational.Create();
        var result = RelationalProver.Prove(model.WithInvariants(model.Invariants.Select(i => i.Name).Where(n => n != RaftModel.VotedCandidateHoldsChoosableEntry).ToList()));
        output.WriteLine(result.ToString());
        Assert.Equal(Inconclusive.NotInductive, result.Why);
        var found = Assert.IsType<ModelCounterexample>(result.Counterexample);
        // A candidate becomes leader with the vote of a server that acked an entry of an earlier term, and the new
        // term's log lacks it: without the dropped invariant, nothing ties that vote to the candidate's log.
        Assert.Equal("LaterTermLogsHoldChoosableEntries", found.Property);
        Assert.Equal("BecomeLeader", found.Action);
        Assert.Contains("(Term, Index in order)", found.Model);
        Assert.Contains("action: BecomeLeader(N = n", found.Model);
        Assert.Contains("acked(", found.Model);
        Assert.Contains("+started(t", found.Model);
    }

    [Fact]
    public void RaftModel_WithoutTheUpToDateCheckInvariant_GivesAReadableCounterexampleToInduction()
    {
        var spec = RaftModel.Create(servers: 3, terms: 3, logLength: 2, commands: 2);
        var claims = spec.Properties.Where(p => p.Kind is PropertyKind.Invariant or PropertyKind.Step && p.Name != RaftModel.VotedCandidateHoldsChoosableEntry).ToList();
        var result = Prover.Prove(spec, claims, new ProverOptions { UnrollingDepth = 2 });
        output.WriteLine(result.ToString());
        Assert.Equal(Inconclusive.NotInductive, result.Why);
        // A candidate wins an election lacking an entry committed in an earlier term: nothing but the dropped invariant
        // ties the votes it got to the logs of the servers that stored that entry.
        Assert.Equal("LeaderCompleteness", result.Counterexample!.Property);
        var elected = Assert.IsType<LeaderElected>(result.Proof!.Event);
        var pre = result.Proof!.PreState!.ToDictionary(v => v.Name, v => v.Value);
        Assert.True(Enumerable.Range(0, 3).Count(m => (int)pre[$"vote[s{m},t{elected.Term}]"]! == elected.Server) >= 2, "the new leader has a majority of votes");
        var missing = Enumerable.Range(0, elected.Term).SelectMany(t => Enumerable.Range(1, 2).Select(i => (Term: t, Index: i)))
            .Where(c => (bool)pre[$"chosen[t{c.Term},i{c.Index}]"]! && (int)pre[$"entryTerm[s{elected.Server},i{c.Index}]"]! != c.Term).ToList();
        Assert.NotEmpty(missing);
        var text = result.ToString();
        Assert.Contains("not inductive: LeaderCompleteness", text);
        Assert.Contains($"event: LeaderElected(Server: {elected.Server}, Term: {elected.Term})", text);
    }

    [Fact]
    public void ParametricAndFiniteModels_ClaimTheSameSafetyProperties()
    {
        var finite = RaftModel.Create().Properties.Select(p => p.Name).ToHashSet();
        var parametric = RaftRelational.Create().Invariants.Select(i => i.Name).ToList();
        foreach (var property in new[] { "ElectionSafety", "LogMatching", "LeaderCompleteness", "StateMachineSafety", RaftModel.VotedCandidateHoldsChoosableEntry })
        {
            Assert.Contains(property, finite);
            Assert.Contains(property, parametric);
        }
        // Named the same where they state the same fact. The others are the relational form's stand-ins for what
        // integers give the finite one for free (a current term, left terms, logs as functions of the index, started
        // terms) or for its commit index (learned commits), and lemmas that keep its proof fast.
        Assert.Equal(
            ["LeftIsBelowCurrent", "VoterLeftLowerTerms", "LeadersOnlyInReachedTerms", "LeaderStartedItsTerm", "StartedTermsHaveALeader", "NoEntryAtIndex0",
             "EntriesAreUsed", "OneTermAndValuePerEntry", "NoEntryInTerm0", "TermsAscendAlongLogs", "CommittedEntriesInLaterTermLogs", "LearnedWasChosen", "LearnedEntryKept",
             "AcksOnlyInReachedTerms", "LearnedPrefixIsTermLog"],
            parametric.Where(n => !finite.Contains(n)).ToList());
    }

    [Fact]
    public void BothProvers_GiveTheSameAnswer_AtAnyParallelism()
    {
        var spec = RaftModel.Create(servers: 3, terms: 3, logLength: 2, commands: 2);
        var claims = spec.Properties.Where(p => p.Kind is PropertyKind.Invariant or PropertyKind.Step && p.Name != RaftModel.VotedCandidateHoldsChoosableEntry).ToList();
        var one = Prover.Prove(spec, claims, new ProverOptions { UnrollingDepth = 1 });
        var two = Prover.Prove(spec, claims, new ProverOptions { UnrollingDepth = 1, Parallelism = 2 });
        Assert.Equal(Inconclusive.NotInductive, one.Why);
        Assert.Equal(one.Proof!.Property, two.Proof!.Property);
        Assert.Equal(one.Proof!.Event, two.Proof!.Event);
        Assert.Equal(one.Proof!.PreState, two.Proof!.PreState);
        Assert.Equal(Verdict.Holds, Prover.Prove(spec, options: new ProverOptions { Parallelism = 2 }).Verdict);

        var model = RaftRelational.Create();
        var without = model.WithInvariants(model.Invariants.Select(i => i.Name).Where(n => n != RaftModel.VotedCandidateHoldsChoosableEntry).ToList());
        Assert.Equal(RelationalProver.Prove(without).Counterexample, RelationalProver.Prove(without, new ProverOptions { Parallelism = 2 }).Counterexample);
    }
}
