using System.Collections.ObjectModel;
using System.Linq.Expressions;

namespace Verification.Specs;

/// <summary>
/// The staged form of a built spec, read-only, for back ends: what the compiled evaluator, the SMT translation and
/// the printer all start from, and what a further one (a TLA+ printer, a refinement checker, a code generator) can
/// start from too. Obtained as <see cref="ISpec.Staged"/>.
/// <para>
/// Each variable y has one equation, <c>y(Nil) = k</c> (<see cref="StagedVariable.InitialValues"/>) and
/// <c>y(σe) = h(e, …)</c> (<see cref="StagedVariable.Body"/>, an expression over
/// <see cref="StagedVariable.EventParameter"/> e and, for a family or component, the index parameter i); each
/// property has a body over the same vocabulary (<see cref="Property.Body"/>). A staged body is an ordinary
/// <see cref="Expression"/> made of these nodes only (checked when the spec is built, so a back end that handles
/// them handles every spec):
/// </para>
/// <list type="bullet">
/// <item><see cref="ConstantExpression"/> of type int, long, bool, string, an enum, or an event type; a null event
/// constant only in a component's feed, where it means "append nothing".</item>
/// <item><see cref="ParameterExpression"/>: the event parameter (of the alphabet's event type) or the index parameter (int).</item>
/// <item>State reads: a <see cref="MethodCallExpression"/> that <see cref="StagedRead.TryDecode"/> recognises —
/// <c>y(σ)</c>, <c>y(σe)</c>, their definedness, or a component member's sub-variable. Decode before anything else;
/// the marker's arguments are not part of the vocabulary.</item>
/// <item>Arithmetic on int and long: <c>AddChecked</c>, <c>SubtractChecked</c>, <c>MultiplyChecked</c>,
/// <c>NegateChecked</c> (the evaluator reports overflow, so a back end with unbounded integers reads them as
/// +, −, ×, −), <c>Divide</c> and <c>Modulo</c> (C#'s: truncating toward zero).</item>
/// <item>Comparisons <c>Equal</c>, <c>NotEqual</c> (value equality, also on strings and events; the node's
/// <see cref="BinaryExpression.Method"/> may name the type's <c>op_Equality</c>), <c>LessThan</c>,
/// <c>LessThanOrEqual</c>, <c>GreaterThan</c>, <c>GreaterThanOrEqual</c>; and a call of a type's
/// <c>op_Equality</c> or <c>op_Inequality</c>, meaning the same.</item>
/// <item>Logic on bool: <c>AndAlso</c>, <c>OrElse</c>, <c>Not</c>, <c>And</c>, <c>Or</c>, <c>ExclusiveOr</c>;
/// <see cref="ConditionalExpression"/> (if-then-else).</item>
/// <item><see cref="TypeBinaryExpression"/> <c>e is Case</c> on an event (a test against the alphabet's own type is always true).</item>
/// <item><c>Convert</c> / <c>ConvertChecked</c> between int, long and enums (an enum is its integer value), or
/// between an alphabet and one of its cases (a cast before reading a field).</item>
/// <item><see cref="MemberExpression"/>: a field of an event case (<see cref="EventCase.Fields"/>).</item>
/// <item><see cref="NewExpression"/>: an event case created from its fields.</item>
/// <item><see cref="MethodCallExpression"/> of <c>Math.Min</c> or <c>Math.Max</c> on int or long.</item>
/// </list>
/// <para>
/// What the user may write (<see cref="EquationLanguage.Summary"/>) is larger: captured values are already
/// constants here, <c>Bounded.Any/All/Count</c> are expanded into <c>||</c>, <c>&amp;&amp;</c> and sums,
/// <c>Math.Abs</c> into a conditional, typed event cases (<see cref="EventCases"/>) into type tests and field reads,
/// named helpers inlined, and closed subterms are folded. A back end that shows helpers by name (as the printer
/// does) reads <see cref="StagedVariable.Named"/> and <see cref="Property.Named"/> instead, where each helper
/// application is a <see cref="StagedHelper"/> marker around its inlined value. To handle one member or one property
/// instance at a time, substitute the event and a constant index with <see cref="StagedVariable.Instantiate"/> or
/// <see cref="Property.Instantiate"/>.
/// </para>
/// </summary>
public sealed class StagedSpec
{
    private readonly Dictionary<Variable, StagedVariable> byVariable;

    internal StagedSpec(ISpec spec, Func<Variable, Equation> equationOf)
    {
        Name = spec.Name;
        Alphabet = spec.Alphabet;
        Variables = spec.Variables.Select((v, position) => new StagedVariable(equationOf(v), position)).ToList().AsReadOnly();
        byVariable = Variables.ToDictionary(v => v.Variable);
        EvaluationOrder = spec.EvaluationOrder.Select(v => byVariable[v]).ToList().AsReadOnly();
        Properties = spec.Properties;
    }

    /// <summary>The spec's name.</summary>
    public string Name { get; }

    /// <summary>The event alphabet E: its cases and their fields.</summary>
    public Alphabet Alphabet { get; }

    /// <summary>The state variables in declaration order (<see cref="StagedVariable.Position"/> is the place in this list).</summary>
    public IReadOnlyList<StagedVariable> Variables { get; }

    /// <summary>
    /// The variables in an order that computes one step: each after every variable whose post-event value y(σe) its
    /// body reads. Reads of pre-event values y(σ) impose no order.
    /// </summary>
    public IReadOnlyList<StagedVariable> EvaluationOrder { get; }

