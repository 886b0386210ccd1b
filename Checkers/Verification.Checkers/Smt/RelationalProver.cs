using System.Diagnostics;
using System.Text;
using Verification.Specs;

namespace Verification.Checkers.Smt;

/// <summary>One proof obligation of a relational model: an invariant at Nil, or an invariant across one action.</summary>
/// <param name="Invariant">The invariant to prove.</param>
/// <param name="Action">The action it must survive; null for the initial state.</param>
/// <param name="Answer">Z3's answer to the negated obligation: unsat when it holds, sat when it fails.</param>
/// <param name="SolverTime">How long Z3 took on it.</param>
public sealed record RelationalObligation(string Invariant, string? Action, SatResult Answer, TimeSpan SolverTime)
{
    /// <summary>Why the solver answered unknown (null when it answered): "timeout after N s" or Z3's own reason.</summary>
    public string? UnknownReason { get; init; }

    /// <summary>The action changes none of the relations the invariant reads, so it holds after the step without a solver query.</summary>
    public bool Unchanged { get; init; }

    /// <summary>One line: the invariant, initially or after which action, holds / FAILS / unknown (with why), and the solver time.</summary>
    public override string ToString() => $"{Invariant} {(Action is null ? "initially" : "after " + Action)}: " +
        (Unchanged ? "holds (reads nothing the action changes)" : $"{(Answer == SatResult.Unsat ? "holds" : Answer == SatResult.Sat ? "FAILS" : $"unknown: {UnknownReason}")} ({SolverTime.TotalMilliseconds:F0} ms)");
}

/// <summary>
/// A counterexample to induction of a relational model, read back from Z3's finite model: the elements of each sort
/// (ballots in their order), the true facts of each relation before the step, the action with its arguments, and
/// what it changed; or the model of the initial state where an invariant fails.
/// </summary>
/// <param name="Property">The invariant that fails.</param>
/// <param name="Action">The action it fails across; null when it fails initially.</param>
/// <param name="Model">The readable model: sorts' elements, true facts, the action's arguments and what changed.</param>
public sealed record ModelCounterexample(string Property, string? Action, string Model) : Counterexample(Property)
{
    /// <inheritdoc/>
    public override string Describe() =>
        (Action is null ? $"{Property} fails initially:\n" : $"not inductive: {Property} can break in one {Action} step from a state satisfying every invariant:\n") + Model.TrimEnd();
}

