using Verification.Checkers.Smt;
using Verification.Specs;
using Xunit.Abstractions;

namespace Verification.Checkers.Tests;

/// <summary>The relational prover's step encoding: changed relations as macros, unchanged ones shared, and the frame rule.</summary>
public class RelationalProverTests(ITestOutputHelper output)
{
    /// <summary>
    /// Two flags per value: Raise sets raised(V) and, when <paramref name="alsoLowers"/>, clears lowered(V). The claims:
    /// nothing is lowered (true: nothing ever sets it) and at most one value is raised (false after two Raise steps).
    /// </summary>
    private static RelationalModel Flags(bool alsoLowers, bool claimOneRaised) => new(
        "Flags", ["Value"], "", [],
        [new StateRelation("raised", ["Value"]), new StateRelation("lowered", ["Value"])],
        s => $"(forall ((v Value)) (and (not ({s["raised"]} v)) (not ({s["lowered"]} v))))",
        [new RelationalAction("Raise", [("V", "Value")], _ => "true",
            [
                new RelationUpdate("raised", ["v"], s => $"(or ({s["raised"]} v) (= v V))"),
                .. alsoLowers ? [new RelationUpdate("lowered", ["v"], s => $"(and ({s["lowered"]} v) (not (= v V)))")] : Array.Empty<RelationUpdate>(),
            ])],
        [
            new RelationalInvariant("NothingLowered", s => $"(forall ((v Value)) (not ({s["lowered"]} v)))"),
            .. claimOneRaised ? [new RelationalInvariant("OneRaised", s => $"(forall ((v Value) (w Value)) (=> (and ({s["raised"]} v) ({s["raised"]} w)) (= v w)))")] : Array.Empty<RelationalInvariant>(),
        ]);

    [Fact]
    public void AnInvariantTheActionCannotChange_HoldsWithoutAQuery_OneItCanChange_IsSentToZ3()
    {
        var untouched = RelationalProver.Prove(Flags(alsoLowers: false, claimOneRaised: false));
        output.WriteLine(untouched.ToString());
        Assert.Equal(Verdict.Holds, untouched.Verdict);
        Assert.Contains("NothingLowered after Raise: holds (reads nothing the action changes)", untouched.Notes);

        var touched = RelationalProver.Prove(Flags(alsoLowers: true, claimOneRaised: false));
        output.WriteLine(touched.ToString());
        Assert.Equal(Verdict.Holds, touched.Verdict);
        Assert.Matches(@"NothingLowered after Raise: holds \(\d+ ms\)", touched.Notes);
    }

    [Fact]
    public void ACounterexampleToInduction_ShowsWhatTheStepChanged_ReadFromTheMacros()
    {
        var result = RelationalProver.Prove(Flags(alsoLowers: false, claimOneRaised: true));
        output.WriteLine(result.ToString());
        Assert.Equal(Inconclusive.NotInductive, result.Why);
        var found = Assert.IsType<ModelCounterexample>(result.Counterexample);
        Assert.Equal("OneRaised", found.Property);
        // One value raised before the step, the other raised by it: the post-state is read from raised@1's definition.
        Assert.Contains("universe: Value {v0, v1}", found.Model);
        Assert.Matches(@"pre-state \(true facts\):\s+raised\(v[01]\)", found.Model);
        Assert.Matches(@"action: Raise\(V = v[01]\)\s+post-state changes: \+raised\(v[01]\)", found.Model);
    }

    [Fact]
    public void AnActionUpdatingARelationTwice_IsAClearError()
    {
        var model = Flags(alsoLowers: false, claimOneRaised: false);
        var twice = model with
        {
            Actions = [new RelationalAction("Raise", [("V", "Value")], _ => "true",
                [new RelationUpdate("raised", ["v"], s => $"({s["raised"]} v)"), new RelationUpdate("raised", ["v"], s => "true")])],
        };
        var error = Assert.Throws<SpecException>(() => RelationalProver.Prove(twice));
        Assert.Equal("Flags: action Raise updates raised twice", error.Message);
    }

    [Fact]
    public void ProvingActionsInParallel_ReportsTheFirstFailure_InTheModelsOrder_WithTheSameCounterexample()
    {
        // Three actions; the second and the third both break OneRaised. Whatever runs beside what, the report is the
        // second's, with the counterexample a sequential proof shows.
        var model = Flags(alsoLowers: false, claimOneRaised: true);
        var raise = model.Actions[0];
        var several = model with
        {
            Actions = [new RelationalAction("Wait", [], _ => "true", []), raise with { Name = "RaiseFirst" }, raise with { Name = "RaiseAgain" }],
        };
        var sequential = RelationalProver.Prove(several);
        output.WriteLine(sequential.ToString());
        var found = Assert.IsType<ModelCounterexample>(sequential.Counterexample);
        Assert.Equal("RaiseFirst", found.Action);
        for (var run = 0; run < 5; run++)
        {
            var parallel = RelationalProver.Prove(several, new ProverOptions { Parallelism = 3 });
            Assert.Equal(found, parallel.Counterexample);
            Assert.Equal(sequential.Coverage.Obligations, parallel.Coverage.Obligations);
        }
    }

    [Fact]
    public void AnActionWhoseGuardContradictsTheInvariants_IsAClearError_InParallelToo()
    {
        var model = Flags(alsoLowers: false, claimOneRaised: false);
        var never = model with { Actions = [model.Actions[0], new RelationalAction("Never", [], _ => "false", [])] };
        foreach (var parallelism in new[] { 1, 2 })
        {
            var error = Assert.Throws<SpecException>(() => RelationalProver.Prove(never, new ProverOptions { Parallelism = parallelism }));
            Assert.Equal("Flags: action Never's guard together with the invariants have no model, so every proof obligation about it would hold vacuously; check the axioms and the guard", error.Message);
        }
    }
}
