using System.Diagnostics;
using System.Text;
using Verification.Specs;

namespace Verification.Checkers.Smt;

/// <summary>Budgets of the SMT prover's induction and bounded checks.</summary>
public sealed record ProverOptions
{
    /// <summary>
    /// The deadline of each solver query (an interrupted query answers unknown). After a failed induction, the bounded
    /// unrolling's queries get what is left of it, at least 1 s each.
    /// </summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How far bounded unrolling looks for a real history when induction fails.</summary>
    public int UnrollingDepth { get; init; } = 8;

    /// <summary>
    /// How many Z3 contexts a proof uses at once: the induction prover shares the claims of consecution among them,
    /// the relational prover the actions (1: one after another). The verdict and the counterexample do not depend on it.
    /// </summary>
    public int Parallelism { get; init; } = 1;

    /// <summary>
    /// Test seam: SMT-LIB2 commands sent to every fresh solver state (the tests send assertions that make Z3 answer
    /// unknown). Declarations and assertions only: Z3 4.8 applies a set-option to every context in the process.
    /// </summary>
    internal string SolverPrelude { get; init; } = "";

    /// <summary>Test seam: like <see cref="SolverPrelude"/>, for the bounded unrolling's solver state only.</summary>
    internal string UnrollingPrelude { get; init; } = "";
}

/// <summary>
/// What the prover found against a claim, in the spec's own terms: a history that violates it (replayed through the
/// incremental evaluator to confirm it, and the state after it), or a counterexample to induction (a state satisfying
/// every claim, an event, and the state after it, where the claim fails) with how far bounded unrolling looked for a
/// real history.
/// </summary>
/// <param name="Property">The claim that fails.</param>
public sealed record ProofCounterexample(string Property) : Counterexample(Property)
{
    /// <summary>A violating history (empty: the claim fails at Nil); null for a counterexample to induction.</summary>
    public IReadOnlyList<object>? History { get; init; }

    /// <summary>The pre-state of a counterexample to induction.</summary>
    public IReadOnlyList<VariableValue>? PreState { get; init; }

    /// <summary>The event of a counterexample to induction.</summary>
    public object? Event { get; init; }

    /// <summary>The state after the history, or after the event of a counterexample to induction.</summary>
    public IReadOnlyList<VariableValue> PostState { get; init; } = [];

    /// <summary>A violating history replayed through the evaluator fails the same claim at the same length.</summary>
    public bool ConfirmedByEvaluation { get; init; }

    /// <summary>For a counterexample to induction: no history of at most this many events violates a claim.</summary>
    public int? Depth { get; init; }

    /// <summary>For a counterexample to induction: bounded unrolling could not decide the next length (the solver's reason is the result's).</summary>
    public bool UnrollingUndecided { get; init; }

    /// <summary>Whether this is a counterexample to induction (no <see cref="History"/>) rather than a real violating history.</summary>
    public bool IsCounterexampleToInduction => History is null;

    /// <inheritdoc/>
    public override string Describe()
    {
        var text = new StringBuilder();
        if (History is { } history)
        {
            text.AppendLine($"{Property} is violated by {(history.Count == 0 ? "the empty history Nil" : $"a history of {Events(history.Count)}")}:");
            for (var i = 0; i < history.Count; i++) text.AppendLine($"    {i + 1,3}. {Alphabet.Describe(history[i])}");
            text.AppendLine("  state after it:");
            foreach (var value in PostState) text.AppendLine($"    {value}");
            text.Append(ConfirmedByEvaluation ? "  (replayed through the evaluator: same violation)" : "  (WARNING: replaying it through the evaluator did not reproduce the violation)");
            return text.ToString();
        }
        text.AppendLine($"not inductive: {Property} can break in one step from a state satisfying every claim:");
        text.AppendLine("  pre-state:");
        foreach (var value in PreState!) text.AppendLine($"    {value}");
        text.AppendLine($"  event: {Alphabet.Describe(Event)}");
        var changed = PostState.Where(v => !PreState.Contains(v)).ToList();
        text.AppendLine(changed.Count == 0 ? "  post-state: no variable changes" : "  post-state (what changed):");
        foreach (var value in changed) text.AppendLine($"    {value}");
        text.Append(UnrollingUndecided
            ? $"  Bounded unrolling could not decide whether a real history violates a claim{(Depth is { } covered ? $" (none of at most {Events(covered)} does)" : "")}."
            : $"  No history of at most {Events(Depth ?? 0)} violates a claim; strengthen the invariant to exclude that pre-state.");
        return text.ToString();
    }