/// <summary>
/// Induction for a <see cref="RelationalModel"/>: for each invariant, Axioms ∧ Init ⇒ Inv, and for each action and
/// invariant, Axioms ∧ (all invariants) ∧ guard ∧ update ⇒ Inv′. One query per obligation, so a failure names both
/// the invariant and the action; in EPR each query is decidable.
/// </summary>
public static class RelationalProver
{
    /// <summary>
    /// Every invariant initially and across every action, for every size of the sorts: holds; violated initially
    /// (with the model); unknown, not inductive (with the counterexample to induction), or the solver undecided.
    /// Actions are proved in Z3 contexts of their own, <see cref="ProverOptions.Parallelism"/> at a time; the result
    /// is the same at any parallelism (the first failure in the model's order of actions and invariants).
    /// </summary>
    public static CheckResult Prove(RelationalModel model, ProverOptions? options = null)
    {
        options ??= new ProverOptions();
        var watch = Stopwatch.StartNew();
        var pre = new RelationalState(0);
        // A malformed update is reported before any solver work.
        var steps = model.Actions.Select(action =>
        {
            var post = new RelationalState(1, action.Updates.Select(u => u.Relation));
            return new ActionStep(action, post, Transition(model, action, pre, post));
        }).ToList();
        using var session = new Z3Session(options.Timeout);
        var obligations = new List<RelationalObligation>();
        CheckResult Finish(Verdict verdict, ModelCounterexample? counterexample, string? unknownReason = null) => new()
        {
            Subject = $"{model.Name}: {string.Join(" ∧ ", model.Invariants.Select(i => i.Name))}",
            Method = $"induction over uninterpreted sorts (Z3 {session.Version})",
            Verdict = verdict,
            Why = verdict != Verdict.Unknown ? null : counterexample is not null ? Inconclusive.NotInductive
                : unknownReason?.StartsWith("timeout", StringComparison.Ordinal) == true ? Inconclusive.Budget : Inconclusive.Solver,
            Reason = unknownReason,
            Coverage = new Coverage { Obligations = obligations.Count },
            Within = [$"every size of {string.Join(", ", model.Sorts)}", $"the axioms ({string.Join(", ", model.Axioms.Select(a => a.Name))})"],
            Counterexample = counterexample,
            Elapsed = watch.Elapsed,
            Notes = string.Join("\n", obligations.Select(o => "  " + o)),
        };

        try
        {
            session.Run(options.SolverPrelude + Declarations(model));
            // Vacuity: if the axioms and Nil, or the invariants and an action's guard, had no model, every obligation
            // below would hold for no reason; when the solver cannot tell, neither can the proof.
            const string initially = "the axioms and the initial state";
            if (RequireSatisfiable(session, model, $"(assert {model.Initial(pre)})", initially) is { } undecided)
                return Finish(Verdict.Unknown, null, $"{undecided} (deciding whether {initially} have a model)");
            foreach (var invariant in model.Invariants)
            {
                var answer = Check(session, $"(assert {model.Initial(pre)})\n(assert (not {invariant.Formula(pre)}))", out var time);
                obligations.Add(new RelationalObligation(invariant.Name, null, answer, time) { UnknownReason = session.UnknownReason });
                if (answer == SatResult.Sat) return Finish(Verdict.Violated, new ModelCounterexample(invariant.Name, null, ReadCounterexample(session, model, null, null, "")));
                // Stop before (pop): a check the deadline interrupted while reading may not have pushed its scope.
                if (answer == SatResult.Unknown) return Finish(Verdict.Unknown, null, $"{session.UnknownReason} ({invariant.Name} initially)");
                session.Run("(pop)");
            }
        }
        catch (SmtDeadlineException interrupted)
        {
            // The deadline interrupted the solver while it read commands rather than during a check.
            return Finish(Verdict.Unknown, null, interrupted.Message);
        }

        var outcomes = ProveActions(model, steps, options);
        foreach (var outcome in outcomes)
        {
            if (outcome is null) break; // not started: an earlier action already failed
            if (outcome.Error is { } error) throw error;
            obligations.AddRange(outcome.Obligations);
            if (outcome.Counterexample is { } counterexample) return Finish(Verdict.Unknown, counterexample);
            if (outcome.UnknownReason is { } reason) return Finish(Verdict.Unknown, null, reason);
        }
        return Finish(Verdict.Holds, null);
    }

    /// <summary>An action with the state after it (its changed relations renamed) and those relations' macros.</summary>
    private sealed record ActionStep(RelationalAction Action, RelationalState Post, string Transition);

    /// <summary>What proving one action found: its obligations so far, and the failure that stopped it, if any.</summary>
    private sealed record ActionOutcome(List<RelationalObligation> Obligations)
    {
        public ModelCounterexample? Counterexample { get; init; }

        public string? UnknownReason { get; init; }

        public SpecException? Error { get; init; }

        public bool Failed => Counterexample is not null || UnknownReason is not null || Error is not null;
    }

    /// <summary>
    /// Proves the actions, each in a fresh Z3 context, so an action's answers (and its counterexample's model) do not
    /// depend on which actions ran before it or beside it; up to <see cref="ProverOptions.Parallelism"/> at once.
    /// </summary>
    private static ActionOutcome?[] ProveActions(RelationalModel model, IReadOnlyList<ActionStep> steps, ProverOptions options)
    {
        var assumed = string.Join(" ", model.Invariants.Select(i => i.Formula(new RelationalState(0))));
        return UntilFirstFailure.Run(steps.Count, options.Parallelism, () => new NoWorkerState(), (_, index) => ProveAction(model, steps[index], assumed, options), o => o.Failed);
    }

    /// <summary>Each action opens its own Z3 context: a worker keeps nothing between actions.</summary>
    private sealed class NoWorkerState : IDisposable
    {
        public void Dispose()
        {
        }
    }

