using System.Linq.Expressions;

namespace Verification.Specs;

/// <summary>
/// Refinement of an abstract spec A by a concrete spec C, checked by ordinary means. Each concrete event is mapped
/// to at most one abstract event (or none: a stutter), by an expression that may read C's state — itself a state
/// equation. Optionally, A's variables are mapped to expressions over C's state (an Abadi–Lamport refinement
/// mapping). <see cref="RefinementBuilder{TConcrete, TAbstract}.Build"/> returns one spec over C's alphabet, "C
/// refines A": C's variables and properties, a copy of A's variables driven by the mapped events, and as properties
/// of C's histories
/// <list type="bullet">
/// <item>A's guards as obligations: every mapped event must be one A allows in the state A has reached
/// (<c>A.&lt;guard&gt;</c>, a step property);</item>
/// <item>A's invariants and step properties on A's copy (<c>A.&lt;name&gt;</c>); A's liveness monitors likewise;</item>
/// <item>with a state mapping, <c>A.&lt;variable&gt;=mapping</c>: at every step the abstract state reached by the
/// mapped events equals the mapped concrete state.</item>
/// </list>
/// Being a spec, it is checked like any other: on recorded histories, online against an implementation (as its
/// system's spec), in random histories, and by Z3 — induction over C's invariants proves the refinement for the
/// bounded configuration (<c>Init_C ⇒ Init_A(f)</c> is the initial case, <c>Inv_C ∧ guard_C ∧ step_C ⇒ step_A(map(e))</c>
/// or a stutter is the inductive case), and a failure is a concrete pre-state, event and the abstract obligation broken.
/// </summary>
public static class Refinement
{
    /// <summary>Starts the refinement "<paramref name="concrete"/> refines <paramref name="abstractSpec"/>"; map events with <see cref="RefinementBuilder{TConcrete, TAbstract}.MapEvents"/>.</summary>
    public static RefinementBuilder<TConcrete, TAbstract> Of<TConcrete, TAbstract>(Spec<TConcrete> concrete, Spec<TAbstract> abstractSpec)
        where TConcrete : class where TAbstract : class => new(concrete, abstractSpec);
}

/// <summary>Collects a refinement's event mapping and optional state mapping; <see cref="Build"/> makes the spec that checks it.</summary>
public sealed class RefinementBuilder<TConcrete, TAbstract> where TConcrete : class where TAbstract : class
{
    private readonly Spec<TConcrete> concrete;
    private readonly Spec<TAbstract> abstractSpec;
    private readonly List<(Variable Abstract, LambdaExpression Value)> stateMappings = [];
    private readonly List<LambdaExpression> eventMappings = [];
    private bool assumeConcrete;
    private bool mapSameNamed;

    internal RefinementBuilder(Spec<TConcrete> concrete, Spec<TAbstract> abstractSpec)
    {
        this.concrete = concrete;
        this.abstractSpec = abstractSpec;
    }

    /// <summary>
    /// map(e): the abstract event a concrete event stands for, or null for none (written with typed cases:
    /// <c>e.When((Learned l) =&gt; (ConsensusEvent?)new ValueLearned(l.Learner, l.Value)).Else(null)</c>); it may read
    /// the concrete spec's variables before and after the event. A concrete event that stands for several abstract
    /// ones gets one mapping per position, applied in order — <c>MapEvents(e =&gt; first, e =&gt; second)</c> — each
    /// null where the event stands for fewer; the abstract state after each is a copy of its own (named
    /// <c>A.x#2</c>, …, the last one plain <c>A.x</c>), so the obligations of each abstract step are checked in its own state.
    /// </summary>
    public RefinementBuilder<TConcrete, TAbstract> MapEvents(params Expression<Func<TConcrete, TAbstract?>>[] maps)
    {
        if (eventMappings.Count > 0) throw new SpecException($"refinement of '{abstractSpec.Name}' by '{concrete.Name}': the events are mapped twice");
        if (maps.Length == 0) throw new SpecException($"refinement of '{abstractSpec.Name}' by '{concrete.Name}': give at least one event mapping");
        eventMappings.AddRange(maps);
        return this;
    }

    /// <summary>
    /// For proving that one spec implies another: C's invariants and step properties become assumptions (guards of
    /// the result) rather than claims, so induction proves A's obligations from them — "every history C accepts, A
    /// accepts". When running checks, leave this off: as a guard an invariant is checked before each event, not after
    /// the last one.
    /// </summary>
    public RefinementBuilder<TConcrete, TAbstract> AssumingConcreteProperties()
    {
        assumeConcrete = true;
        return this;
    }