    internal static string Events(int count) => $"{count} event{(count == 1 ? "" : "s")}";
}

/// <summary>Views of a prover's <see cref="CheckResult"/>.</summary>
public static class ProofResults
{
    extension(CheckResult result)
    {
        /// <summary>The violating history or the counterexample to induction, when the result has one.</summary>
        public ProofCounterexample? Proof => result.Counterexample as ProofCounterexample;
    }
}

/// <summary>
/// Induction and bounded unrolling over a spec's SMT translation (use (b) of the staged definition):
/// Init ⇒ Inv, Inv ∧ guards ∧ step ⇒ Inv′ where Inv is the conjunction of the claimed invariants, and every claimed step
/// property follows from Inv ∧ guards ∧ step. Bounded unrolling looks only at histories whose every event passes its guards.
/// </summary>
public static class Prover
{
    /// <summary>
    /// Proves the claims (all of the spec's properties by default) by induction: holds (for every history); violated,
    /// with a real violating history found by bounded unrolling; or unknown — not inductive (with the counterexample to
    /// induction) or the solver undecided (with its reason).
    /// </summary>
    public static CheckResult Prove<TEvent>(Spec<TEvent> spec, IEnumerable<Property>? claims = null, ProverOptions? options = null) where TEvent : class
    {
        options ??= new ProverOptions();
        var claimed = Claims(spec, claims);
        var encoding = new SmtEncoding(spec);
        var invariants = claimed.Where(p => p.Kind == PropertyKind.Invariant).ToList();
        var steps = claimed.Where(p => p.Kind == PropertyKind.Step).ToList();
        var names = claimed.Select(c => c.Name).ToList();
        var watch = Stopwatch.StartNew();
        using var session = new Z3Session(options.Timeout);
        try
        {
            return Induction(spec, encoding, session, options, invariants, steps, names) with { Elapsed = watch.Elapsed };
        }
        catch (SmtDeadlineException interrupted)
        {
            return Undecided(spec, names, session, interrupted) with { Elapsed = watch.Elapsed };
        }
    }

    /// <summary>The deadline interrupted the solver while it read commands rather than during a check: as undecided as a check that timed out.</summary>
    private static CheckResult Undecided(ISpec spec, IReadOnlyList<string> names, Z3Session session, SmtDeadlineException interrupted) =>
        Result(spec, names, session, "induction", Verdict.Unknown, null, null) with { Why = Inconclusive.Budget, Reason = interrupted.Message };

    /// <summary>A claim's answer in consecution, with the solver's reason when it could not tell.</summary>
    private sealed record ClaimAnswer(SatResult Answer, string? UnknownReason);

    /// <summary>A Z3 context in which the step (invariants, transition, guards) is asserted once, then one claim at a time is checked.</summary>
    private sealed class StepContext(Z3Session session, string step) : IDisposable
    {
        private bool asserted;

        public Z3Session Session { get; } = session;

        public SatResult Check(string negatedClaim)
        {
            if (!asserted) Session.Run(step);
            asserted = true;
            var answer = Session.Check(negatedClaim);
            if (answer != SatResult.Unknown) Session.Run("(pop)"); // an interrupted check may not have pushed its scope
            return answer;
        }

        public void Dispose() => Session.Dispose();
    }

    /// <summary>An induction that stopped on a claim the solver could not decide (in whichever context it was checked).</summary>
    private static CheckResult Unknown(ISpec spec, IReadOnlyList<string> names, Z3Session session, string reason) =>
        Result(spec, names, session, "induction", Verdict.Unknown, null, null) with
        {
            Why = reason.StartsWith("timeout", StringComparison.Ordinal) ? Inconclusive.Budget : Inconclusive.Solver,
            Reason = reason,
        };

