using Verification.Checkers.Smt;
using Verification.Specs;
using Verification.Specs.Examples;
using Xunit.Abstractions;

namespace Verification.Checkers.Tests;

/// <summary>The same spec definitions, sent to Z3: induction, counterexamples to induction, bounded unrolling.</summary>
public class ProverTests(ITestOutputHelper output)
{
    [Fact]
    public void SinceResetAtMostLength_IsProvedByInduction_WithItsNonNegativityLemma()
    {
        var spec = Counter.Create();
        var result = Prover.Prove(spec, [spec.Property("SinceResetNonNegative"), spec.Property("SinceResetAtMostLength")]);
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Holds, result.Verdict);
    }

    [Fact]
    public void SinceResetAtMostLength_Alone_IsNotInductive_AndTheCounterexampleToInductionIsReadable()
    {
        var spec = Counter.Create();
        var result = Prover.Prove(spec, [spec.Property("SinceResetAtMostLength")]);
        output.WriteLine(result.ToString());
        Assert.Equal(Inconclusive.NotInductive, result.Why);
        Assert.Equal("SinceResetAtMostLength", result.Counterexample!.Property);
        // The pre-state satisfies the claim, the post-state does not: only a Reset with C < -1 does that.
        var pre = result.Proof!.PreState!.ToDictionary(v => v.Name, v => (int)v.Value!);
        var post = result.Proof!.PostState!.ToDictionary(v => v.Name, v => (int)v.Value!);
        Assert.True(pre["SinceReset"] <= pre["C"]);
        Assert.True(post["SinceReset"] > post["C"]);
        Assert.Equal(new Reset(), result.Proof!.Event);
        Assert.Contains("event: Reset", result.ToString());
        Assert.Equal(8, result.Coverage.Depth); // the default unrolling bound, all of it searched
        Assert.Contains("No history of at most 8 events violates a claim", result.ToString());
    }

    [Fact]
    public void FalseClaim_SinceResetBelowLength_ComesBackAsACounterexampleHistory()
    {
        var spec = Counter.Create(withFalseClaim: true);
        var result = Prover.Prove(spec);
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Violated, result.Verdict);
        Assert.Equal("SinceResetBelowLength", result.Counterexample!.Property);
        Assert.Empty(result.Proof!.History!);
        Assert.Contains(new VariableValue("SinceReset", 0, true), result.Proof!.PostState!);
        Assert.Contains(new VariableValue("C", 0, true), result.Proof!.PostState!);
        Assert.True(result.Proof!.ConfirmedByEvaluation);
    }

    [Fact]
    public void BoundedCheck_FindsTheShortestViolatingHistory_AndItReplays()
    {
        var spec = new SpecBuilder<SchedulerEvent>("ClockBelowTwo");
        var clock = spec.Variable<int>("Clock");
        var executing = spec.Variable<int>("Executing");
        spec.Define(clock, 0, e => e is ClockTick ? clock.Now + 1 : clock.Now);
        spec.Define(executing, -1, e => e is Dispatch ? ((Dispatch)e).Process : executing.Now);
        spec.Invariant("ClockBelowTwo", () => clock.Now < 2 || executing.Now == 7);
        var built = spec.Build();
        var result = Prover.BoundedCheck(built, depth: 5);
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Violated, result.Verdict);
        Assert.Equal([new ClockTick(), new ClockTick()], result.Proof!.History!.Cast<SchedulerEvent>());
        Assert.True(result.Proof!.ConfirmedByEvaluation);

        // Induction on a claim that is false but holds initially goes on to find the same history.
        var proof = Prover.Prove(built);
        Assert.Equal(Verdict.Violated, proof.Verdict);
        Assert.Equal(2, proof.Proof!.History!.Count);
    }

    [Fact]
    public void BoundedCheck_OfATrueClaim_FindsNothing()
    {
        var result = Prover.BoundedCheck(Counter.Create(), depth: 6);
        output.WriteLine(result.ToString());
        // Nothing up to depth 6 is not a proof, and the verdict and its text say so.
        Assert.Equal(Verdict.Holds, result.Verdict);
        Assert.Equal(6, result.Coverage.Depth);
        Assert.Null(result.Counterexample);
        Assert.Null(result.Reason);
        Assert.Contains("within histories of at most 6 events (not a proof)", result.ToString());
        Assert.DoesNotContain("proved", result.ToString());
    }

    [Fact]
    public void LockService_InvariantsAreProvedOverGuardedHistories_AndGuardsAreNotClaims()
    {
        var spec = LockService.Create();
        var result = Prover.Prove(spec);
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Holds, result.Verdict);
        Assert.DoesNotContain("GrantedOnlyWhenFree", result.Subject);
        Assert.Throws<SpecException>(() => (object)Prover.Prove(spec, [spec.Property("GrantedOnlyWhenFree")]));
    }

    [Fact]
    public void WithoutItsGuards_TheLockInvariantFails()
    {
        // Same equations and invariant, no guards: Acquired(-5) is then a history of the spec.
        var spec = new SpecBuilder<LockEvent>("UnguardedLock");
        var holder = spec.Variable<int>("Holder");
        spec.Define(holder, LockService.Nobody, e => e is Acquired ? ((Acquired)e).Client : e is Released && ((Released)e).Client == holder.Now ? LockService.Nobody : holder.Now);
        spec.Invariant("HolderIsSomeoneOrNobody", () => holder.Now >= LockService.Nobody);
        var result = Prover.Prove(spec.Build());
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Violated, result.Verdict);
        var acquired = Assert.IsType<Acquired>(Assert.Single(result.Proof!.History!));
        Assert.True(acquired.Client < LockService.Nobody);
    }

    [Fact]
    public void Scheduler_FamiliesAndAfterEventReads_AreProvedByInduction()
    {
        var result = Prover.Prove(Scheduler.Create(3));
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Holds, result.Verdict);
    }

    [Fact]
    public void ShiftRegister_Components_AreTranslated_AndItsStepPropertiesProved()
    {
        var result = Prover.Prove(ShiftRegister.Create(3));
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Holds, result.Verdict);
    }

    private static (SpecBuilder<ShiftEvent> Builder, Component<CellInput> Cells, Var<CellInput> Last) Register(string name)
    {
        var spec = new SpecBuilder<ShiftEvent>(name);
        var cell = LastEvent.Create<CellInput>();
        var last = cell.Variable<Var<CellInput>>(LastEvent.VariableName);
        var u = spec.Components("u", cell, 3);
        spec.Feed(u, (e, i) =>
            e is Right
                ? (i == 0 ? new Stored(((Right)e).X) : u.IsDefined(i - 1, last) ? u.Now(i - 1, last) : null)
                : (i == 2 ? new Stored(((Left)e).X) : u.IsDefined(i + 1, last) ? u.Now(i + 1, last) : null));
        return (spec, u, last);
    }

    [Fact]
    public void ShiftRegister_AFalseClaimAboutCells_GetsAHistoryOfShiftsThatReplays()
    {
        var (spec, u, last) = Register("FiveAndSixNeverAtTheEnds");
        spec.Invariant("NotFiveAndSix", () => !(u.IsDefined(0, last) && u.Now(0, last) == new Stored(5) && u.IsDefined(2, last) && u.Now(2, last) == new Stored(6)));
        var result = Prover.BoundedCheck(spec.Build(), depth: 4);
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Violated, result.Verdict);
        Assert.True(result.Proof!.ConfirmedByEvaluation);
        // Shortest: one value from each end; the empty middle cell passes nothing, so neither end is overwritten.
        Assert.Equal(2, result.Proof!.History!.Count);
        Assert.Contains(new Right(5), result.Proof!.History!.Cast<ShiftEvent>());
        Assert.Contains(new Left(6), result.Proof!.History!.Cast<ShiftEvent>());
    }

    [Fact]
    public void ClaimReadingAnUndefinedValue_ItsCounterexampleIsNotReproduced_SoTheAnswerIsUnknown()
    {
        // The solver may give an undefined L(u_0) any value; the evaluator refuses to read it. The replay catches the
        // difference, and a counterexample the evaluator does not confirm is not reported as a violation.
        var (spec, u, last) = Register("ReadsUndefined");
        spec.Invariant("Unguarded", () => !u.IsDefined(2, last) || u.Now(2, last) != new Stored(5) || u.Now(0, last) == new Stored(5));
        var result = Prover.BoundedCheck(spec.Build(), depth: 3);
        output.WriteLine(result.ToString());
        Assert.Equal((Verdict.Unknown, Inconclusive.Solver), (result.Verdict, result.Why));
        Assert.False(result.Proof!.ConfirmedByEvaluation);
        Assert.Contains("did not reproduce", result.ToString());
        Assert.Contains("reads an undefined value", result.Reason);
    }

    /// <summary>A spec with named helpers goes to Z3 with the helpers inlined: a true claim proves, a false one comes back as a history.</summary>
    [Fact]
    public void SpecsWithNamedHelpers_AreProvedAndRefuted_WithTheHelpersInlined()
    {
        static Spec<CounterEvent> Build(bool falseClaim)
        {
            var spec = new SpecBuilder<CounterEvent>("HelperCounter");
            var count = spec.Variable<int>("count");
            var bump = spec.Helper("Bump", (CounterEvent e, int x) => e is Reset ? 0 : x + 1);
            var small = spec.Helper("Small", (int x) => x < 2);
            spec.Define(count, 0, e => bump(e, count.Now));
            spec.Invariant("NonNegative", () => count.Now >= 0);
            if (falseClaim) spec.Invariant("AlwaysSmall", () => small(count.Now));
            return spec.Build();
        }
        Assert.Equal(Verdict.Holds, Prover.Prove(Build(falseClaim: false)).Verdict);
        var refuted = Prover.Prove(Build(falseClaim: true));
        output.WriteLine(refuted.ToString());
        Assert.Equal(Verdict.Violated, refuted.Verdict);
        Assert.Equal("AlwaysSmall", refuted.Counterexample!.Property);
        Assert.Equal(2, refuted.Proof!.History!.Count);
        Assert.True(refuted.Proof!.ConfirmedByEvaluation);
    }
}