    /// <summary>
    /// Maps every abstract variable that the concrete spec also has — same name, type and size — to it (two versions
    /// of one spec, say): the state mapping induction needs when one spec is compared with another.
    /// </summary>
    public RefinementBuilder<TConcrete, TAbstract> MapSameNamedVariables()
    {
        mapSameNamed = true;
        return this;
    }

    /// <summary>The abstract variable's value in every state, as a function of the concrete state (read with Now).</summary>
    public RefinementBuilder<TConcrete, TAbstract> MapState<T>(Var<T> abstractVariable, Expression<Func<T>> value) => AddStateMapping(abstractVariable, value);

    /// <summary>Each member i of an abstract family, as a function of i and the concrete state.</summary>
    public RefinementBuilder<TConcrete, TAbstract> MapState<T>(Family<T> abstractFamily, Expression<Func<int, T>> value) => AddStateMapping(abstractFamily, value);

    private RefinementBuilder<TConcrete, TAbstract> AddStateMapping(Variable abstractVariable, LambdaExpression value)
    {
        if (!abstractSpec.Variables.Contains(abstractVariable))
            throw new SpecException($"refinement of '{abstractSpec.Name}': '{abstractVariable.Name}' is not one of its variables");
        if (stateMappings.Any(m => m.Abstract == abstractVariable))
            throw new SpecException($"refinement of '{abstractSpec.Name}': '{abstractVariable.Name}' is mapped twice");
        stateMappings.Add((abstractVariable, value));
        return this;
    }