    /// <summary>The result of a proof or bounded check of <paramref name="names"/>; an unknown says whether our deadline or Z3 stopped it.</summary>
    private static CheckResult Result(ISpec spec, IReadOnlyList<string> names, Z3Session session, string method, Verdict verdict, ProofCounterexample? found, int? depth)
    {
        var guards = spec.Properties.Where(p => p.Kind == PropertyKind.Guard).Select(p => p.Name).ToList();
        var within = new List<string>();
        if (guards.Count > 0) within.Add($"histories whose events pass the guards ({string.Join(", ", guards)})");
        if (method == "bounded model checking" && depth is { } k) within.Add($"histories of at most {ProofCounterexample.Events(k)} (not a proof)");
        var reason = verdict == Verdict.Unknown && found?.IsCounterexampleToInduction != true ? session.UnknownReason ?? "the solver gave up" : null;
        return new CheckResult
        {
            Subject = $"{spec.Name}: {string.Join(" ∧ ", names)}",
            Method = $"{method} (Z3 {session.Version})",
            Verdict = verdict,
            Why = verdict != Verdict.Unknown ? null : reason is null ? Inconclusive.NotInductive : reason.StartsWith("timeout", StringComparison.Ordinal) ? Inconclusive.Budget : Inconclusive.Solver,
            Reason = reason,
            Coverage = new Coverage { Obligations = spec.Properties.Where(p => names.Contains(p.Name)).Sum(p => (long)p.Count), Depth = depth ?? 0 },
            Within = within,
            Counterexample = found,
            Elapsed = session.Elapsed,
        };
    }

    /// <summary>A violating history, confirmed by the evaluator; unconfirmed, it is a defect of the translation and the answer is unknown.</summary>
    private static CheckResult Violation<TEvent>(Spec<TEvent> spec, IReadOnlyList<string> names, Z3Session session, string method, string failing, IReadOnlyList<object> history, IReadOnlyList<VariableValue> state)
        where TEvent : class
    {
        var confirmed = Replay(spec, history, failing);
        var found = new ProofCounterexample(failing) { History = history, PostState = state, ConfirmedByEvaluation = confirmed };
        return confirmed
            ? Result(spec, names, session, method, Verdict.Violated, found, null)
            : Result(spec, names, session, method, Verdict.Unknown, found, null) with
            {
                Why = Inconclusive.Solver,
                Reason = "the solver's violating history does not fail the same way when replayed through the evaluator (a claim that reads an undefined value, which SMT leaves unconstrained and the evaluator refuses; otherwise a defect of the SMT translation: please report it)",
            };
    }

