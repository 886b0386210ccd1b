namespace Verification.Specs.Examples;

/// <summary>The alphabet of the seed's counters: something happened, or a reset.</summary>
public abstract record CounterEvent;

/// <summary>Something happened: C and SinceReset each count it.</summary>
public sealed record Tick : CounterEvent;

/// <summary>The seed's RESET: SinceReset goes back to 0, while C still counts the event.</summary>
public sealed record Reset : CounterEvent;

/// <summary>
/// The seed's C (length of the history) and SinceReset (events since the last RESET):
/// C(Nil) = 0, C(σe) = 1 + C; SinceReset(Nil) = 0, SinceReset(σe) = 0 if e = RESET, 1 + SinceReset otherwise.
/// </summary>
public static class Counter
{
    /// <summary>The spec's name, as the CLI takes it (<c>prove Counter</c>) and reports show it; the variant with the false claim is this plus "WithFalseClaim".</summary>
    public const string Name = "Counter";

    /// <summary>Builds the Counter spec: C and SinceReset, their two invariants, and the step property that C grows by one.</summary>
    /// <param name="withFalseClaim">Adds the false invariant SinceReset &lt; C, for showing counterexamples.</param>
    public static Spec<CounterEvent> Create(bool withFalseClaim = false)
    {
        var spec = new SpecBuilder<CounterEvent>(withFalseClaim ? Name + "WithFalseClaim" : Name);
        var length = spec.Variable<int>("C");
        var sinceReset = spec.Variable<int>("SinceReset");
        spec.Define(length, initial: 0, next: e => 1 + length.Now);
        spec.Define(sinceReset, initial: 0, next: e => e is Reset ? 0 : 1 + sinceReset.Now);
        spec.Invariant("SinceResetNonNegative", () => 0 <= sinceReset.Now);
        spec.Invariant("SinceResetAtMostLength", () => sinceReset.Now <= length.Now);
        spec.StepProperty("LengthGrowsByOne", e => length.Next == length.Now + 1);
        if (withFalseClaim) spec.Invariant("SinceResetBelowLength", () => sinceReset.Now < length.Now);
        return spec.Build();
    }
}