    private static ActionOutcome ProveAction(RelationalModel model, ActionStep step, string assumed, ProverOptions options)
    {
        var (action, post, transition) = step;
        var pre = new RelationalState(0);
        var obligations = new List<RelationalObligation>();
        try
        {
            using var session = new Z3Session(options.Timeout);
            session.Run(options.SolverPrelude + Declarations(model));
            // After the step, the relations the action changes are macros over the state before it and the others
            // are the relations before it: no frame axioms, no quantified update equations for Z3 to instantiate.
            var parameters = string.Concat(action.Parameters.Select(p => $"(declare-const {p.Name} {p.Sort})\n"));
            var enabled = $"action {action.Name}'s guard together with the invariants";
            if (RequireSatisfiable(session, model, $"{parameters}{transition}(assert (and true {assumed}))\n(assert {action.Guard(pre)})", enabled) is { } undecidedGuard)
                return new ActionOutcome(obligations) { UnknownReason = $"{undecidedGuard} (deciding whether {enabled} have a model)" };
            foreach (var invariant in model.Invariants)
            {
                // An invariant that reads nothing the action changes is the same formula after the step as before,
                // where it is assumed: it holds without a query.
                var after = invariant.Formula(post);
                if (after == invariant.Formula(pre))
                {
                    obligations.Add(new RelationalObligation(invariant.Name, action.Name, SatResult.Unsat, TimeSpan.Zero) { Unchanged = true });
                    continue;
                }
                var query = $"{parameters}{transition}(assert (and true {assumed}))\n(assert {action.Guard(pre)})\n(assert (not {after}))";
                var answer = Check(session, query, out var time);
                obligations.Add(new RelationalObligation(invariant.Name, action.Name, answer, time) { UnknownReason = session.UnknownReason });
                if (answer == SatResult.Sat)
                    return new ActionOutcome(obligations) { Counterexample = new ModelCounterexample(invariant.Name, action.Name, ReadCounterexample(session, model, action, post, transition)) };
                if (answer == SatResult.Unknown) return new ActionOutcome(obligations) { UnknownReason = $"{session.UnknownReason} ({invariant.Name} after {action.Name})" };
                session.Run("(pop)");
            }
            return new ActionOutcome(obligations);
        }
        catch (SmtDeadlineException interrupted)
        {
            // The deadline interrupted the solver while it read commands rather than during a check.
            return new ActionOutcome(obligations) { UnknownReason = interrupted.Message };
        }
        catch (SpecException error)
        {
            // A vacuous guard: reported as the proof's error, in the order of the actions.
            return new ActionOutcome(obligations) { Error = error };
        }
    }

    /// <summary>Throws when the query has no model; returns the solver's reason when it cannot tell (null: it has one).</summary>
    private static string? RequireSatisfiable(Z3Session session, RelationalModel model, string query, string what)
    {
        var answer = session.Check("(push)\n" + query);
        if (answer == SatResult.Unknown) return session.UnknownReason ?? "the solver gave up"; // the proof stops: no (pop)
        session.Run("(pop)");
        if (answer == SatResult.Unsat)
            throw new SpecException($"{model.Name}: {what} have no model, so every proof obligation about it would hold vacuously; check the axioms and the guard");
        return null;
    }

    private static SatResult Check(Z3Session session, string query, out TimeSpan time)
    {
        var watch = Stopwatch.StartNew();
        var answer = session.Check("(push)\n" + query);
        time = watch.Elapsed;
        return answer;
    }

    private static string Declarations(RelationalModel model)
    {
        var text = new StringBuilder();
        foreach (var sort in model.Sorts) text.AppendLine($"(declare-sort {sort} 0)");
        text.AppendLine(model.Constants);
        foreach (var axiom in model.Axioms) text.AppendLine($"(assert {axiom.Formula}) ; {axiom.Name}");
        var pre = new RelationalState(0);
        foreach (var relation in model.State)
            text.AppendLine($"(declare-fun {pre[relation.Name]} ({string.Join(" ", relation.ArgumentSorts)}) Bool)");
        return text.ToString();
    }

    /// <summary>The relations the action changes, defined after the step as macros over the state before it (the others keep their names).</summary>
    private static string Transition(RelationalModel model, RelationalAction action, RelationalState pre, RelationalState post)
    {
        var text = new StringBuilder();
        foreach (var update in action.Updates)
        {
            var relation = model.State.FirstOrDefault(r => r.Name == update.Relation)
                ?? throw new SpecException($"{model.Name}: action {action.Name} updates '{update.Relation}', which is not a state relation");
            if (update.Arguments.Count != relation.ArgumentSorts.Count)
                throw new SpecException($"{model.Name}: action {action.Name} updates {relation.Name} with {update.Arguments.Count} arguments; it has {relation.ArgumentSorts.Count}");
            if (action.Updates.Count(u => u.Relation == update.Relation) > 1)
                throw new SpecException($"{model.Name}: action {action.Name} updates {relation.Name} twice");
            var bound = string.Join(" ", update.Arguments.Select((a, i) => $"({a} {relation.ArgumentSorts[i]})"));
            text.AppendLine($"(define-fun {post[relation.Name]} ({bound}) Bool {update.Body(pre)})");
        }
        return text.ToString();
    }