    private static CheckResult Induction<TEvent>(Spec<TEvent> spec, SmtEncoding encoding, Z3Session session, ProverOptions options,
        IReadOnlyList<Property> invariants, IReadOnlyList<Property> steps, IReadOnlyList<string> names) where TEvent : class
    {
        var deadline = Stopwatch.StartNew();

        // Initiation: Init ⇒ Inv.
        session.Run(options.SolverPrelude + encoding.Preamble + "\n" + encoding.DeclareState(0) + encoding.Initial(0));
        var initialTerms = Instances(invariants).Select(i => (i.Name, Term: encoding.Invariant(i.Property, i.Index, 0))).ToList();
        if (initialTerms.Count > 0)
        {
            var initiation = session.Check($"(push)\n(assert (not (and true {string.Join(" ", initialTerms.Select(t => t.Term))})))");
            if (initiation == SatResult.Unknown) return Result(spec, names, session, "induction", Verdict.Unknown, null, null);
            if (initiation == SatResult.Sat)
                return Violation(spec, names, session, "induction", FirstFalse(session, initialTerms), [], ReadState(session, encoding, 0));
            session.Run("(pop)");
        }

        // Consecution: Inv ∧ step ⇒ Inv′ ∧ every step property. The invariants, the step and the guards are asserted
        // once per Z3 context; each claim is then refuted in a scope of its own, in the order the spec declares them,
        // so Z3 faces one claim's instances at a time and keeps what it learned about the step from one claim to the
        // next. Up to ProverOptions.Parallelism contexts of their own share the claims; the first failing one in that
        // order is then checked again alone, in this session, so its counterexample does not depend on how they were shared.
        var assumed = Instances(invariants).Select(i => encoding.Invariant(i.Property, i.Index, 0));
        var step = "(reset)\n" + options.SolverPrelude + encoding.Preamble + "\n" + encoding.DeclareState(0) + encoding.DeclareEvent(0) + encoding.DeclareState(1)
            + $"(assert (and true {string.Join(" ", assumed)}))\n{encoding.Transition(0)}{Guards(spec, encoding, 0)}";
        var claims = invariants.Select(p => Instances([p]).Select(i => (i.Name, Term: encoding.Invariant(i.Property, i.Index, 1))).ToList())
            .Concat(steps.Select(p => new List<(string Name, string Term)> { (p.Name, encoding.StepProperty(p, 0)) })).ToList();
        static string Negated(List<(string Name, string Term)> claim) => $"(push)\n(assert (not (and true {string.Join(" ", claim.Select(o => o.Term))})))";
        var answers = UntilFirstFailure.Run(claims.Count, options.Parallelism,
            () => new StepContext(new Z3Session(options.Timeout), step),
            (context, index) =>
            {
                try
                {
                    var answer = context.Check(Negated(claims[index]));
                    return new ClaimAnswer(answer, answer == SatResult.Unknown ? context.Session.UnknownReason ?? "the solver gave up" : null);
                }
                catch (SmtDeadlineException interrupted)
                {
                    return new ClaimAnswer(SatResult.Unknown, interrupted.Message);
                }
            },
            a => a.Answer != SatResult.Unsat);
        var first = Array.FindIndex(answers, a => a is null || a.Answer != SatResult.Unsat);
        if (first < 0) return Result(spec, names, session, "induction", Verdict.Holds, null, null);
        if (answers[first]!.Answer == SatResult.Unknown) return Unknown(spec, names, session, answers[first]!.UnknownReason!);
        // The failing claim alone, in a fresh context: the counterexample is the same at any parallelism.
        session.Run(step);
        var again = session.Check(Negated(claims[first]));
        if (again == SatResult.Unknown) return Result(spec, names, session, "induction", Verdict.Unknown, null, null);
        if (again == SatResult.Unsat) throw new SmtException($"Z3 answered the claim {claims[first][0].Name} differently when it was checked again alone; please report it");
        var failingClaim = FirstFalse(session, claims[first]);
        var pinned = PinModel(session, encoding, events: 1);
        var pre = ReadState(session, encoding, 0);
        var post = ReadState(session, encoding, 1);
        var evt = encoding.FromModel(GetValues(session, [SmtEncoding.EventSymbol(0)])[0], spec.Alphabet.EventType);
        if (pinned) session.Run("(pop)");

        // Is the bad pre-state reachable? Look for a real history.
        session.Timeout = options.Timeout - deadline.Elapsed > TimeSpan.FromSeconds(1) ? options.Timeout - deadline.Elapsed : TimeSpan.FromSeconds(1);
        var unrolled = Unroll(spec, encoding, session, options, invariants, steps, options.UnrollingDepth);
        if (unrolled.Violation is { } found)
            return Violation(spec, names, session, "induction", found.Failing, found.History, found.State);
        // Not inductive; when the unrolling was undecided, the solver's reason says why no history was ruled out.
        var cti = new ProofCounterexample(failingClaim) { PreState = pre, Event = evt, PostState = post, Depth = unrolled.Depth, UnrollingUndecided = unrolled.Undecided };
        var result = Result(spec, names, session, "induction", Verdict.Unknown, cti, unrolled.Depth);
        return unrolled.Undecided
            ? result with { Why = unrolled.UnknownReason?.StartsWith("timeout", StringComparison.Ordinal) == true ? Inconclusive.Budget : Inconclusive.Solver, Reason = unrolled.UnknownReason }
            : result;
    }