    /// <summary>Invariants, step properties, guards and liveness monitors, in declaration order, each with its staged body.</summary>
    public IReadOnlyList<Property> Properties { get; }

    /// <summary>The staged equation of one of this spec's variables (e.g. the <see cref="StagedRead.Variable"/> of a read in one of its bodies).</summary>
    public StagedVariable this[Variable variable] =>
        byVariable.TryGetValue(variable, out var staged) ? staged : throw new SpecException($"'{variable.Name}' is not a variable of spec '{Name}'");

    /// <summary>Returns the spec's name.</summary>
    public override string ToString() => Name;
}

/// <summary>What a state variable is: a total scalar, a partial scalar, a family of scalars, or an array of components.</summary>
public enum VariableKind
{
    /// <summary>One value, defined from Nil on: y(Nil) = k, y(σe) = h(e, …) (a <see cref="Var{T}"/> declared with <c>Variable</c>).</summary>
    Scalar,

    /// <summary>One value, undefined at Nil and defined after the first event, like the seed's L (a <see cref="Var{T}"/> declared with <c>Partial</c>).</summary>
    Partial,

    /// <summary>Count values y_0 … y_{Count-1}, each with its own initial value and the same body over the index i (a <see cref="Family{T}"/>).</summary>
    Family,

    /// <summary>
    /// Count histories u_0 … u_{Count-1} of a sub-spec (a <see cref="Component{TSub}"/>): u_i(Nil) = Nil,
    /// u_i(σe) = u_i · h_i(e, …) where the body h_i is the event appended to u_i, or null for none. The state of
    /// member i is the sub-spec's state after u_i.
    /// </summary>
    Component,
}

/// <summary>One state variable of a built spec with its staged equation (see <see cref="StagedSpec"/> for the vocabulary of <see cref="Body"/>).</summary>
public sealed class StagedVariable
{
    internal StagedVariable(Equation equation, int position)
    {
        Variable = equation.Variable;
        Position = position;
        InitialValues = equation.InitialValues is null ? null : new ReadOnlyCollection<object?>(equation.InitialValues.ToArray());
        EventParameter = equation.EventParameter;
        IndexParameter = equation.IndexParameter;
        Body = equation.Body;
        Named = equation.Named;
        SubSpec = Variable is IComponent component ? component.SubSpec.Staged : null;
    }

    /// <summary>The handle the spec declared; the one a <see cref="StagedRead"/> names.</summary>
    public Variable Variable { get; }

    /// <summary>The variable's name, y.</summary>
    public string Name => Variable.Name;

    /// <summary>Scalar, partial, family or component.</summary>
    public VariableKind Kind => Variable.Kind;

    /// <summary>The type of one member's value; for a component, the sub-spec's event type (what the body appends).</summary>
    public Type ValueType => Variable.ValueType;

    /// <summary>The number of members: 1 for a scalar, the index range 0..Count-1 of a family or component array.</summary>
    public int Count => Variable.Count;

    /// <summary>The place of the variable in <see cref="StagedSpec.Variables"/> (declaration order): a stable ordinal for a back end's tables.</summary>
    public int Position { get; }

    /// <summary>The name of member <paramref name="index"/> as reports and SMT symbols show it: "C", "waiting[2]", "votes[a1,b2]", "u[0]".</summary>
    public string MemberName(int index) => Variable.MemberName(index);

    /// <summary>
    /// y_i(Nil) for each member i in 0..Count-1 (values of <see cref="ValueType"/>); null for a partial variable
    /// (undefined at Nil) and for a component (u_i(Nil) = Nil: the sub-spec's own initial values).
    /// </summary>
    public IReadOnlyList<object?>? InitialValues { get; }

    /// <summary>The event e in <see cref="Body"/>: y(σe) = Body.</summary>
    public ParameterExpression EventParameter { get; }

    /// <summary>The index i in <see cref="Body"/> of a family or component (the body defines member i); null for a scalar.</summary>
    public ParameterExpression? IndexParameter { get; }

    /// <summary>
    /// y_i(σe) in terms of e, i and the state: for a scalar or family member, its value after the event; for a
    /// component, h_i(e, …), the event of the sub-spec's alphabet appended to u_i (null: nothing appended).
    /// </summary>
    public Expression Body { get; }

    /// <summary><see cref="Body"/> with the named helpers it applies shown by name (<see cref="StagedHelper"/> markers): what the printer shows. The same as Body when it applies none.</summary>
    public Expression Named { get; }

    /// <summary>For a component, the sub-spec's staged form (its variables are what <see cref="StagedRead.SubVariable"/> names); otherwise null.</summary>
    public StagedSpec? SubSpec { get; }

    /// <summary>
    /// The body of member <paramref name="index"/>: the index parameter replaced by that constant, the event parameter
    /// by <paramref name="evt"/> (left in place when null), then every subterm that reads no state and no parameter
    /// folded to its value and every conditional with a constant test reduced to its branch — so
    /// <c>i == 0 ? x : u.Now(i - 1, L)</c> at i = 0 is just x, and reads at <c>i - 1</c> become reads at a constant.
    /// </summary>
    public Expression Instantiate(Expression? evt, int index)
    {
        if (index < 0 || index >= Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"'{Name}' has members 0..{Count - 1}");
        return Staging.Instantiate(Body, EventParameter, evt, IndexParameter, index);
    }

    /// <summary>Returns the variable's name.</summary>
    public override string ToString() => Name;
}
