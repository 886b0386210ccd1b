using System.Linq.Expressions;
using System.Reflection;

namespace Verification.Specs;

/// <summary>
/// Declares a spec's state variables, defines each once by primitive recursion, and adds its properties:
/// <code>
/// var spec = new SpecBuilder&lt;CounterEvent&gt;("Counter");
/// var length = spec.Variable&lt;int&gt;("C");
/// spec.Define(length, initial: 0, next: e =&gt; length.Now + 1);   // C(Nil) = 0, C(σe) = C + 1
/// </code>
/// </summary>
public sealed class SpecBuilder<TEvent> : ISpec where TEvent : class
{
    private readonly List<Variable> variables = [];
    private readonly Dictionary<Variable, Equation> equations = [];
    private readonly List<Property> properties = [];

    private readonly HashSet<string> helperNames = [];

    /// <summary>Starts a spec named <paramref name="name"/> over the alphabet <typeparamref name="TEvent"/>; an empty name or a malformed alphabet throws <see cref="SpecException"/> here, not later.</summary>
    public SpecBuilder(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new SpecException("a spec needs a non-empty name");
        Name = name;
        _ = Alphabet.Of<TEvent>(); // reject a malformed alphabet up front
    }

    /// <inheritdoc/>
    public string Name { get; }
    Alphabet ISpec.Alphabet => Alphabet.Of<TEvent>();
    IReadOnlyList<Variable> ISpec.Variables => variables;
    IReadOnlyList<Property> ISpec.Properties => properties;
    IReadOnlyList<Variable> ISpec.EvaluationOrder => throw new InvalidOperationException("the evaluation order is derived by Build()");
    Equation ISpec.EquationOf(Variable variable) => equations[variable];
    ICompiledSpec ISpec.Compiled => throw new InvalidOperationException("a spec is compiled after Build()");
    StagedSpec ISpec.Staged => throw new InvalidOperationException("the staged form exists after Build()");

    /// <summary>A total scalar variable; give its equation with <see cref="Define{T}(Var{T}, T, Expression{Func{TEvent, T}})"/>.</summary>
    public Var<T> Variable<T>(string name) => Declare(new Var<T>(name, isPartial: false));

    /// <summary>A partial scalar variable, undefined at Nil (the seed's L); define it with <see cref="Define{T}(Var{T}, Expression{Func{TEvent, T}})"/>.</summary>
    public Var<T> Partial<T>(string name) => Declare(new Var<T>(name, isPartial: true));

    /// <summary>A family y_0 … y_{count-1} (e.g. waiting_p over processes p).</summary>
    public Family<T> Family<T>(string name, int count) => Declare(new Family<T>(name, count, null));

    /// <summary>A family whose members are shown by <paramref name="indexLabel"/> (e.g. a pair encoded in one index).</summary>
    public Family<T> Family<T>(string name, int count, Func<int, string> indexLabel) => Declare(new Family<T>(name, count, indexLabel));

    /// <summary>An array of components u_0 … u_{count-1}, each an instance of <paramref name="subSpec"/> run on its own derived history.</summary>
    public Component<TSub> Components<TSub>(string name, Spec<TSub> subSpec, int count) where TSub : class =>
        Declare(new Component<TSub>(name, subSpec, count));

    /// <summary>
    /// A sequence variable at most <paramref name="bound"/> long (a replica's log, a server's history), empty at Nil
    /// unless defined otherwise; define it with <see cref="Define{T}(SeqVar{T}, Expression{Func{TEvent, Seq{T}}})"/>.
    /// Its values may be int, long, bool, string or enums. Growing past the bound violates the invariant
    /// <c>{name}WithinBound</c>, added here.
    /// </summary>
    public SeqVar<T> Sequence<T>(string name, int bound) => DeclareSequence(new SeqVar<T>(name, bound), null);

    /// <summary>A family of sequence variables hist_0 … hist_{count−1}, each at most <paramref name="bound"/> long and empty at Nil.</summary>
    public SeqFamily<T> Sequences<T>(string name, int count, int bound, Func<int, string>? indexLabel = null) =>
        DeclareSequence(new SeqFamily<T>(name, count, bound), indexLabel);

    /// <summary>y(Nil) = ⟨⟩; y(σe) = next(e), a sequence expression (<c>log.Now.Append(v)</c>, <c>log.Now.Take(n)</c>, a conditional or case analysis between them).</summary>
    public void Define<T>(SeqVar<T> sequence, Expression<Func<TEvent, Seq<T>>> next) => DefineSequence(sequence, [Seq<T>.Empty], next, null);

