using System.Linq.Expressions;

namespace Verification.Specs;

/// <summary>A spec seen without its alphabet type: what the staging passes and components need.</summary>
public interface ISpec
{
    /// <summary>The spec's name, as reports and the CLI show it.</summary>
    string Name { get; }

    /// <summary>The event alphabet E the spec's histories are over.</summary>
    Alphabet Alphabet { get; }

    /// <summary>The state variables in declaration order.</summary>
    IReadOnlyList<Variable> Variables { get; }

    /// <summary>Invariants, step properties, guards and liveness monitors, in declaration order.</summary>
    IReadOnlyList<Property> Properties { get; }

    /// <summary>Variables in the order one step evaluates them: every variable after those whose post-event value it reads.</summary>
    IReadOnlyList<Variable> EvaluationOrder { get; }

    /// <summary>The staged form of a built spec, for back ends: its equations and properties as expressions (see <see cref="StagedSpec"/>).</summary>
    StagedSpec Staged { get; }

    internal Equation EquationOf(Variable variable);

    internal ICompiledSpec Compiled { get; }
}

/// <summary>
/// The staged definition of one variable: y(Nil) (per index, absent when partial or a component) and y(σe) = body.
/// For a component the body is the feed h_i: the event appended to u_i, or null for none.
/// </summary>
internal sealed record Equation(
    Variable Variable,
    IReadOnlyList<object?>? InitialValues,
    LambdaExpression Source,
    ParameterExpression EventParameter,
    ParameterExpression? IndexParameter,
    Expression Body,
    Expression Named);

/// <summary>What a property claims, and so how the monitor, the tester and the prover treat it.</summary>
public enum PropertyKind
{
    /// <summary>Holds after every prefix of σ, including Nil.</summary>
    Invariant,

    /// <summary>Relates values before and after each event: an obligation, proved from the invariants and guards.</summary>
    Step,

    /// <summary>
    /// A precondition of an event (a protocol message's guard): histories in which it fails are not histories of the
    /// protocol. A recorded history or an implementation that takes such a step violates the spec; the prover assumes
    /// guards when it proves invariants and step properties.
    /// </summary>
    Guard,

    /// <summary>
    /// A liveness monitor, Coyote-style: "hot" while its predicate holds (something is owed, e.g. no value chosen
    /// yet). A run must not end hot, nor stay hot past a temperature threshold once scheduling is fair. Checked by the
    /// systematic tester; not an invariant, so neither the monitor nor the prover treats it as one.
    /// </summary>
    Liveness,
}

/// <summary>A named invariant, step property, guard or liveness monitor of a spec; an indexed one stands for one instance per index.</summary>
public sealed class Property
{
    internal Property(string name, PropertyKind kind, int count, LambdaExpression source, ParameterExpression? eventParameter, ParameterExpression? indexParameter, Expression body, Expression named)
    {
        Named = named;
        Name = name;
        Kind = kind;
        Count = count;
        Source = source;
        EventParameter = eventParameter;
        IndexParameter = indexParameter;
        Body = body;
    }

    /// <summary>The name given when the property was added; <see cref="InstanceName"/> names one instance of an indexed property.</summary>
    public string Name { get; }

    /// <summary>Invariant, step property, guard or liveness monitor.</summary>
    public PropertyKind Kind { get; }

    /// <summary>Number of instances: 1, or the size of the index range of a "for each" property.</summary>
    public int Count { get; }

    internal LambdaExpression Source { get; }

    /// <summary>The event e in <see cref="Body"/> of a step property or guard (relating y(σ) and y(σe)); null for an invariant or liveness monitor, which read the current state only.</summary>
    public ParameterExpression? EventParameter { get; }

    /// <summary>The index i in <see cref="Body"/> of a "for each" property (instance i for each i in 0..Count-1); null otherwise.</summary>
    public ParameterExpression? IndexParameter { get; }

    /// <summary>
    /// The staged predicate, a bool expression in the vocabulary listed on <see cref="StagedSpec"/>: over the
    /// current values y(σ) for an invariant or liveness monitor; over y(σ), the event e and y(σe) for a step
    /// property or guard.
    /// </summary>
    public Expression Body { get; }

    /// <summary><see cref="Body"/> with the named helpers it applies shown by name (<see cref="StagedHelper"/> markers): what the printer shows. The same as Body when it applies none.</summary>
    public Expression Named { get; }

    internal int Ordinal { get; set; }