    /// <summary>Reads Z3's finite model: each sort's elements (renamed n0, n1, …; ballots in their order), then the facts.</summary>
    private static string ReadCounterexample(Z3Session session, RelationalModel model, RelationalAction? action, RelationalState? post, string transition)
    {
        var solverModel = session.Run("(get-model)"); // read now: the checks of SmallModel replace it
        var modelText = SmallModel(session, model) ?? solverModel;
        // The model leaves out macros: the changed relations after the step are evaluated from their definitions.
        var finite = new FiniteModel(modelText, transition);
        var universe = new Dictionary<string, List<string>>();
        foreach (var sort in model.Sorts)
        {
            var marker = $";; universe for {sort}:";
            var at = modelText.IndexOf(marker, StringComparison.Ordinal);
            var elements = new List<string>();
            if (at >= 0)
            {
                var line = modelText[(at + marker.Length)..].Split('\n', StringSplitOptions.RemoveEmptyEntries)[0].TrimStart(';', ' ');
                elements.AddRange(line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            }
            universe[sort] = elements;
        }
        // Ordered sorts (ballots, terms) in their order: an element's position is the number of elements below it.
        var ordered = new List<string>();
        foreach (var (sort, order) in model.Orders)
        {
            if (!universe.TryGetValue(sort, out var elements) || elements.Count < 2) continue;
            universe[sort] = elements.OrderBy(x => elements.Count(y => finite.Holds(order, y, x))).ToList();
            ordered.Add(sort);
        }
        // An element is named by its sort's capitals and digits, lower-cased, and its position: b0, n1, and p1q0 for
        // Phase1Quorum (its first letter alone would clash with Phase2Quorum's).
        var names = new Dictionary<string, string>();
        foreach (var (sort, elements) in universe)
        {
            var prefix = new string(sort.Where((c, i) => i == 0 || char.IsUpper(c) || char.IsDigit(c)).Select(char.ToLowerInvariant).ToArray());
            for (var i = 0; i < elements.Count; i++) names[elements[i]] = $"{prefix}{i}";
        }

        var text = new StringBuilder();
        text.AppendLine("  universe: " + string.Join("; ", universe.Select(u => $"{u.Key} {{{string.Join(", ", u.Value.Select(e => names[e]))}}}")) + (ordered.Count > 0 ? $" ({string.Join(", ", ordered)} in order)" : ""));
        foreach (var (sort, member) in model.Memberships)
            if (universe.TryGetValue(sort, out var quorums) && universe.TryGetValue("Node", out var nodes))
                text.AppendLine($"  {(sort == "Quorum" ? "quorums" : sort)}: " + string.Join("; ", quorums.Select(q => $"{names[q]} = {{{string.Join(", ", nodes.Where(n => finite.Holds(member, n, q)).Select(n => names[n]))}}}")));
        text.AppendLine("  pre-state (true facts):");
        var preFacts = Facts(finite, model, universe, names, new RelationalState(0));
        foreach (var fact in preFacts) text.AppendLine($"    {fact}");
        if (action is null) return text.ToString();
        var arguments = action.Parameters.Select(p => $"{p.Name} = {names.GetValueOrDefault(finite.Constant(p.Name), "any")}");
        text.AppendLine($"  action: {action.Name}({string.Join(", ", arguments)})");
        var postFacts = Facts(finite, model, universe, names, post!);
        var added = postFacts.Except(preFacts).ToList();
        var removed = preFacts.Except(postFacts).ToList();
        text.AppendLine("  post-state changes: " + (added.Count + removed.Count == 0 ? "none" : string.Join(", ", added.Select(f => "+" + f).Concat(removed.Select(f => "-" + f)))));
        return text.ToString();
    }

    /// <summary>
    /// A smaller counterexample is easier to read: the query is re-checked with every sort bounded to 1, 2, 3, then 4
    /// elements, and the first satisfiable bound's model is used (null: none within 4, keep the solver's first model).
    /// </summary>
    private static string? SmallModel(Z3Session session, RelationalModel model)
    {
        for (var size = 1; size <= 4; size++)
        {
            var bound = new StringBuilder("(push)\n");
            foreach (var sort in model.Sorts)
            {
                var elements = Enumerable.Range(0, size).Select(i => $"|{sort}#{i}|").ToList();
                foreach (var element in elements) bound.AppendLine($"(declare-const {element} {sort})");
                bound.AppendLine($"(assert (forall ((x {sort})) (or {string.Join(" ", elements.Select(e => $"(= x {e})"))})))");
            }
            var answer = session.Check(bound.ToString());
            if (answer == SatResult.Sat) return session.Run("(get-model)");
            if (answer == SatResult.Unknown) return null; // not worth waiting for; and an interrupted check may not have pushed
            session.Run("(pop)");
        }
        return null;
    }

    private static List<string> Facts(FiniteModel finite, RelationalModel model, Dictionary<string, List<string>> universe, Dictionary<string, string> names, RelationalState state)
    {
        var facts = new List<string>();
        foreach (var relation in model.State)
        {
            IEnumerable<List<string>> tuples = [[]];
            foreach (var sort in relation.ArgumentSorts)
                tuples = tuples.SelectMany(t => universe.GetValueOrDefault(sort, []).Select(e => t.Append(e).ToList()));
            foreach (var tuple in tuples)
            {
                if (finite.Holds(state[relation.Name].Trim('|'), [.. tuple])) facts.Add($"{relation.Name}({string.Join(", ", tuple.Select(e => names[e]))})");
            }
        }
        return facts;
    }

    /// <summary>
    /// Z3's model of a satisfiable query with uninterpreted sorts, evaluated here: its universe elements (Node!val!0 …)
    /// cannot be named in a later query, so the definitions it prints (ite/and/or/not/= over those elements) are
    /// interpreted directly. A symbol without a definition is unconstrained: false for a relation, as completion does.
    /// </summary>
    private sealed class FiniteModel
    {
        private readonly Dictionary<string, (IReadOnlyList<string> Parameters, SExpression Body)> definitions = [];

        public FiniteModel(string modelText, string macros)
        {
            var parsed = SExpression.ParseAll(modelText);
            var items = parsed.Count == 1 && parsed[0].IsList ? parsed[0].Items : parsed;
            foreach (var item in items.Concat(SExpression.ParseAll(macros)).Where(i => i.IsList && i.Items.Count == 5 && i.Items[0].Atom == "define-fun"))
                definitions[item.Items[1].Atom!] = (item.Items[2].Items.Select(p => p.Items[0].Atom!).ToList(), item.Items[4]);
        }

        public bool Holds(string relation, params string[] arguments) => Apply(relation, arguments) is true;

        public string Constant(string name) => Apply(name, []) as string ?? "";

        private object Apply(string name, IReadOnlyList<object> arguments)
        {
            if (!definitions.TryGetValue(name, out var definition)) return false;
            var environment = new Dictionary<string, object>();
            for (var i = 0; i < definition.Parameters.Count; i++) environment[definition.Parameters[i]] = arguments[i];
            return Evaluate(definition.Body, environment);
        }

        private object Evaluate(SExpression term, Dictionary<string, object> environment)
        {
            if (!term.IsList)
            {
                var atom = term.Atom!;
                if (atom == "true") return true;
                if (atom == "false") return false;
                if (environment.TryGetValue(atom, out var bound)) return bound;
                if (definitions.ContainsKey(atom)) return Apply(atom, []);
                return atom; // a universe element
            }
            var head = term.Items[0].Atom;
            var args = term.Items.Skip(1).ToList();
            switch (head)
            {
                case "and": return args.All(a => Evaluate(a, environment) is true);
                case "or": return args.Any(a => Evaluate(a, environment) is true);
                case "not": return Evaluate(args[0], environment) is not true;
                case "=>": return Evaluate(args[0], environment) is not true || Evaluate(args[1], environment) is true;
                case "=": return Equals(Evaluate(args[0], environment), Evaluate(args[1], environment));
                case "ite": return Evaluate(args[0], environment) is true ? Evaluate(args[1], environment) : Evaluate(args[2], environment);
                case "let":
                    var inner = new Dictionary<string, object>(environment);
                    foreach (var binding in args[0].Items) inner[binding.Items[0].Atom!] = Evaluate(binding.Items[1], environment);
                    return Evaluate(args[1], inner);
                case { } function:
                    return Apply(function, args.Select(a => Evaluate(a, environment)).ToList());
                default:
                    throw new SmtException($"cannot read the solver's model term {term}");
            }
        }
    }
}
