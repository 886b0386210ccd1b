using System.Reflection;
using Verification.Checkers.Smt;
using Verification.Specs;
using Verification.Specs.Examples;

namespace Verification.Exercises;

/// <summary>Seed 000, item 17: write SinceReset's state equation, then claim and prove SinceReset ≤ C.</summary>
public static class SinceResetExercise
{
    public const int HistoryLength = 8;

    public static Exercise Exercise { get; } = new("since-reset", "The state equation of SinceReset, and a proof that SinceReset ≤ C", "01-since-reset",
        "write a state variable by primitive recursion over the history; state an invariant; read an inductive proof", 20, Check);

    private static IReadOnlyList<ExerciseCheck> Check(Assembly answer, string path)
    {
        if (ExerciseCompiler.Answer(answer, "Counter", path) is not Spec<CounterEvent> spec)
            throw new ExerciseException($"{path}: Answer.Counter() must return a Spec<CounterEvent>");
        return
        [
            FollowsEquation(spec, "C", (_, c) => 1 + c),
            FollowsEquation(spec, "SinceReset", (e, s) => e is Reset ? 0 : 1 + s),
            Claimed(spec),
        ];
    }

    /// <summary>The variable's value after every history of up to <see cref="HistoryLength"/> events, against the seed's equation computed here directly.</summary>
    private static ExerciseCheck FollowsEquation(Spec<CounterEvent> spec, string name, Func<CounterEvent, int, int> equation)
    {
        var what = $"{name} follows the seed's equation on every history of up to {HistoryLength} events";
        var variable = spec.Variables.FirstOrDefault(v => v.Name == name);
        if (variable is null) return new(what, false, $"the spec has no variable named {name} (it has {string.Join(", ", spec.Variables.Select(v => v.Name))})");
        var histories = 0;
        for (var length = 0; length <= HistoryLength; length++)
            for (var bits = 0; bits < 1 << length; bits++)
            {
                histories++;
                var history = Enumerable.Range(0, length).Select(i => ((bits >> i) & 1) == 1 ? (CounterEvent)new Reset() : new Tick()).ToList();
                var evaluator = spec.NewEvaluator();
                var expected = 0;
                foreach (var e in history)
                {
                    evaluator.Step(e);
                    expected = equation(e, expected);
                }
                var actual = evaluator.ValueOf(variable, 0);
                if (!Equals(actual, expected))
                    return new(what, false, $"after ⟨{string.Join(", ", history.Select(e => e.GetType().Name))}⟩ {name} is {actual ?? "undefined"}; the equation gives {expected}");
            }
        return new(what, true, $"{histories} histories");
    }

    /// <summary>An invariant that says SinceReset ≤ C (read from the spec's own equations), proved by induction.</summary>
    private static ExerciseCheck Claimed(Spec<CounterEvent> spec)
    {
        const string what = "the spec claims SinceReset ≤ C as an invariant, and Z3 proves it (with the spec's other claims) by induction";
        var printed = EquationPrinter.Print(spec);
        var claim = spec.Properties.FirstOrDefault(p => p.Kind == PropertyKind.Invariant && Mentions(printed, p.Name));
        if (claim is null) return new(what, false, "no invariant relates SinceReset and C yet; add one with spec.Invariant(\"…\", () => …)");
        // Every claim of the spec together: a helper invariant may be what makes this one inductive.
        var proof = Prover.Prove(spec);
        return new(what, proof.Holds, proof.ToString());
    }

    /// <summary>Whether the printed invariant <paramref name="name"/> compares SinceReset with C.</summary>
    private static bool Mentions(string printed, string name)
    {
        var line = printed.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith($"invariant {name}:", StringComparison.Ordinal)) ?? "";
        return line.Contains("SinceReset", StringComparison.Ordinal) && System.Text.RegularExpressions.Regex.IsMatch(line, @"\bC\b") && (line.Contains('≤') || line.Contains("<=", StringComparison.Ordinal));
    }
}