    /// <summary>y(Nil) = <paramref name="initial"/>; y(σe) = next(e).</summary>
    public void Define<T>(SeqVar<T> sequence, Seq<T> initial, Expression<Func<TEvent, Seq<T>>> next) => DefineSequence(sequence, [initial], next, null);

    /// <summary>y_s(Nil) = ⟨⟩; y_s(σe) = next(e, s) for every index s.</summary>
    public void Define<T>(SeqFamily<T> sequences, Expression<Func<TEvent, int, Seq<T>>> next) =>
        DefineSequence(sequences, Enumerable.Repeat(Seq<T>.Empty, sequences.Count).ToList(), next, next.Parameters[1]);

    /// <summary>y(Nil) = initial; y(σe) = next(e).</summary>
    public void Define<T>(Var<T> variable, T initial, Expression<Func<TEvent, T>> next)
    {
        if (variable.IsPartial) throw new SpecException($"variable '{variable.Name}' is partial (undefined at Nil): define it without an initial value");
        AddEquation(variable, [initial], next, next.Parameters[0], null);
    }

    /// <summary>A partial variable: y(Nil) undefined; y(σe) = next(e).</summary>
    public void Define<T>(Var<T> variable, Expression<Func<TEvent, T>> next)
    {
        if (!variable.IsPartial) throw new SpecException($"variable '{variable.Name}' is total: give its initial value y(Nil)");
        AddEquation(variable, null, next, next.Parameters[0], null);
    }

    /// <summary>y_p(Nil) = initial(p); y_p(σe) = next(e, p) for every index p.</summary>
    public void Define<T>(Family<T> family, Expression<Func<int, T>> initial, Expression<Func<TEvent, int, T>> next)
    {
        var initialOf = initial.Compile(preferInterpretation: true);
        var values = Enumerable.Range(0, family.Count).Select(p => (object?)initialOf(p)).ToList();
        AddEquation(family, values, next, next.Parameters[0], next.Parameters[1]);
    }

    /// <summary>u_i(Nil) = Nil; u_i(σe) = u_i · appended(e, i), where null appends nothing.</summary>
    public void Feed<TSub>(Component<TSub> component, Expression<Func<TEvent, int, TSub?>> appended) where TSub : class =>
        AddEquation(component, null, appended, appended.Parameters[0], appended.Parameters[1]);

    /// <summary>A predicate that must hold after every prefix of the history, Nil included.</summary>
    public Property Invariant(string name, Expression<Func<bool>> holds) =>
        AddProperty(name, PropertyKind.Invariant, 1, holds, null, null);

    /// <summary>An invariant for each index p in 0..count-1 (e.g. over a family).</summary>
    public Property Invariant(string name, int count, Expression<Func<int, bool>> holds) =>
        AddProperty(name, PropertyKind.Invariant, count, holds, null, holds.Parameters[0]);

    /// <summary>A property of each step, relating values before (Now) and after (Next) the event e.</summary>
    public Property StepProperty(string name, Expression<Func<TEvent, bool>> holds) =>
        AddProperty(name, PropertyKind.Step, 1, holds, holds.Parameters[0], null);

    /// <summary>A guard: the event e may happen only when this holds (see <see cref="PropertyKind.Guard"/>).</summary>
    public Property Guard(string name, Expression<Func<TEvent, bool>> allowed) =>
        AddProperty(name, PropertyKind.Guard, 1, allowed, allowed.Parameters[0], null);

    /// <summary>A liveness monitor: hot while <paramref name="hot"/> holds (see <see cref="PropertyKind.Liveness"/>).</summary>
    public Property Liveness(string name, Expression<Func<bool>> hot) =>
        AddProperty(name, PropertyKind.Liveness, 1, hot, null, null);

    /// <summary>
    /// A named function of one argument for equations and properties, applied as <c>isTail(s)</c>: staging inlines it
    /// (so it may read state variables and use everything an equation may), the printer shows it by name with its
    /// definition. The returned delegate also works outside the spec.
    /// </summary>
    public Func<T1, TResult> Helper<T1, TResult>(string name, Expression<Func<T1, TResult>> definition) => (Func<T1, TResult>)DefineHelper(name, definition);

    /// <summary>A named function of two arguments (see <see cref="Helper{T1, TResult}(string, Expression{Func{T1, TResult}})"/>).</summary>
    public Func<T1, T2, TResult> Helper<T1, T2, TResult>(string name, Expression<Func<T1, T2, TResult>> definition) => (Func<T1, T2, TResult>)DefineHelper(name, definition);

    /// <summary>A named function of three arguments (see <see cref="Helper{T1, TResult}(string, Expression{Func{T1, TResult}})"/>).</summary>
    public Func<T1, T2, T3, TResult> Helper<T1, T2, T3, TResult>(string name, Expression<Func<T1, T2, T3, TResult>> definition) =>
        (Func<T1, T2, T3, TResult>)DefineHelper(name, definition);