    /// <summary>The spec "concrete refines abstract" (named <c>{C}Refines{A}</c> unless <paramref name="name"/> is given).</summary>
    public Spec<TConcrete> Build(string? name = null)
    {
        var owner = $"refinement of '{abstractSpec.Name}' by '{concrete.Name}'";
        if (eventMappings.Count == 0) throw new SpecException($"{owner}: map the events first (MapEvents)");
        var e = eventMappings[0].Parameters[0];
        // Each position's mapping staged over the one concrete event parameter.
        var maps = eventMappings.Select((map, position) => Normalizer.Stage(concrete, $"{owner}, event mapping{(eventMappings.Count > 1 ? $" #{position + 1}" : "")}",
            new Normalizer.ParameterReplacer(map.Parameters[0], e).Visit(map.Body)!)).ToList();
        var layers = maps.Count;

        var variables = concrete.Variables.ToList();
        var equations = concrete.Variables.ToDictionary(v => v, v => ((ISpec)concrete).EquationOf(v));
        // A's variables, copied under A's name so C's and A's never clash: "Consensus.chosen"; one copy per abstract
        // event a step may stand for, the last (the abstract state after the step) with the plain name.
        var copies = new Dictionary<Variable, Variable>[layers];
        for (var layer = 0; layer < layers; layer++)
        {
            copies[layer] = [];
            foreach (var variable in abstractSpec.Variables)
            {
                if (variable.Kind is VariableKind.Partial or VariableKind.Component)
                    throw new SpecException($"{owner}: abstract variable '{variable.Name}' is {(variable.IsPartial ? "partial" : "a component array")}; a refinement copies total scalars and families");
                var copy = variable.CopyAs($"{abstractSpec.Name}.{variable.Name}{(layer == layers - 1 ? "" : $"#{layer + 1}")}");
                if (variables.Any(v => v.Name == copy.Name)) throw new SpecException($"{owner}: the concrete spec already has a variable named '{copy.Name}'");
                copy.Id = variables.Count;
                variables.Add(copy);
                copies[layer][variable] = copy;
            }
        }
        var final = copies[layers - 1];
        // Abstract step number `layer` starts where the previous one ended: the last copy before the concrete event, the previous copy after it.
        AbstractReads step(int layer) => new(owner, final.Keys, v => layer == 0 ? (final[v], false) : (copies[layer - 1][v], true), v => copies[layer][v]);
        var state = new AbstractReads(owner, final.Keys, v => (final[v], false), v => final[v]);
        for (var layer = 0; layer < layers; layer++)
        {
            var (mapped, mappedNamed) = maps[layer];
            var rewrite = step(layer);
            foreach (var variable in abstractSpec.Variables)
            {
                var equation = ((ISpec)abstractSpec).EquationOf(variable);
                var copy = copies[layer][variable];
                // No abstract event at this position: the abstract state stays (a stutter).
                var (before, afterEvent) = rewrite.Before(variable);
                var stays = StateRead.MakeValue(before, equation.IndexParameter ?? (Expression)Expression.Constant(0), afterEvent);
                Expression lift(Expression body, Expression map) => Distribute(map, leaf => rewrite.Apply(body, equation.EventParameter, leaf), stays);
                equations[copy] = new Equation(copy, equation.InitialValues, equation.Source, e, equation.IndexParameter,
                    Fold(lift(equation.Body, mapped)), Fold(lift(equation.Named, mappedNamed)));
            }
        }

        var properties = concrete.Properties.Select((p, ordinal) => assumeConcrete && p.Kind is PropertyKind.Invariant or PropertyKind.Step ? Assumed(p, e, ordinal) : p).ToList();
        void add(string propertyName, PropertyKind kind, int count, LambdaExpression source, ParameterExpression? eventParameter, ParameterExpression? index, Expression body, Expression named)
        {
            if (properties.Any(p => p.Name == propertyName)) throw new SpecException($"{owner}: the concrete spec already has a property named '{propertyName}'");
            properties.Add(new Property(propertyName, kind, count, source, eventParameter, index, Fold(body), Fold(named)) { Ordinal = properties.Count });
        }
        foreach (var property in abstractSpec.Properties)
        {
            var propertyName = $"{abstractSpec.Name}.{property.Name}";
            if (property.Kind is PropertyKind.Invariant or PropertyKind.Liveness)
            {
                add(propertyName, property.Kind, property.Count, property.Source, null, property.IndexParameter,
                    state.Apply(property.Body, null, null), state.Apply(property.Named, null, null));
                continue;
            }
            // A guard of A is an obligation here: each mapped event must be one A allows, in the state A is in then.
            // A step property of A holds of each mapped step. A stutter owes nothing.
            for (var layer = 0; layer < layers; layer++)
            {
                var (mapped, mappedNamed) = maps[layer];
                var rewrite = step(layer);
                Expression lift(Expression body, Expression map) => Distribute(map, leaf => rewrite.Apply(body, property.EventParameter, leaf), Expression.Constant(true));
                add(propertyName + (layer == 0 ? "" : $"#{layer + 1}"), PropertyKind.Step, property.Count, property.Source, e, property.IndexParameter,
                    lift(property.Body, mapped), lift(property.Named, mappedNamed));
            }
        }
        foreach (var (abstractVariable, value) in stateMappings)
        {
            var copy = final[abstractVariable];
            var index = value.Parameters.Count == 1 ? value.Parameters[0] : null;
            var (staged, named) = Normalizer.Stage(concrete, $"{owner}, mapping of '{abstractVariable.Name}'", value.Body);
            var read = StateRead.MakeValue(copy, index ?? (Expression)Expression.Constant(0), next: false);
            add($"{abstractSpec.Name}.{abstractVariable.Name}=mapping", PropertyKind.Invariant, abstractVariable.Count, value, null, index,
                Expression.Equal(read, staged), Expression.Equal(read, named));
        }

        if (mapSameNamed)
            foreach (var abstractVariable in abstractSpec.Variables.Where(v => stateMappings.All(m => m.Abstract != v)))
            {
                if (concrete.Variables.FirstOrDefault(v => v.Name == abstractVariable.Name) is not { } same
                    || same.ValueType != abstractVariable.ValueType || same.Count != abstractVariable.Count || same.Kind != abstractVariable.Kind) continue;
                var copy = final[abstractVariable];
                var index = abstractVariable.Kind == VariableKind.Family ? Expression.Parameter(typeof(int), "i") : null;
                Expression member = index ?? (Expression)Expression.Constant(0);
                var equal = Expression.Equal(StateRead.MakeValue(copy, member, next: false), StateRead.MakeValue(same, member, next: false));
                add($"{abstractSpec.Name}.{abstractVariable.Name}=mapping", PropertyKind.Invariant, abstractVariable.Count,
                    index is null ? Expression.Lambda(equal) : Expression.Lambda(equal, index), null, index, equal, equal);
            }

        var order = DependencyOrder.Derive(concrete, variables, equations);
        var spec = new Spec<TConcrete>(name ?? $"{concrete.Name}Refines{abstractSpec.Name}", variables, equations, properties, order)
        {
            StepNote = maps.All(map => ReadCollector.Collect(map.Body).Count == 0) ? StepNote(eventMappings.Cast<Expression<Func<TConcrete, TAbstract?>>>().ToList(), abstractSpec.Name) : null,
        };
        foreach (var copy in copies.SelectMany(layer => layer.Values)) copy.Owner = spec;
        return spec;
    }

    /// <summary>
    /// For a mapping that reads no state — a function of the event alone, whose typed cases run as ordinary C# —
    /// the line a violation adds: which abstract event the concrete one stands for.
    /// </summary>
    private static Func<TConcrete, string> StepNote(IReadOnlyList<Expression<Func<TConcrete, TAbstract?>>> maps, string abstractName)
    {
        var compiled = maps.Select(map => map.Compile()).ToList();
        return e => compiled.Select(map => map(e)).OfType<TAbstract>().ToList() is { Count: > 0 } abstractEvents
            ? $"in {abstractName} this event is {string.Join(" then ", abstractEvents.Select(a => Alphabet.Describe(a)))}"
            : $"in {abstractName} this event is no event (a stutter)";
    }

    /// <summary>A property of C as a guard of the result (all its instances, for an indexed one), read on the concrete event.</summary>
    private static Property Assumed(Property property, ParameterExpression e, int ordinal)
    {
        Expression all(Expression body) => Enumerable.Range(0, property.Count)
            .Select(i => Staging.Instantiate(body, property.EventParameter, property.EventParameter is null ? null : e, property.IndexParameter, i))
            .Aggregate(Expression.AndAlso);
        return new Property(property.Name, PropertyKind.Guard, 1, property.Source, e, null, Fold(all(property.Body)), Fold(all(property.Named))) { Ordinal = ordinal };
    }

    private static Expression Fold(Expression body) => new Normalizer.ConstantFolder().Visit(body)!;

    /// <summary>
    /// f(map(e)) pushed through the mapping's case analysis: each branch that yields an abstract event gets f of
    /// that event, each that yields none (null) gets <paramref name="none"/>; no term ever compares an event with null.
    /// </summary>
    private static Expression Distribute(Expression map, Func<Expression, Expression> f, Expression none) => map switch
    {
        ConditionalExpression choice => Expression.Condition(choice.Test, Distribute(choice.IfTrue, f, none), Distribute(choice.IfFalse, f, none)),
        ConstantExpression { Value: null } => none,
        UnaryExpression { NodeType: ExpressionType.Convert, Operand: var inner } when Alphabet.IsEvent(inner.Type) && inner is ConditionalExpression or ConstantExpression { Value: null } =>
            Distribute(inner, f, none),
        _ => f(map),
    };

    /// <summary>
    /// Rewrites an abstract body for one abstract step: a read of A's variable before the event becomes a read of the
    /// copy holding A's state before that step, after the event one of the step's own copy, and A's event becomes the mapped event.
    /// </summary>
    private sealed class AbstractReads(string owner, ICollection<Variable> abstractVariables, Func<Variable, (Variable Copy, bool Next)> before, Func<Variable, Variable> after) : ExpressionVisitor
    {
        private ParameterExpression? eventParameter;
        private Expression? mappedEvent;

        public (Variable Copy, bool Next) Before(Variable variable) => before(variable);

        public Expression Apply(Expression body, ParameterExpression? abstractEvent, Expression? mapped)
        {
            (eventParameter, mappedEvent) = (abstractEvent, mapped);
            return Visit(body)!;
        }

        protected override Expression VisitParameter(ParameterExpression node) =>
            node == eventParameter && mappedEvent is not null ? (node.Type == mappedEvent.Type ? mappedEvent : Expression.Convert(mappedEvent, node.Type)) : node;

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            if (StagedRead.TryDecode(node, out var read))
            {
                if (read.SubVariable is not null || !abstractVariables.Contains(read.Variable))
                    throw new SpecException($"{owner}: the abstract spec reads '{read.Variable.Name}' in a way a refinement cannot copy");
                var (copy, next) = read.Next ? (after(read.Variable), true) : before(read.Variable);
                var index = Visit(read.Index)!;
                return read.IsDefinedQuery ? StateRead.MakeDefined(copy, index, next) : StateRead.MakeValue(copy, index, next);
            }
            return base.VisitMethodCall(node);
        }
    }
}