    /// <summary>The claims to prove: the given ones (all invariants and step properties by default); guards are assumptions, not claims.</summary>
    private static List<Property> Claims(ISpec spec, IEnumerable<Property>? claims)
    {
        var claimed = (claims ?? spec.Properties.Where(p => p.Kind is PropertyKind.Invariant or PropertyKind.Step)).ToList();
        foreach (var claim in claimed)
        {
            if (!spec.Properties.Contains(claim)) throw new SpecException($"'{claim.Name}' is not a property of spec '{spec.Name}'");
            if (claim.Kind == PropertyKind.Guard) throw new SpecException($"'{claim.Name}' is a guard of spec '{spec.Name}': guards are assumed, not proved");
            if (claim.Kind == PropertyKind.Liveness) throw new SpecException($"'{claim.Name}' is a liveness property of spec '{spec.Name}': the systematic tester checks it, induction cannot");
        }
        return claimed;
    }

    /// <summary>The guards of the event e@step, as one assertion (true when the spec has none).</summary>
    private static string Guards(ISpec spec, SmtEncoding encoding, int step) =>
        $"(assert (and true {string.Join(" ", spec.Properties.Where(p => p.Kind == PropertyKind.Guard).Select(g => encoding.StepProperty(g, step)))}))\n";

    /// <summary>
    /// Bounded model checking: the shortest history of at most <paramref name="depth"/> events that violates a property,
    /// if any. Finding none holds only within that bound, which the result states: it is not a proof.
    /// </summary>
    public static CheckResult BoundedCheck<TEvent>(Spec<TEvent> spec, int depth, IEnumerable<Property>? claims = null, ProverOptions? options = null) where TEvent : class
    {
        if (depth < 0) throw new SpecException($"the unrolling depth must be at least 0 (got {depth})");
        options ??= new ProverOptions();
        var claimed = Claims(spec, claims);
        var encoding = new SmtEncoding(spec);
        using var session = new Z3Session(options.Timeout);
        var names = claimed.Select(c => c.Name).ToList();
        var unrolled = Unroll(spec, encoding, session, options, claimed.Where(p => p.Kind == PropertyKind.Invariant).ToList(), claimed.Where(p => p.Kind == PropertyKind.Step).ToList(), depth);
        if (unrolled.Violation is { } found) return Violation(spec, names, session, "bounded model checking", found.Failing, found.History, found.State);
        var result = Result(spec, names, session, "bounded model checking", unrolled.Undecided ? Verdict.Unknown : Verdict.Holds, null, unrolled.Depth);
        return unrolled.Undecided ? result with { Reason = unrolled.UnknownReason, Why = unrolled.UnknownReason?.StartsWith("timeout", StringComparison.Ordinal) == true ? Inconclusive.Budget : Inconclusive.Solver } : result;
    }

    /// <summary>A history the solver found violating <paramref name="Failing"/>, and the state after it.</summary>
    private sealed record Counterexample(string Failing, IReadOnlyList<object> History, IReadOnlyList<VariableValue> State);

    /// <summary>
    /// What bounded unrolling established: a violating history; or none in any history of at most <paramref name="Depth"/>
    /// events (null: not even the empty one), all the way to the bound or, when <paramref name="UnknownReason"/> is set,
    /// until the solver answered unknown.
    /// </summary>
    private sealed record Unrolling(Counterexample? Violation, int? Depth, string? UnknownReason)
    {
        public bool Undecided => UnknownReason is not null;
    }

    private static Unrolling Unroll<TEvent>(
        Spec<TEvent> spec, SmtEncoding encoding, Z3Session session, ProverOptions options, IReadOnlyList<Property> invariants, IReadOnlyList<Property> steps, int depth) where TEvent : class
    {
        int? covered = null; // no history of at most this many events violates a claim
        try
        {
            session.Run("(reset)\n" + options.SolverPrelude + options.UnrollingPrelude + encoding.Preamble + "\n" + encoding.DeclareState(0) + encoding.Initial(0));
            for (var k = 0; k <= depth; k++)
            {
                var terms = Instances(invariants).Select(i => (i.Name, Term: encoding.Invariant(i.Property, i.Index, k))).ToList();
                if (k > 0) terms.AddRange(steps.Select(p => (p.Name, Term: encoding.StepProperty(p, k - 1))));
                if (terms.Count > 0)
                {
                    var result = session.Check($"(push)\n(assert (not (and true {string.Join(" ", terms.Select(t => t.Term))})))");
                    if (result == SatResult.Sat)
                    {
                        var failing = FirstFalse(session, terms);
                        PinModel(session, encoding, events: k);
                        var events = k == 0 ? [] : GetValues(session, Enumerable.Range(0, k).Select(SmtEncoding.EventSymbol).ToList())
                            .Select(v => encoding.FromModel(v, spec.Alphabet.EventType)!).ToList();
                        return new Unrolling(new Counterexample(failing, events, ReadState(session, encoding, k)), covered, null);
                    }
                    // Stop before (pop): a check the deadline interrupted while reading may not have pushed its scope.
                    if (result == SatResult.Unknown) return new Unrolling(null, covered, session.UnknownReason ?? "the solver gave up");
                    session.Run("(pop)");
                }
                covered = k;
                if (k < depth) session.Run(encoding.DeclareEvent(k) + encoding.DeclareState(k + 1) + encoding.Transition(k) + Guards(spec, encoding, k));
            }
        }
        catch (SmtDeadlineException interrupted)
        {
            return new Unrolling(null, covered, interrupted.Message);
        }
        return new Unrolling(null, depth, null);
    }

