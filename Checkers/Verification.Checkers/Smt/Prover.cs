using System.Diagnostics;
using System.Text;
using Verification.Specs;

namespace Verification.Checkers.Smt;

public enum ProofVerdict
{
    /// <summary>Init ⇒ Inv and Inv ∧ step ⇒ Inv′ (and every step property) both hold: the claims hold on every history.</summary>
    Proved,

    /// <summary>A claim fails at Nil.</summary>
    FailsInitially,

    /// <summary>A history of the given length violates a claim (found by bounded unrolling).</summary>
    Violated,

    /// <summary>Inv ∧ step ⇏ Inv′: a state satisfying the claims steps to one that does not, and no history of at most <see cref="ProofResult.Depth"/> events violates a claim. Strengthen the invariant.</summary>
    NotInductive,

    /// <summary>The solver gave up or hit its deadline (<see cref="ProofResult.UnknownReason"/> says which): nothing is established beyond what the result lists.</summary>
    Unknown,

    /// <summary>A bounded check found no violation in any history of at most <see cref="ProofResult.Depth"/> events. Not a proof: longer histories were not looked at.</summary>
    NoViolationUpToDepth,
}

public sealed record ProverOptions
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How far bounded unrolling looks for a real history when induction fails.</summary>
    public int UnrollingDepth { get; init; } = 8;

    /// <summary>
    /// Test seam: SMT-LIB2 commands sent to every fresh solver state (the tests send assertions that make Z3 answer
    /// unknown). Declarations and assertions only: Z3 4.8 applies a set-option to every context in the process.
    /// </summary>
    internal string SolverPrelude { get; init; } = "";

    /// <summary>Test seam: like <see cref="SolverPrelude"/>, for the bounded unrolling's solver state only.</summary>
    internal string UnrollingPrelude { get; init; } = "";
}

/// <summary>
/// The outcome of sending a spec's claims to Z3. Counterexamples are in the spec's own terms: variable values and
/// events of its alphabet; a violating history is replayed through the incremental evaluator to confirm it.
/// </summary>
public sealed record ProofResult(
    string Spec,
    IReadOnlyList<string> Claims,
    ProofVerdict Verdict,
    string? FailingClaim,
    IReadOnlyList<object>? History,
    IReadOnlyList<VariableValue>? PreState,
    object? Event,
    IReadOnlyList<VariableValue>? PostState,
    bool? ConfirmedByEvaluation,
    TimeSpan SolverTime,
    string Z3Version)
{
    /// <summary>Why the solver answered unknown: "timeout after N s" (our deadline) or Z3's own reason. Null unless the verdict is Unknown.</summary>
    public string? UnknownReason { get; init; }

    /// <summary>
    /// How far bounded unrolling got: no history of at most this many events violates a claim. Set for
    /// NoViolationUpToDepth and NotInductive, and for Unknown when the unrolling covered some lengths before the solver gave up.
    /// </summary>
    public int? Depth { get; init; }

    public override string ToString()
    {
        var text = new StringBuilder();
        var claims = string.Join(" ∧ ", Claims);
        text.Append($"{Spec}: {claims} — ");
        switch (Verdict)
        {
            case ProofVerdict.Proved:
                text.Append("proved by induction (holds initially and is preserved by every event)");
                break;
            case ProofVerdict.FailsInitially:
            case ProofVerdict.Violated:
                text.AppendLine($"{FailingClaim} is violated by {(History!.Count == 0 ? "the empty history Nil" : $"a history of {History.Count} event{(History.Count == 1 ? "" : "s")}")}:");
                for (var i = 0; i < History.Count; i++) text.AppendLine($"    {i + 1,3}. {Alphabet.Describe(History[i])}");
                text.AppendLine("  state after it:");
                foreach (var value in PostState!) text.AppendLine($"    {value}");
                text.Append(ConfirmedByEvaluation == true ? "  (replayed through the evaluator: same violation)" : "  (WARNING: replaying it through the evaluator did not reproduce the violation)");
                break;
            case ProofVerdict.NotInductive:
                text.AppendLine($"not inductive: {FailingClaim} can break in one step from a state satisfying every claim:");
                AppendStep(text);
                text.Append($"  No history of at most {Events(Depth ?? 0)} violates a claim; strengthen the invariant to exclude that pre-state.");
                break;
            case ProofVerdict.NoViolationUpToDepth:
                text.Append($"no violation in any history of at most {Events(Depth ?? 0)} (bounded check, not a proof)");
                break;
            default:
                text.Append($"unknown: {UnknownReason ?? "the solver gave up"}");
                if (PreState is not null)
                {
                    text.AppendLine();
                    text.AppendLine($"  Not inductive: {FailingClaim} can break in one step from a state satisfying every claim:");
                    AppendStep(text);
                    text.Append("  Bounded unrolling could not decide whether a real history violates a claim");
                    text.Append(Depth is { } covered ? $" (none of at most {Events(covered)} does)." : ".");
                }
                else if (Depth is { } covered)
                {
                    text.Append($" (no violation in any history of at most {Events(covered)}; longer ones undecided)");
                }
                break;
        }
        text.Append($"  [{SolverTime.TotalMilliseconds:F0} ms, Z3 {Z3Version}]");
        return text.ToString();
    }

    private static string Events(int count) => $"{count} event{(count == 1 ? "" : "s")}";

    /// <summary>A counterexample to induction: the pre-state, the event, and what it changed.</summary>
    private void AppendStep(StringBuilder text)
    {
        text.AppendLine("  pre-state:");
        foreach (var value in PreState!) text.AppendLine($"    {value}");
        text.AppendLine($"  event: {Alphabet.Describe(Event)}");
        var changed = PostState!.Where(v => !PreState.Contains(v)).ToList();
        text.AppendLine(changed.Count == 0 ? "  post-state: no variable changes" : "  post-state (what changed):");
        foreach (var value in changed) text.AppendLine($"    {value}");
    }
}