    /// <summary>A named function of four arguments, e.g. Multi-Paxos's ShowsSafeAt(quorum, round, slot, value) (see <see cref="Helper{T1, TResult}(string, Expression{Func{T1, TResult}})"/>).</summary>
    public Func<T1, T2, T3, T4, TResult> Helper<T1, T2, T3, T4, TResult>(string name, Expression<Func<T1, T2, T3, T4, TResult>> definition) =>
        (Func<T1, T2, T3, T4, TResult>)DefineHelper(name, definition);

    private Delegate DefineHelper(string name, LambdaExpression definition)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new SpecException($"spec '{Name}': a helper needs a non-empty name");
        if (helperNames.Contains(name)) throw new SpecException($"spec '{Name}' defines helper '{name}' twice");
        // Staged once here for the printer, and so what would be frozen wrongly is reported with the helper's own name.
        var helper = new HelperDefinition(name, definition, Normalizer.NormalizeHelper(this, $"helper '{name}'", definition.Body));
        var compiled = definition.Compile();
        StagedHelper.Register(compiled, helper);
        helperNames.Add(name);
        return compiled;
    }

    /// <summary>Checks the definition (every variable defined once, no cycle, supported constructs) and derives the evaluation order.</summary>
    public Spec<TEvent> Build()
    {
        var undefined = variables.Where(v => !equations.ContainsKey(v)).Select(v => v.PartOf?.Name ?? v.Name).Distinct().ToList();
        if (undefined.Count > 0)
            throw new SpecException($"spec '{Name}': no equation for {string.Join(", ", undefined.Select(n => $"'{n}'"))}");
        var order = DependencyOrder.Derive(this, variables, equations);
        var spec = new Spec<TEvent>(Name, variables.ToList(), new Dictionary<Variable, Equation>(equations), properties.ToList(), order);
        foreach (var variable in variables) variable.Owner = spec;
        return spec;
    }

    private TVariable Declare<TVariable>(TVariable variable) where TVariable : Variable
    {
        if (variable.Owner is not null) throw new SpecException($"variable '{variable.Name}' is already declared");
        if (variables.Any(v => v.Name == variable.Name)) throw new SpecException($"spec '{Name}' declares '{variable.Name}' twice");
        if (!EquationLanguage.IsValueType(variable.ValueType))
            throw new SpecException($"variable '{variable.Name}' has type {variable.ValueType.Name}; state variables may be int, long, bool, string, enums or events");
        variable.Id = variables.Count;
        variable.Owner = this;
        variables.Add(variable);
        return variable;
    }

    private TSequence DeclareSequence<TSequence>(TSequence sequence, Func<int, string>? indexLabel) where TSequence : SequenceVariable
    {
        var (name, count, bound) = (sequence.Name, sequence.Count, sequence.Bound);
        if (string.IsNullOrWhiteSpace(name)) throw new SpecException($"spec '{Name}': a sequence variable needs a non-empty name");
        if (!Seq.IsElementType(sequence.ElementType))
            throw new SpecException($"sequence '{name}' holds {EquationLanguage.TypeName(sequence.ElementType)}; a sequence may hold int, long, bool, string or enums");
        if (bound < 1 || bound > Bounded.MaxCount) throw new SpecException($"sequence '{name}' has bound {bound}; it must be 1..{Bounded.MaxCount}");
        if (count < 1) throw new SpecException($"sequence family '{name}' needs at least one index (got {count})");
        if ((long)count * bound > 1 << 20) throw new SpecException($"sequence family '{name}' has {count} × {bound} slots; at most {1 << 20}");
        string label(int s) => indexLabel?.Invoke(s) ?? s.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var lengths = Declare(new Family<int>($"{name}.Length", count, sequence.IsFamily ? label : null));
        var slotType = typeof(Family<>).MakeGenericType(sequence.ElementType);
        Func<int, string> slotLabel = sequence.IsFamily ? k => $"{label(k / bound)}][{k % bound}" : k => k.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var slots = Declare((Variable)Activator.CreateInstance(slotType, BindingFlags.NonPublic | BindingFlags.Instance, null, [name, count * bound, slotLabel], null)!);
        sequence.Store(lengths, slots);
        // Every sequence stays within its declared bound: what a step appends past it is lost, so say so at once.
        var index = Expression.Parameter(typeof(int), "i");
        var read = sequence.IsFamily
            ? Expression.Call(Expression.Constant(sequence), sequence.GetType().GetMethod(nameof(SeqFamily<int>.Now))!, index)
            : (Expression)Expression.Property(Expression.Constant(sequence), nameof(SeqVar<int>.Now));
        var fits = Expression.LessThanOrEqual(Expression.Property(read, nameof(Seq<int>.Length)), Expression.Constant(bound));
        if (sequence.IsFamily) AddProperty($"{name}WithinBound", PropertyKind.Invariant, count, Expression.Lambda<Func<int, bool>>(fits, index), null, index);
        else AddProperty($"{name}WithinBound", PropertyKind.Invariant, 1, Expression.Lambda<Func<bool>>(fits), null, null);
        return sequence;
    }

    private void DefineSequence(SequenceVariable sequence, IReadOnlyList<object> initial, LambdaExpression next, ParameterExpression? sequenceIndex)
    {
        if (sequence.Lengths?.Owner != this) throw new SpecException($"sequence '{sequence.Name}' is not declared in spec '{Name}'");
        if (equations.ContainsKey(sequence.Lengths)) throw new SpecException($"sequence '{sequence.Name}' is defined twice");
        var bound = sequence.Bound;
        var lengthOf = initial.Select(s => ((ISequenceValue)s).Length).ToList();
        if (lengthOf.Any(l => l > bound)) throw new SpecException($"sequence '{sequence.Name}' starts {lengthOf.Max()} long, past its bound {bound}");
        var owner = $"sequence '{sequence.Name}'";
        sequence.NamedEquation = Normalizer.NameSequence(this, owner, next.Body);
        sequence.IndexParameter = sequenceIndex;
        sequence.Initial = initial;
        var e = next.Parameters[0];
        // |y_s(σe)|, and slot k of y_s(σe) for member p = s·bound + k of the slots: the one equation, read two ways.
        var p = Expression.Parameter(typeof(int), "p");
        Expression ofSequence(Expression s) => sequenceIndex is null ? next.Body : new Normalizer.ParameterReplacer(sequenceIndex, s).Visit(next.Body)!;
        var length = Expression.Lambda(Expression.Property(ofSequence(p), nameof(Seq<int>.Length)), e, p);
        var slot = Expression.Lambda(Expression.Call(ofSequence(Expression.Divide(p, Expression.Constant(bound))), "At", null, Expression.Modulo(p, Expression.Constant(bound))), e, p);
        AddEquation(sequence.Lengths, lengthOf.Cast<object?>().ToList(), length, e, p, owner);
        var slotValues = initial.SelectMany(s => Enumerable.Range(0, bound).Select(k => ((ISequenceValue)s).BoxedAt(k))).ToList();
        AddEquation(sequence.Slots, slotValues, slot, e, p, owner);
    }

    private void AddEquation(Variable variable, IReadOnlyList<object?>? initialValues, LambdaExpression source, ParameterExpression eventParameter, ParameterExpression? indexParameter, string? owner = null)
    {
        if (variable.Owner != this) throw new SpecException($"variable '{variable.Name}' is not declared in spec '{Name}'");
        if (variable.PartOf is { } sequence && owner is null) throw new SpecException($"'{variable.Name}' stores part of sequence '{sequence.Name}'; define the sequence instead");
        if (equations.ContainsKey(variable)) throw new SpecException($"variable '{variable.Name}' is defined twice");
        var (body, named) = Normalizer.Stage(this, owner ?? $"variable '{variable.Name}'", source.Body);
        equations[variable] = new Equation(variable, initialValues, source, eventParameter, indexParameter, body, named);
    }

    private Property AddProperty(string name, PropertyKind kind, int count, LambdaExpression source, ParameterExpression? eventParameter, ParameterExpression? indexParameter)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new SpecException($"spec '{Name}': a property needs a non-empty name");
        if (properties.Any(p => p.Name == name)) throw new SpecException($"spec '{Name}' declares property '{name}' twice");
        if (count < 1) throw new SpecException($"property '{name}' needs at least one index (got {count})");
        var what = kind switch { PropertyKind.Invariant => "invariant", PropertyKind.Step => "step property", PropertyKind.Guard => "guard", _ => "liveness property" };
        var (body, named) = Normalizer.Stage(this, $"{what} '{name}'", source.Body);
        if (kind is PropertyKind.Invariant or PropertyKind.Liveness && ReadCollector.Collect(body).Any(r => r.Next))
            throw new SpecException($"{what} '{name}' reads a value after an event (Next); it reads the current state (Now), step properties relate Now and Next");
        if (kind == PropertyKind.Liveness && properties.Count(p => p.Kind == PropertyKind.Liveness) == 64)
            throw new SpecException($"spec '{Name}' has more than 64 liveness properties");
        var property = new Property(name, kind, count, source, eventParameter, indexParameter, body, named) { Ordinal = properties.Count };
        properties.Add(property);
        return property;
    }
}
