namespace Verification.Specs;

/// <summary>
/// A state variable of a spec: a function of the event history σ defined by primitive recursion,
/// y(Nil) = k and y(σe) = h(e, y, …). Handles are used only inside equations (expression trees): there
/// <c>Now</c> means y(σ), the value before the event, and <c>Next</c> means y(σe), the value after it.
/// Calling them directly is a mistake, so they throw.
/// </summary>
public abstract class Variable
{
    private protected Variable(string name, VariableKind kind, Type valueType, int count)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new SpecException("a state variable needs a non-empty name");
        if (count < 1) throw new SpecException($"variable family '{name}' needs at least one index (got {count})");
        Name = name;
        ValueType = valueType;
        Count = count;
        Kind = kind;
    }

    /// <summary>The name given when the variable was declared; printed equations, reports and SMT symbols use it (<see cref="MemberName"/> for one member).</summary>
    public string Name { get; }

    /// <summary>Scalar, partial, family or component array.</summary>
    public VariableKind Kind { get; }

    /// <summary>The type of one value (of one member, for a family).</summary>
    public Type ValueType { get; }

    /// <summary>1 for a scalar; the number of indices 0..Count-1 for a family or a component array.</summary>
    public int Count { get; }

    /// <summary>Partial: undefined at Nil, like the seed's L.</summary>
    public bool IsPartial => Kind == VariableKind.Partial;

    /// <summary>Position in its spec, assigned when declared.</summary>
    internal int Id { get; set; } = -1;

    internal object? Owner { get; set; }

    /// <summary>The sequence variable this one stores part of (its lengths or its slots), or null for a variable declared on its own.</summary>
    public SequenceVariable? PartOf { get; internal set; }

    /// <summary>How an index is shown in member names ("votes[a1,b2]" rather than "votes[5]"); the number by default.</summary>
    private protected Func<int, string>? IndexLabel { get; init; }

    /// <summary>The name of one member as reports, counterexamples and SMT symbols show it: "C", "waiting[2]", "votes[a1,b2]".</summary>
    public string MemberName(int index) =>
        Count == 1 && this is not IComponent ? Name : $"{Name}[{(IndexLabel is null ? index.ToString(System.Globalization.CultureInfo.InvariantCulture) : IndexLabel(index))}]";

    /// <summary>Returns <see cref="Name"/>.</summary>
    public override string ToString() => Name;

    /// <summary>A fresh, undeclared variable of the same kind, type and size (what a refinement's copy of an abstract spec's state is made of).</summary>
    internal abstract Variable CopyAs(string name);

    private protected static InvalidOperationException OnlyInEquations(string name) =>
        new($"'{name}' is a state-variable handle: read it only inside an equation or property, which the spec evaluates for you");
}

/// <summary>A scalar state variable.</summary>
public sealed class Var<T> : Variable
{
    internal Var(string name, bool isPartial) : base(name, isPartial ? VariableKind.Partial : VariableKind.Scalar, typeof(T), 1) { }

    internal override Variable CopyAs(string name) => new Var<T>(name, IsPartial);

    /// <summary>y(σ): the value before the event (in an invariant: the current value).</summary>
    public T Now => throw OnlyInEquations(Name);

    /// <summary>y(σe): the value after the event.</summary>
    public T Next => throw OnlyInEquations(Name);

    /// <summary>Whether a partial variable has a value before the event (always true for a total one).</summary>
    public bool IsDefined => throw OnlyInEquations(Name);

    /// <summary>Whether a partial variable has a value after the event.</summary>
    public bool IsDefinedNext => throw OnlyInEquations(Name);
}

/// <summary>A family of state variables indexed by 0..Count-1, e.g. waiting_p for processes p.</summary>
public sealed class Family<T> : Variable
{
    internal Family(string name, int count, Func<int, string>? indexLabel) : base(name, VariableKind.Family, typeof(T), count) => IndexLabel = indexLabel;

    internal override Variable CopyAs(string name) => new Family<T>(name, Count, IndexLabel);

    /// <summary>y_index(σ): member <paramref name="index"/>'s value before the event (in an invariant: its current value). The index may be computed, e.g. from the event's fields.</summary>
    public T Now(int index) => throw OnlyInEquations(Name);

    /// <summary>y_index(σe): member <paramref name="index"/>'s value after the event.</summary>
    public T Next(int index) => throw OnlyInEquations(Name);
}

/// <summary>
/// An array of components u_0..u_{Count-1}: each u_i is an event sequence over the sub-spec's alphabet, fed by an
/// equation u_i(σe) = u_i · h_i(e, …), and the component is the sub-spec evaluated on u_i (the seed's composition).
/// </summary>
public sealed class Component<TSub> : Variable, IComponent where TSub : class
{
    internal Component(string name, Spec<TSub> subSpec, int count) : base(name, VariableKind.Component, typeof(TSub), count) => SubSpec = subSpec;

    internal override Variable CopyAs(string name) => new Component<TSub>(name, SubSpec, Count);

    /// <summary>The spec each component's history u_i is evaluated by.</summary>
    public Spec<TSub> SubSpec { get; }

    ISpec IComponent.SubSpec => SubSpec;

    /// <summary>The sub-spec's variable on u_i before the event: C(u_i(σ)).</summary>
    public T Now<T>(int index, Var<T> subVariable) => throw OnlyInEquations(Name);

    /// <summary>The sub-spec's variable on u_i after the event: C(u_i(σe)).</summary>
    public T Next<T>(int index, Var<T> subVariable) => throw OnlyInEquations(Name);

    /// <summary>Whether the sub-spec's variable has a value on u_i before the event (a partial one, like L, has none while u_i is Nil).</summary>
    public bool IsDefined<T>(int index, Var<T> subVariable) => throw OnlyInEquations(Name);

    /// <summary>Whether the sub-spec's variable has a value on u_i after the event.</summary>
    public bool IsDefinedNext<T>(int index, Var<T> subVariable) => throw OnlyInEquations(Name);
}

/// <summary>A component array seen without its sub-alphabet type.</summary>
public interface IComponent
{
    /// <summary>The spec each component's history is evaluated by.</summary>
    ISpec SubSpec { get; }
}
