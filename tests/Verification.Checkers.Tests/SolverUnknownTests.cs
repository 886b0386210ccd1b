using Verification.Checkers.Smt;
using Verification.Specs;
using Verification.Specs.Examples;
using Xunit.Abstractions;

namespace Verification.Checkers.Tests;

/// <summary>When Z3 answers "unknown" (its own incompleteness, or our deadline), no verifier may report a proof, nor a bound it did not reach.</summary>
public class SolverUnknownTests(ITestOutputHelper output)
{
    /// <summary>A claim that holds initially and first fails after two ticks: induction fails, unrolling finds the history at depth 2.</summary>
    private static Spec<SchedulerEvent> ClockBelowTwo()
    {
        var spec = new SpecBuilder<SchedulerEvent>("ClockBelowTwo");
        var clock = spec.Variable<int>("Clock");
        spec.Define(clock, 0, e => e is ClockTick ? clock.Now + 1 : clock.Now);
        spec.Invariant("ClockBelowTwo", () => clock.Now < 2);
        return spec.Build();
    }

    [Fact]
    public void BoundedCheck_WhenZ3AnswersUnknown_IsUnknownWithZ3sReason_NotAProof()
    {
        Assert.Equal(Verdict.Violated, Prover.BoundedCheck(ClockBelowTwo(), depth: 5).Verdict); // the unknown below is where this violation is

        var result = Prover.BoundedCheck(ClockBelowTwo(), depth: 5, options: new ProverOptions { UnrollingPrelude = Z3SessionTests.IncompleteArithmetic });
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Unknown, result.Verdict);
        Assert.Contains("incomplete (theory arithmetic)", result.Reason);
        Assert.Equal(1, result.Coverage.Depth); // histories of 0 and 1 events were decided before the solver gave up at 2
        Assert.Null(result.Counterexample);
        Assert.Contains($"unknown (solver: {result.Reason})", result.ToString());
        Assert.Contains("histories of at most 1 event", result.ToString());
        Assert.DoesNotContain("proved", result.ToString());
    }

    [Fact]
    public void Prove_WhenTheUnrollingAnswersUnknown_IsUnknown_NotNotInductive()
    {
        Assert.Equal(Verdict.Violated, Prover.Prove(ClockBelowTwo()).Verdict);

        var result = Prover.Prove(ClockBelowTwo(), options: new ProverOptions { UnrollingPrelude = Z3SessionTests.IncompleteArithmetic });
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Unknown, result.Verdict);
        Assert.Contains("incomplete (theory arithmetic)", result.Reason);
        Assert.Equal(1, result.Coverage.Depth);
        // What induction did establish is kept: the claim is not inductive, and this step breaks it.
        Assert.Equal("ClockBelowTwo", result.Counterexample!.Property);
        Assert.Equal(new ClockTick(), result.Proof!.Event);
        Assert.NotNull(result.Proof!.PreState);
        var text = result.ToString();
        Assert.StartsWith($"ClockBelowTwo: ClockBelowTwo: unknown (solver: {result.Reason})", text);
        Assert.Contains("Bounded unrolling could not decide whether a real history violates a claim (none of at most 1 event does).", text);
        Assert.DoesNotContain("No history of at most", text);
    }

    [Fact]
    public void Prove_WhenInductionAnswersUnknown_SaysZ3sReason()
    {
        var spec = Counter.Create();
        var result = Prover.Prove(spec, [spec.Property("SinceResetAtMostLength")], new ProverOptions { SolverPrelude = Z3SessionTests.IncompleteArithmetic });
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Unknown, result.Verdict);
        Assert.Contains("incomplete (theory arithmetic)", result.Reason);
        Assert.Null(result.Counterexample); // the consecution query itself was undecided: no counterexample to induction
        Assert.Contains($"unknown (solver: {result.Reason})", result.ToString());
    }

    [Fact]
    public void BoundedCheck_AtAShortDeadline_IsUnknownWithTimeout_NotAProof()
    {
        var options = new ProverOptions { Timeout = TimeSpan.FromMilliseconds(200), UnrollingPrelude = Z3SessionTests.HardNonlinear };
        var result = Prover.BoundedCheck(ClockBelowTwo(), depth: 5, options: options);
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Unknown, result.Verdict);
        Assert.Equal("timeout after 0.2 s", result.Reason);
        Assert.Equal(1, result.Coverage.Depth);
    }

    [Fact]
    public void Prove_AtAShortDeadline_IsUnknownWithTimeout()
    {
        var spec = Counter.Create();
        var options = new ProverOptions { Timeout = TimeSpan.FromMilliseconds(200), SolverPrelude = Z3SessionTests.HardNonlinear };
        var result = Prover.Prove(spec, [spec.Property("SinceResetAtMostLength")], options);
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Unknown, result.Verdict);
        Assert.Equal("timeout after 0.2 s", result.Reason);
    }

    /// <summary>
    /// Deadlines of 0 to 1.9 ms interrupt the solver while it reads commands as well as while it checks: either way
    /// the verdict is Unknown with the timeout, never an exception blaming the translation, never a proof not made.
    /// </summary>
    [Fact]
    public void Prove_AtDeadlinesOfAMillisecond_IsProvedOrUnknownWithTimeout_NeverAnError()
    {
        var spec = Counter.Create();
        var claims = new[] { spec.Property("SinceResetNonNegative"), spec.Property("SinceResetAtMostLength") };
        var verdicts = new Dictionary<Verdict, int>();
        for (var i = 0; i < 40; i++)
        {
            var result = Prover.Prove(spec, claims, new ProverOptions { Timeout = TimeSpan.FromTicks(i % 20 * 1_000) });
            verdicts[result.Verdict] = verdicts.GetValueOrDefault(result.Verdict) + 1;
            if (result.Verdict != Verdict.Holds)
                Assert.True(result.Verdict == Verdict.Unknown && result.Reason!.StartsWith("timeout after", StringComparison.Ordinal), result.ToString());
        }
        output.WriteLine(string.Join(", ", verdicts.Select(v => $"{v.Key}: {v.Value}"))); // the split depends on the machine's load
    }

    /// <summary>Values that can be learned, claiming a tautology: every obligation is unsat, only the vacuity checks are satisfiable.</summary>
    private static RelationalModel Learning() => new(
        "Learning", ["Value"], "", [],
        [new StateRelation("learned", ["Value"])],
        s => $"(forall ((v Value)) (not ({s["learned"]} v)))",
        [new RelationalAction("Learn", [("V", "Value")], _ => "true", [new RelationUpdate("learned", ["v"], s => $"(or ({s["learned"]} v) (= v V))")])],
        [new RelationalInvariant("LearnedOrNot", s => $"(forall ((v Value)) (or ({s["learned"]} v) (not ({s["learned"]} v))))")]);

    [Fact]
    public void RelationalProof_WhoseVacuityCheckIsUnknown_IsUnknown_NotProved()
    {
        var plain = RelationalProver.Prove(Learning());
        output.WriteLine(plain.ToString());
        Assert.Equal(Verdict.Holds, plain.Verdict);

        var result = RelationalProver.Prove(Learning(), new ProverOptions { SolverPrelude = Z3SessionTests.IncompleteArithmetic });
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Unknown, result.Verdict);
        Assert.Equal("incomplete (theory arithmetic) (deciding whether the axioms and the initial state have a model)", result.Reason);
        Assert.StartsWith("Learning: LearnedOrNot: unknown (solver: incomplete (theory arithmetic) (deciding whether", result.ToString());
    }
}
