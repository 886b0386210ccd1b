using Verification.Specs;

namespace Verification.Checkers.Smt;

/// <summary>
/// Checks that the SMT translation means what the compiled evaluator computes: from the evaluator's state after a
/// prefix and the next event, the translated transition relation must force exactly the evaluator's next state.
/// This ties use (b) to use (a) on concrete runs.
/// </summary>
public static class TranslationValidation
{
    /// <summary>Returns null when every step of <paramref name="history"/> agrees, or a description of the first disagreement.</summary>
    public static string? FirstDisagreement<TEvent>(Spec<TEvent> spec, IReadOnlyList<TEvent> history, TimeSpan? timeout = null) where TEvent : class =>
        FirstDisagreement(spec, new SmtEncoding(spec), history, timeout);

    /// <summary>Compares the evaluation of <paramref name="spec"/> with a translation (of the same spec, except in tests of this check).</summary>
    internal static string? FirstDisagreement<TEvent>(Spec<TEvent> spec, SmtEncoding encoding, IReadOnlyList<TEvent> history, TimeSpan? timeout = null) where TEvent : class
    {
        using var session = new Z3Session(timeout ?? TimeSpan.FromSeconds(10));
        session.Run(encoding.Preamble + "\n" + encoding.DeclareState(0) + encoding.DeclareEvent(0) + encoding.DeclareState(1) + encoding.Transition(0));
        var evaluator = spec.NewEvaluator();
        for (var i = 0; i < history.Count; i++)
        {
            var before = evaluator.Snapshot();
            evaluator.Step(history[i]);
            var after = evaluator.Snapshot();
            var pinned = Pin(encoding, before, 0);
            var expected = Pin(encoding, after, 1);
            var result = session.Check($"(push)\n{string.Join("\n", pinned.Select(p => $"(assert {p})"))}\n(assert (= {SmtEncoding.EventSymbol(0)} {encoding.Constant(history[i], typeof(TEvent))}))\n(assert (not (and true {string.Join(" ", expected)})))");
            if (result != SatResult.Unsat)
            {
                var problem = result == SatResult.Sat ? "the SMT transition does not force the evaluator's next state"
                    : $"the solver could not decide whether the SMT transition forces the evaluator's next state (unknown: {session.UnknownReason})";
                return $"event #{i + 1} ({Alphabet.Describe(history[i])}): {problem}\n  before: {string.Join("; ", before)}\n  after:  {string.Join("; ", after)}";
            }
            session.Run("(pop)");
        }
        return null;
    }

    /// <summary>Equalities fixing the state symbols at a step to a snapshot's values (undefined values stay free).</summary>
    private static List<string> Pin(SmtEncoding encoding, IReadOnlyList<VariableValue> snapshot, int step)
    {
        var byName = encoding.StateSymbols.ToDictionary(s => s.Name);
        var terms = new List<string>();
        foreach (var value in snapshot)
        {
            var symbol = byName[value.Name];
            if (byName.TryGetValue("defined " + value.Name, out var flag)) terms.Add(value.IsDefined ? flag.At(step) : $"(not {flag.At(step)})");
            if (value.IsDefined) terms.Add($"(= {symbol.At(step)} {encoding.Constant(value.Value, symbol.ValueType)})");
        }
        return terms;
    }
}