/// <summary>
/// Induction and bounded unrolling over a spec's SMT translation (use (b) of the staged definition):
/// Init ⇒ Inv, Inv ∧ guards ∧ step ⇒ Inv′ where Inv is the conjunction of the claimed invariants, and every claimed step
/// property follows from Inv ∧ guards ∧ step. Bounded unrolling looks only at histories whose every event passes its guards.
/// </summary>
public static class Prover
{
    /// <summary>Proves the claims (all of the spec's properties by default); on failure, finds a real violating history when one exists within the unrolling bound.</summary>
    public static ProofResult Prove<TEvent>(Spec<TEvent> spec, IEnumerable<Property>? claims = null, ProverOptions? options = null) where TEvent : class
    {
        options ??= new ProverOptions();
        var claimed = Claims(spec, claims);
        var encoding = new SmtEncoding(spec);
        var invariants = claimed.Where(p => p.Kind == PropertyKind.Invariant).ToList();
        var steps = claimed.Where(p => p.Kind == PropertyKind.Step).ToList();
        var names = claimed.Select(c => c.Name).ToList();
        using var session = new Z3Session(options.Timeout);
        try
        {
            return Induction(spec, encoding, session, options, invariants, steps, names);
        }
        catch (SmtDeadlineException interrupted)
        {
            return Undecided(spec, names, session, interrupted);
        }
    }

    /// <summary>The deadline interrupted the solver while it read commands rather than during a check: as undecided as a check that timed out.</summary>
    private static ProofResult Undecided(ISpec spec, IReadOnlyList<string> names, Z3Session session, SmtDeadlineException interrupted) =>
        new(spec.Name, names, ProofVerdict.Unknown, null, null, null, null, null, null, session.Elapsed, session.Version) { UnknownReason = interrupted.Message };

