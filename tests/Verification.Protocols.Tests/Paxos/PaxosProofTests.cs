using Verification.Checkers.Smt;
using Verification.Protocols.Paxos;
using Verification.Specs;
using Xunit.Abstractions;

namespace Verification.Protocols.Tests.Paxos;

/// <summary>The Paxos protocol spec's invariants sent to Z3: finite (3 and 5 acceptors) and parametric (every N, EPR).</summary>
public class PaxosProofTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void PaxosSpec_InductiveInvariant_ProvesConsensus(int acceptors)
    {
        var spec = PaxosSpec.Create(acceptors, values: 2, ballots: 3);
        var result = Prover.Prove(spec);
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Holds, result.Verdict);
        Assert.Contains("Agreement", result.Subject);
        Assert.Contains(PaxosSpec.Choosable, result.Subject);
    }

    [Fact]
    public void PaxosSpec_WithoutChoosable_GivesAReadableCounterexampleToInduction()
    {
        var spec = PaxosSpec.Create(acceptors: 3, values: 2, ballots: 3);
        var claims = spec.Properties.Where(p => p.Kind is PropertyKind.Invariant or PropertyKind.Step && p.Name != PaxosSpec.Choosable).ToList();
        var result = Prover.Prove(spec, claims, new ProverOptions { UnrollingDepth = 4 });
        output.WriteLine(result.ToString());
        Assert.Equal(Inconclusive.NotInductive, result.Why);
        // The pre-state has two different values each voted by a quorum (unreachable: choosable excludes it) and a
        // learner learning the second one.
        Assert.Equal("Agreement", result.Counterexample!.Property);
        var learned = Assert.IsType<Learned>(result.Proof!.Event);
        var votes = result.Proof!.PreState!.Where(v => v.Name.StartsWith("votes[", StringComparison.Ordinal)).ToDictionary(v => v.Name, v => (int)v.Value!);
        var chosen = Enumerable.Range(0, 3).Select(b => Enumerable.Range(0, 2).Where(v => Enumerable.Range(0, 3).Count(a => votes[$"votes[a{a},b{b}]"] == v) >= 2).ToList())
            .SelectMany(values => values).Distinct().ToList();
        Assert.True(chosen.Count == 2, "both values are chosen in the pre-state");
        Assert.Contains(learned.Value, chosen);
        var text = result.ToString();
        Assert.Contains("pre-state:", text);
        Assert.Contains("votes[a0,b", text);
        Assert.Contains("event: Learned", text);
    }

    [Fact]
    public void PaxosForEveryN_IsProvedInEpr()
    {
        var result = RelationalProver.Prove(PaxosRelational.Create());
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Holds, result.Verdict);
        var model = PaxosRelational.Create();
        Assert.Equal(model.Invariants.Count * (1 + model.Actions.Count), result.Coverage.Obligations);
    }

    [Fact]
    public void FlexiblePaxosForEveryN_IsProvedAssumingOnlyThatPhase1QuorumsMeetPhase2Quorums()
    {
        var model = PaxosRelational.Create(PaxosQuorums.Flexible);
        var result = RelationalProver.Prove(model);
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Holds, result.Verdict);
        Assert.Equal(model.Invariants.Count * (1 + model.Actions.Count), result.Coverage.Obligations);
        Assert.Equal(["Phase1MeetsPhase2"], model.Axioms.Select(a => a.Name).Where(n => n.Contains("Phase", StringComparison.Ordinal)));
        Assert.Contains("the axioms (BallotsStrictlyOrdered, BallotOrderTransitive, BallotOrderTotal, Phase1MeetsPhase2)", result.Within);
    }

    [Fact]
    public void FlexiblePaxos_AssumingOnlyThatPhase2QuorumsIntersect_IsNotInductive_AndSaysWhere()
    {
        var result = RelationalProver.Prove(PaxosRelational.Create(PaxosQuorums.FlexibleWithPhase2IntersectionOnly));
        output.WriteLine(result.ToString());
        Assert.Equal(Inconclusive.NotInductive, result.Why);
        var found = Assert.IsType<ModelCounterexample>(result.Counterexample);
        // A proposal backed by a phase-1 quorum that misses a phase-2 quorum which may have chosen another value.
        Assert.Equal(PaxosSpec.Choosable, found.Property);
        Assert.Equal("Propose", found.Action);
        Assert.Contains("Phase1Quorum: p1q0 = {", found.Model);
        Assert.Contains("Phase2Quorum: p2q0 = {", found.Model);
    }

    [Fact]
    public void PaxosForEveryN_WithoutChoosable_FailsWithAFiniteCounterexample()
    {
        var model = PaxosRelational.Create();
        var result = RelationalProver.Prove(model.WithInvariants(model.Invariants.Select(i => i.Name).Where(n => n != PaxosSpec.Choosable).ToList()));
        output.WriteLine(result.ToString());
        Assert.Equal(Inconclusive.NotInductive, result.Why);
        var found = Assert.IsType<ModelCounterexample>(result.Counterexample);
        Assert.Equal("Agreement", found.Property);
        Assert.Equal("Learn", found.Action);
        Assert.Contains("learned(v", found.Model);
        Assert.Contains("action: Learn(V = v", found.Model);
        Assert.Contains("quorums: q0 = {", found.Model);
    }

    [Fact]
    public void ParametricAndFiniteSpecs_ClaimTheSameSafetyInvariants()
    {
        var finite = PaxosSpec.Create(3, 2, 3).Properties.Select(p => p.Name).ToHashSet();
        var parametric = PaxosRelational.Create().Invariants.Select(i => i.Name).ToList();
        // Named the same where they state the same fact; the two extra ones are the relational form's stand-ins for numbers.
        var onlyParametric = parametric.Where(n => !finite.Contains(n)).ToList();
        Assert.Equal(["PromiseLeavesLowerBallots"], onlyParametric);
        Assert.Contains(PaxosSpec.Choosable, parametric);
    }

    [Fact]
    public void RelationalModel_WithContradictoryAxioms_IsRejectedAsVacuous()
    {
        var model = PaxosRelational.Create();
        var broken = model with { Axioms = [.. model.Axioms, new NamedFormula("NoBallots", "(forall ((x Ballot) (y Ballot)) (lt x y))")] };
        var error = Assert.ThrowsAny<SpecException>(() => RelationalProver.Prove(broken));
        Assert.Contains("vacuously", error.Message);
    }

    [Fact]
    public void RelationalModel_UnknownInvariantName_IsAClearError()
    {
        var error = Assert.Throws<SpecException>(() => PaxosRelational.Create().WithInvariants(["Choosable"]));
        Assert.Contains("'Choosable' is not an invariant of PaxosParametric", error.Message);
    }
}