    private static IEnumerable<(Property Property, int Index, string Name)> Instances(IEnumerable<Property> properties) =>
        properties.SelectMany(p => Enumerable.Range(0, p.Count).Select(i => (p, i, p.InstanceName(i))));

    private static string FirstFalse(Z3Session session, IReadOnlyList<(string Name, string Term)> terms)
    {
        var values = GetValues(session, terms.Select(t => t.Term).ToList());
        for (var i = 0; i < terms.Count; i++)
            if (values[i].Atom == "false") return terms[i].Name;
        return terms[0].Name;
    }

    /// <summary>
    /// Before a counterexample is read: the same query again with fields of other cases pinned to their defaults
    /// (<see cref="SmtEncoding.PinFieldsOfOtherCases"/>), in a scope of its own, so every model value is a value.
    /// Returns whether that scope is open (the caller pops it after reading); when the pinned query is not satisfiable
    /// in time, the original model is restored by checking again without the pins.
    /// </summary>
    private static bool PinModel(Z3Session session, SmtEncoding encoding, int events)
    {
        if (events == 0) return false;
        if (session.Check("(push)\n" + encoding.PinFieldsOfOtherCases(events)) == SatResult.Sat) return true;
        session.Run("(pop)");
        session.Check("");
        return false;
    }

    private static IReadOnlyList<SExpression> GetValues(Z3Session session, IReadOnlyList<string> terms)
    {
        if (terms.Count == 0) return [];
        var output = session.Run($"(get-value ({string.Join(" ", terms)}))");
        var parsed = SExpression.ParseAll(output);
        if (parsed.Count != 1 || !parsed[0].IsList || parsed[0].Items.Count != terms.Count)
            throw new SmtException($"unexpected get-value answer: {output}");
        return parsed[0].Items.Select(pair => pair.Items[1]).ToList();
    }

    private static IReadOnlyList<VariableValue> ReadState(Z3Session session, SmtEncoding encoding, int step)
    {
        var symbols = encoding.StateSymbols;
        var values = GetValues(session, symbols.Select(s => s.At(step)).ToList());
        var result = new List<VariableValue>();
        for (var i = 0; i < symbols.Count; i++)
        {
            if (symbols[i].IsDefinedFlag) continue;
            var definedIndex = i + 1 < symbols.Count && symbols[i + 1].IsDefinedFlag ? i + 1 : -1;
            var defined = definedIndex < 0 || values[definedIndex].Atom == "true";
            result.Add(new VariableValue(symbols[i].Name, defined ? encoding.FromModel(values[i], symbols[i].ValueType) : null, defined));
        }
        return result;
    }

    /// <summary>Runs the solver's history through the incremental evaluator: it must fail the same property.</summary>
    private static bool Replay<TEvent>(Spec<TEvent> spec, IReadOnlyList<object> history, string failing) where TEvent : class
    {
        try
        {
            var result = History.Check(spec, history.Cast<TEvent>());
            // Several properties may fail at the same event; the evaluator names one and lists the others.
            return result.Violation is { } violation && (violation.Instance == failing || violation.AlsoFailing.Contains(failing)) && violation.PrefixLength == history.Count;
        }
        catch (SpecException)
        {
            return false;
        }
    }
}