    private static ProofResult Induction<TEvent>(Spec<TEvent> spec, SmtEncoding encoding, Z3Session session, ProverOptions options,
        IReadOnlyList<Property> invariants, IReadOnlyList<Property> steps, IReadOnlyList<string> names) where TEvent : class
    {
        var deadline = Stopwatch.StartNew();

        ProofResult Result(ProofVerdict verdict, string? failing = null, IReadOnlyList<object>? history = null, IReadOnlyList<VariableValue>? pre = null,
            object? evt = null, IReadOnlyList<VariableValue>? post = null, bool? confirmed = null, int? depth = null) =>
            new(spec.Name, names, verdict, failing, history, pre, evt, post, confirmed, session.Elapsed, session.Version)
            {
                UnknownReason = verdict == ProofVerdict.Unknown ? session.UnknownReason ?? "the solver gave up" : null,
                Depth = depth,
            };

        // Initiation: Init ⇒ Inv.
        session.Run(options.SolverPrelude + encoding.Preamble + "\n" + encoding.DeclareState(0) + encoding.Initial(0));
        var initialTerms = Instances(invariants).Select(i => (i.Name, Term: encoding.Invariant(i.Property, i.Index, 0))).ToList();
        if (initialTerms.Count > 0)
        {
            var initiation = session.Check($"(push)\n(assert (not (and true {string.Join(" ", initialTerms.Select(t => t.Term))})))");
            if (initiation == SatResult.Unknown) return Result(ProofVerdict.Unknown);
            if (initiation == SatResult.Sat)
            {
                var failing = FirstFalse(session, initialTerms);
                var state = ReadState(session, encoding, 0);
                var confirmed = Replay(spec, [], failing);
                return Result(ProofVerdict.FailsInitially, failing, [], null, null, state, confirmed);
            }
            session.Run("(pop)");
        }

        // Consecution: Inv ∧ step ⇒ Inv′ ∧ every step property.
        session.Run("(reset)\n" + options.SolverPrelude + encoding.Preamble + "\n" + encoding.DeclareState(0) + encoding.DeclareEvent(0) + encoding.DeclareState(1));
        var assumed = Instances(invariants).Select(i => encoding.Invariant(i.Property, i.Index, 0));
        var obligations = Instances(invariants).Select(i => (i.Name, Term: encoding.Invariant(i.Property, i.Index, 1)))
            .Concat(steps.Select(p => (Name: p.Name, Term: encoding.StepProperty(p, 0)))).ToList();
        var consecution = session.Check(
            $"(assert (and true {string.Join(" ", assumed)}))\n{encoding.Transition(0)}{Guards(spec, encoding, 0)}(assert (not (and true {string.Join(" ", obligations.Select(o => o.Term))})))");
        if (consecution == SatResult.Unknown) return Result(ProofVerdict.Unknown);
        if (consecution == SatResult.Unsat) return Result(ProofVerdict.Proved);
        var failingClaim = FirstFalse(session, obligations);
        var pre = ReadState(session, encoding, 0);
        var post = ReadState(session, encoding, 1);
        var evt = encoding.FromModel(GetValues(session, [SmtEncoding.EventSymbol(0)])[0], spec.Alphabet.EventType);

        // Is the bad pre-state reachable? Look for a real history.
        session.Timeout = options.Timeout - deadline.Elapsed > TimeSpan.FromSeconds(1) ? options.Timeout - deadline.Elapsed : TimeSpan.FromSeconds(1);
        var unrolled = Unroll(spec, encoding, session, options, invariants, steps, options.UnrollingDepth);
        if (unrolled.Violation is { } found)
            return Result(ProofVerdict.Violated, found.Failing, found.History, null, null, found.State, Replay(spec, found.History, found.Failing));
        // Unknown, not NotInductive: that verdict says no history up to the bound violates a claim, which an unknown leaves open.
        return Result(unrolled.Undecided ? ProofVerdict.Unknown : ProofVerdict.NotInductive, failingClaim, null, pre, evt, post, null, unrolled.Depth) with { UnknownReason = unrolled.UnknownReason };
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
    /// if any. Finding none is <see cref="ProofVerdict.NoViolationUpToDepth"/>, not a proof.
    /// </summary>
    public static ProofResult BoundedCheck<TEvent>(Spec<TEvent> spec, int depth, IEnumerable<Property>? claims = null, ProverOptions? options = null) where TEvent : class
    {
        if (depth < 0) throw new SpecException($"the unrolling depth must be at least 0 (got {depth})");
        options ??= new ProverOptions();
        var claimed = Claims(spec, claims);
        var encoding = new SmtEncoding(spec);
        using var session = new Z3Session(options.Timeout);
        var names = claimed.Select(c => c.Name).ToList();
        var unrolled = Unroll(spec, encoding, session, options, claimed.Where(p => p.Kind == PropertyKind.Invariant).ToList(), claimed.Where(p => p.Kind == PropertyKind.Step).ToList(), depth);
        if (unrolled.Violation is not { } found)
            return new ProofResult(spec.Name, names, unrolled.Undecided ? ProofVerdict.Unknown : ProofVerdict.NoViolationUpToDepth, null, null, null, null, null, null, session.Elapsed, session.Version)
            {
                UnknownReason = unrolled.UnknownReason,
                Depth = unrolled.Depth,
            };
        var verdict = found.History.Count == 0 ? ProofVerdict.FailsInitially : ProofVerdict.Violated;
        return new ProofResult(spec.Name, names, verdict, found.Failing, found.History, null, null, found.State,
            Replay(spec, found.History, found.Failing), session.Elapsed, session.Version);
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
            return result.Violation is { } violation && violation.Instance == failing && violation.PrefixLength == history.Count;
        }
        catch (SpecException)
        {
            return false;
        }
    }
}
