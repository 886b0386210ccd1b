using Verification.Checkers.Smt;
using Verification.Protocols.MultiPaxos;
using Verification.Specs;
using Xunit.Abstractions;

namespace Verification.Protocols.Tests.MultiPaxos;

/// <summary>Multi-Paxos sent to Z3: per-slot agreement by induction, finite (3 acceptors) and parametric (every N, EPR).</summary>
public class MultiPaxosProofTests(ITestOutputHelper output)
{
    private static List<Property> ClaimsWithout(Spec<MultiPaxosStep> spec, string left) =>
        spec.Properties.Where(p => p.Kind is PropertyKind.Invariant or PropertyKind.Step && p.Name != left).ToList();

    [Fact]
    public void MultiPaxosModel_InductiveInvariant_ProvesAgreementInEverySlot()
    {
        var spec = MultiPaxosModel.Create(acceptors: 3, slots: 2, rounds: 3, values: 2);
        var result = Prover.Prove(spec);
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Holds, result.Verdict);
        Assert.Contains("SlotAgreement", result.Subject);
        Assert.Contains(MultiPaxosModel.Choosable, result.Subject);
    }

    [Fact]
    public void MultiPaxosForEveryN_IsProvedInEpr()
    {
        var model = MultiPaxosRelational.Create();
        var result = RelationalProver.Prove(model);
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Holds, result.Verdict);
        Assert.Equal(model.Invariants.Count * (1 + model.Actions.Count), result.Coverage.Obligations);
    }

    [Fact]
    public void MultiPaxosModel_WithoutChoosable_GivesAReadableCounterexampleToInduction()
    {
        var spec = MultiPaxosModel.Create(acceptors: 3, slots: 2, rounds: 3, values: 2);
        var result = Prover.Prove(spec, ClaimsWithout(spec, MultiPaxosModel.Choosable), new ProverOptions { UnrollingDepth = 3 });
        output.WriteLine(result.ToString());
        Assert.Equal(Inconclusive.NotInductive, result.Why);
        Assert.Equal("SlotAgreement", result.Counterexample!.Property);
        var decided = Assert.IsType<SlotDecided>(result.Proof!.Event);
        var pre = result.Proof!.PreState!.ToDictionary(v => v.Name, v => (int)v.Value!);
        var earlier = pre[$"decided[s{decided.Slot}]"];
        Assert.NotEqual(MultiPaxosModel.None, earlier);
        Assert.NotEqual(decided.Value, earlier);
        output.WriteLine($"slot {decided.Slot}: decided {earlier}, now deciding {decided.Value}");
        // Without choosable, the pre-state has two values each voted by a majority in its own round of that slot.
        var chosen = Enumerable.Range(0, 3).SelectMany(r => Enumerable.Range(0, 2)
            .Where(v => Enumerable.Range(0, 3).Count(a => pre[$"votes[a{a},s{decided.Slot},r{r}]"] == v) >= 2)).Distinct().ToList();
        Assert.Contains(earlier, chosen);
        Assert.Contains(decided.Value, chosen);
        var text = result.ToString();
        Assert.Contains("not inductive: SlotAgreement", text);
        Assert.Contains($"event: SlotDecided(Slot: {decided.Slot}, Value: {decided.Value})", text);
    }

    [Fact]
    public void MultiPaxosForEveryN_WithoutChoosable_FailsWithAFiniteCounterexample()
    {
        var model = MultiPaxosRelational.Create();
        var result = RelationalProver.Prove(model.WithInvariants(model.Invariants.Select(i => i.Name).Where(n => n != MultiPaxosModel.Choosable).ToList()));
        output.WriteLine(result.ToString());
        Assert.Equal(Inconclusive.NotInductive, result.Why);
        var found = Assert.IsType<ModelCounterexample>(result.Counterexample);
        Assert.Equal("SlotAgreement", found.Property);
        Assert.Equal("Decide", found.Action);
        Assert.Contains("decided(s0, r", found.Model);
        Assert.Contains("action: Decide(I = s0, V = v", found.Model);
        Assert.Contains("(Round in order)", found.Model);
    }

    [Fact]
    public void ParametricAndFiniteModels_ClaimTheSameSafetyInvariants()
    {
        var finite = MultiPaxosModel.Create().Properties.Select(p => p.Name).ToHashSet();
        var parametric = MultiPaxosRelational.Create().Invariants.Select(i => i.Name).ToList();
        // Named the same where they state the same fact; the relational form's stand-in for numbers is the one extra.
        Assert.Equal(["JoinLeavesLowerRounds"], parametric.Where(n => !finite.Contains(n)).ToList());
        Assert.Contains("SlotAgreement", parametric);
        Assert.Contains(MultiPaxosModel.Choosable, parametric);
    }
}
