// Exercise since-reset — see README.md. Check with: verify exercise since-reset exercises/01-since-reset/Starter.cs
using Verification.Specs;
using Verification.Specs.Examples;

public static class Answer
{
    public static Spec<CounterEvent> Counter()
    {
        var spec = new SpecBuilder<CounterEvent>("MyCounter");
        var length = spec.Variable<int>("C");
        var sinceReset = spec.Variable<int>("SinceReset");

        // C(Nil) = 0, C(σe) = 1 + C: the length of the history.
        spec.Define(length, initial: 0, next: e => 1 + length.Now);

        // TODO 1: the seed's SinceReset(Nil) = 0, SinceReset(σe) = 0 if e = RESET and 1 + SinceReset otherwise.
        //         (An event e is a RESET when `e is Reset`.)
        spec.Define(sinceReset, initial: 0, next: e => sinceReset.Now);

        // TODO 2: claim the invariant SinceReset ≤ C: spec.Invariant("…", () => …);

        return spec.Build();
    }
}
