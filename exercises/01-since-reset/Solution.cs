// Exercise since-reset: a solution.
using Verification.Specs;
using Verification.Specs.Examples;

public static class Answer
{
    public static Spec<CounterEvent> Counter()
    {
        var spec = new SpecBuilder<CounterEvent>("MyCounter");
        var length = spec.Variable<int>("C");
        var sinceReset = spec.Variable<int>("SinceReset");
        spec.Define(length, initial: 0, next: e => 1 + length.Now);
        spec.Define(sinceReset, initial: 0, next: e => e is Reset ? 0 : 1 + sinceReset.Now);
        spec.Invariant("SinceResetAtMostC", () => sinceReset.Now <= length.Now);
        // Alone, the claim is not inductive: Z3's counterexample to induction starts from C = SinceReset = -2, where a
        // Reset gives SinceReset = 0 > C = -1. Every reachable state has SinceReset ≥ 0, and saying so closes the gap
        // (with it, C ≥ SinceReset ≥ 0 before a Reset, so C + 1 ≥ 1 > 0 after).
        spec.Invariant("SinceResetNonNegative", () => 0 <= sinceReset.Now);
        return spec.Build();
    }
}
