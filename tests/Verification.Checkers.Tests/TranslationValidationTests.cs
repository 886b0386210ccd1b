using Verification.Checkers.Smt;
using Verification.Specs;
using Verification.Specs.Examples;

namespace Verification.Checkers.Tests;

/// <summary>Use (b) agrees with use (a): the SMT transition relation forces the evaluator's next state on random runs.</summary>
public class TranslationValidationTests
{
    [Fact]
    public void Counter_SmtTransitionAgreesWithEvaluator() => Agree(Counter.Create(), seed: 1, length: 30);

    [Fact]
    public void Scheduler_SmtTransitionAgreesWithEvaluator() => Agree(Scheduler.Create(3), seed: 2, length: 40, maxInteger: 2);

    [Fact]
    public void ShiftRegister_SmtTransitionAgreesWithEvaluator() => Agree(ShiftRegister.Create(3), seed: 3, length: 25, maxInteger: 4);

    [Fact]
    public void Arithmetic_TruncatingDivisionAndRemainder_AgreeOnNegativeNumbers()
    {
        var spec = new SpecBuilder<SchedulerEvent>("Arithmetic");
        var x = spec.Variable<int>("x");
        var q = spec.Variable<int>("q");
        var r = spec.Variable<int>("r");
        var m = spec.Variable<long>("m");
        spec.Define(x, -7, e => e is Dispatch ? x.Now - ((Dispatch)e).Process * 3 : -x.Now + 1);
        spec.Define(q, 0, e => x.Next / (e is Dispatch ? -2 : 3));
        spec.Define(r, 0, e => x.Next % (e is Dispatch ? -2 : 3));
        spec.Define(m, 0L, e => Math.Max(m.Now, (long)x.Next) - Math.Min(0, x.Now));
        Agree(spec.Build(), seed: 4, length: 30, maxInteger: 5);
    }

    [Fact]
    public void Disagreement_IsReported()
    {
        // The translation of a spec whose C counts a Reset twice, checked against the real Counter's evaluation.
        var liar = new SpecBuilder<CounterEvent>("Liar");
        var c = liar.Variable<int>("C");
        var sinceReset = liar.Variable<int>("SinceReset");
        liar.Define(c, 0, e => c.Now + (e is Reset ? 2 : 1));
        liar.Define(sinceReset, 0, e => e is Reset ? 0 : sinceReset.Now + 1);
        var history = new List<CounterEvent> { new Tick(), new Reset(), new Tick() };
        var disagreement = TranslationValidation.FirstDisagreement(Counter.Create(), new SmtEncoding(liar.Build()), history);
        Assert.NotNull(disagreement);
        Assert.StartsWith("event #2 (Reset)", disagreement);
    }

    private static void Agree<TEvent>(Spec<TEvent> spec, int seed, int length, int maxInteger = 3) where TEvent : class
    {
        var history = new RandomHistories(seed, 0, maxInteger).History<TEvent>(length);
        Assert.Null(TranslationValidation.FirstDisagreement(spec, history));
    }
}