    /// <summary>
    /// Instance <paramref name="index"/> of <see cref="Body"/> (0 when the property is not indexed): the index
    /// parameter replaced by that constant, the event parameter by <paramref name="evt"/> (left in place when null),
    /// then closed subterms folded, as <see cref="StagedVariable.Instantiate"/> does.
    /// </summary>
    public Expression Instantiate(Expression? evt, int index)
    {
        if (index < 0 || index >= Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"'{Name}' has instances 0..{Count - 1}");
        return Staging.Instantiate(Body, EventParameter, evt, IndexParameter, index);
    }

    /// <summary>"invariant", "step property", "guard" or "liveness property", as reports name the kind.</summary>
    public string KindName => Kind switch
    {
        PropertyKind.Invariant => "invariant",
        PropertyKind.Step => "step property",
        PropertyKind.Guard => "guard",
        _ => "liveness property",
    };

    /// <summary>Instance <paramref name="index"/>'s name as reports show it: the name itself, or <c>WaitingAtMostClock[p=2]</c> for an indexed property.</summary>
    public string InstanceName(int index) => IndexParameter is null ? Name : $"{Name}[{IndexParameter.Name}={index}]";

    /// <summary>Returns <see cref="Name"/>.</summary>
    public override string ToString() => Name;
}

/// <summary>
/// A specification: state variables over the event alphabet <typeparamref name="TEvent"/>, each defined once by
/// primitive recursion, plus invariants and step properties. Built by <see cref="SpecBuilder{TEvent}"/>.
/// </summary>
public sealed class Spec<TEvent> : ISpec where TEvent : class
{
    private readonly Dictionary<Variable, Equation> equations;
    private readonly Lazy<CompiledSpec<TEvent>> compiled;
    private readonly Lazy<StagedSpec> staged;

    /// <summary>A line a violation adds about its event (a refinement: the abstract event it stands for); null for none.</summary>
    internal Func<TEvent, string>? StepNote { get; init; }

    internal Spec(string name, IReadOnlyList<Variable> variables, Dictionary<Variable, Equation> equations, IReadOnlyList<Property> properties, IReadOnlyList<Variable> order)
    {
        Name = name;
        Variables = variables;
        this.equations = equations;
        Properties = properties;
        EvaluationOrder = order;
        compiled = new Lazy<CompiledSpec<TEvent>>(() => new CompiledSpec<TEvent>(this));
        staged = new Lazy<StagedSpec>(() => new StagedSpec(this, EquationOf));
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public Alphabet Alphabet => Alphabet.Of<TEvent>();

    /// <inheritdoc/>
    public IReadOnlyList<Variable> Variables { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Property> Properties { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Variable> EvaluationOrder { get; }

    /// <summary>The staged form, for back ends: its equations and properties as expressions (see <see cref="StagedSpec"/>).</summary>
    public StagedSpec Staged => staged.Value;

    Equation ISpec.EquationOf(Variable variable) => equations[variable];

    internal Equation EquationOf(Variable variable) => equations[variable];

    internal CompiledSpec<TEvent> Compiled => compiled.Value;

    ICompiledSpec ISpec.Compiled => compiled.Value;

    /// <summary>The handle of a variable by name, for reading a sub-spec's variables through a component.</summary>
    public TVariable Variable<TVariable>(string name) where TVariable : Variable =>
        Variables.FirstOrDefault(v => v.Name == name) switch
        {
            TVariable v => v,
            null => throw new SpecException($"spec '{Name}' has no variable '{name}' (it has {string.Join(", ", Variables.Select(v => v.Name))})"),
            var other => throw new SpecException($"variable '{name}' of spec '{Name}' is a {other.GetType().Name}, not a {typeof(TVariable).Name}"),
        };

    /// <summary>The property named <paramref name="name"/>; an unknown name throws <see cref="SpecException"/> listing the spec's properties.</summary>
    public Property Property(string name) =>
        Properties.FirstOrDefault(p => p.Name == name) ?? throw new SpecException($"spec '{Name}' has no property '{name}' (it has {string.Join(", ", Properties.Select(p => p.Name))})");

    /// <summary>A fresh incremental evaluator at Nil.</summary>
    public Evaluator<TEvent> NewEvaluator() => new(this);

    /// <summary>The equations as a person reads them: y(Nil) = k, y(σe) = h(e, y, …).</summary>
    public string Print() => EquationPrinter.Print(this);

    /// <summary>Returns <see cref="Name"/>.</summary>
    public override string ToString() => Name;
}
