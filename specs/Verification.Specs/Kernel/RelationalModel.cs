namespace Verification.Specs;

/// <summary>
/// A protocol over unbounded, uninterpreted sorts (nodes, ballots, values, quorums), the style of Ivy and mypyvy's
/// "Paxos made EPR": state is a set of relations, each action a guarded update, invariants first-order formulas.
/// Where a finite spec proves a property for 3 or 5 nodes, a relational model proves it for every N. Formulas are
/// SMT-LIB2 text; a state relation is referred to through a <see cref="RelationalState"/> so the same formula can be
/// read before or after a step.
/// </summary>
/// <param name="Name">The model's name, as results show it.</param>
/// <param name="Sorts">The uninterpreted sorts (e.g. Node, Ballot, Value, Quorum); the proof holds for every size of each.</param>
/// <param name="Constants">SMT-LIB2 declarations of the immutable symbols (e.g. the ballot order, quorum membership).</param>
/// <param name="Axioms">What is assumed about those symbols everywhere.</param>
/// <param name="State">The relations that make up the state.</param>
/// <param name="Initial">The initial state, as a formula over the relations of the state it is given.</param>
/// <param name="Actions">The steps the protocol may take.</param>
/// <param name="Invariants">The claims, proved together by induction.</param>
public sealed record RelationalModel(
    string Name,
    IReadOnlyList<string> Sorts,
    string Constants,
    IReadOnlyList<NamedFormula> Axioms,
    IReadOnlyList<StateRelation> State,
    Func<RelationalState, string> Initial,
    IReadOnlyList<RelationalAction> Actions,
    IReadOnlyList<RelationalInvariant> Invariants)
{
    /// <summary>
    /// Sorts that a strict total order declared in <see cref="Constants"/> ranks, by name of that order (Ballot → lt):
    /// a counterexample lists their elements in that order, so b0 is the lowest ballot.
    /// </summary>
    public IReadOnlyDictionary<string, string> Orders { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Sorts of quorums, each with its membership relation over (Node, quorum), declared in <see cref="Constants"/>:
    /// a counterexample lists each quorum's nodes. Quorum ↦ member unless a model says otherwise.
    /// </summary>
    public IReadOnlyDictionary<string, string> Memberships { get; init; } = new Dictionary<string, string> { ["Quorum"] = "member" };

    /// <summary>The same model claiming only the named invariants (e.g. without "choosable", to see induction fail).</summary>
    public RelationalModel WithInvariants(IReadOnlyList<string> names)
    {
        foreach (var name in names)
            if (Invariants.All(i => i.Name != name))
                throw new SpecException($"'{name}' is not an invariant of {Name} (it has {string.Join(", ", Invariants.Select(i => i.Name))})");
        return this with { Invariants = Invariants.Where(i => names.Contains(i.Name)).ToList() };
    }
}

/// <summary>An axiom about the immutable symbols (e.g. quorum intersection), assumed everywhere.</summary>
/// <param name="Name">The name results show.</param>
/// <param name="Formula">The formula as SMT-LIB2 text, over the sorts and immutable symbols.</param>
public sealed record NamedFormula(string Name, string Formula);

/// <summary>A state relation with its argument sorts: vote(Node, Ballot, Value).</summary>
/// <param name="Name">The relation's name, as formulas refer to it through a <see cref="RelationalState"/>.</param>
/// <param name="ArgumentSorts">The sort of each argument, in order.</param>
public sealed record StateRelation(string Name, IReadOnlyList<string> ArgumentSorts);

/// <summary>
/// An action: parameters (existentially chosen by the step), a guard over the pre-state, and new definitions of the
/// relations it changes (each over fresh variables, in terms of the pre-state); every other relation stays.
/// </summary>
/// <param name="Name">The action's name, as an obligation and a counterexample name it.</param>
/// <param name="Parameters">The parameters with their sorts, declared as constants the step chooses.</param>
/// <param name="Guard">When the action may run: a formula over the pre-state and the parameters.</param>
/// <param name="Updates">The relations it changes; the others keep their values.</param>
public sealed record RelationalAction(
    string Name,
    IReadOnlyList<(string Name, string Sort)> Parameters,
    Func<RelationalState, string> Guard,
    IReadOnlyList<RelationUpdate> Updates);

/// <summary>relation(arguments) := body(pre-state), e.g. vote(n, b, v) := vote(n, b, v) ∨ (n = N ∧ b = B ∧ v = V).</summary>
/// <param name="Relation">The relation changed.</param>
/// <param name="Arguments">Fresh variable names for its arguments, one per argument sort.</param>
/// <param name="Body">Its new value at those arguments, over the pre-state and the action's parameters.</param>
public sealed record RelationUpdate(string Relation, IReadOnlyList<string> Arguments, Func<RelationalState, string> Body);

/// <summary>An invariant the model claims: a closed first-order formula over the state relations, proved for every N.</summary>
/// <param name="Name">The name reports and <see cref="RelationalModel.WithInvariants"/> use.</param>
/// <param name="Formula">The formula as SMT-LIB2 text, given the state whose relations it reads (before or after a step).</param>
public sealed record RelationalInvariant(string Name, Func<RelationalState, string> Formula);

/// <summary>Names the relations of the state after a given number of steps: s["vote"] is |vote@0| or |vote@1|.</summary>
public sealed class RelationalState
{
    private readonly IReadOnlySet<string>? changed;

    /// <summary>The state after <paramref name="step"/> steps: 0 for the state before a step, 1 for the state after it.</summary>
    public RelationalState(int step) => Step = step;

    /// <summary>
    /// The state after a step (<paramref name="step"/> ≥ 1) that changed only the relations <paramref name="changed"/>:
    /// every other relation is named as in the state before, since it has the same value (a prover then needs no
    /// frame axiom for it, and a formula that reads none of <paramref name="changed"/> is the same text before and after).
    /// </summary>
    public RelationalState(int step, IEnumerable<string> changed)
    {
        if (step < 1) throw new SpecException($"a state after a step is after at least one step (got {step})");
        Step = step;
        this.changed = changed.ToHashSet();
    }

    /// <summary>Which state the names refer to: 0 before a step, 1 after it.</summary>
    public int Step { get; }

    /// <summary>The SMT-LIB2 symbol of <paramref name="relation"/> in this state, e.g. <c>|vote@0|</c>.</summary>
    public string this[string relation] => changed is null || changed.Contains(relation) ? $"|{relation}@{Step}|" : $"|{relation}@{Step - 1}|";
}
