using System.Diagnostics.CodeAnalysis;
using System.Linq.Expressions;
using System.Reflection;

namespace Verification.Specs;

/// <summary>
/// The staged form of a read of a state variable inside an equation. When a spec is built, every handle access
/// (<c>C.Now</c>, <c>waiting.Next(p)</c>, <c>cells.Now(i, L)</c>) is rewritten into a call of one of these marker
/// methods; every use (compiler, SMT translator, printer, reference evaluator) replaces the markers in its own way,
/// after recognising them with <see cref="StagedRead.TryDecode"/>. They are never executed. A marker carries the
/// variable handles themselves (not positions), so it decodes the same whichever spec's body it sits in.
/// </summary>
internal static class StateRead
{
    public static T Value<T>(Variable variable, int index, bool next) => throw Never();
    public static bool Defined(Variable variable, int index, bool next) => throw Never();
    public static T SubValue<T>(Variable component, int index, Variable subVariable, bool next) => throw Never();
    public static bool SubDefined(Variable component, int index, Variable subVariable, bool next) => throw Never();

    private static InvalidOperationException Never() => new("state-read markers are rewritten before evaluation");

    internal static readonly MethodInfo ValueMethod = typeof(StateRead).GetMethod(nameof(Value))!;
    internal static readonly MethodInfo DefinedMethod = typeof(StateRead).GetMethod(nameof(Defined))!;
    internal static readonly MethodInfo SubValueMethod = typeof(StateRead).GetMethod(nameof(SubValue))!;
    internal static readonly MethodInfo SubDefinedMethod = typeof(StateRead).GetMethod(nameof(SubDefined))!;

    public static Expression MakeValue(Variable variable, Expression index, bool next) =>
        Expression.Call(ValueMethod.MakeGenericMethod(variable.ValueType), Handle(variable), index, Expression.Constant(next));

    public static Expression MakeDefined(Variable variable, Expression index, bool next) =>
        Expression.Call(DefinedMethod, Handle(variable), index, Expression.Constant(next));

    public static Expression MakeSubValue(Variable component, Expression index, Variable subVariable, bool next) =>
        Expression.Call(SubValueMethod.MakeGenericMethod(subVariable.ValueType), Handle(component), index, Handle(subVariable), Expression.Constant(next));

    public static Expression MakeSubDefined(Variable component, Expression index, Variable subVariable, bool next) =>
        Expression.Call(SubDefinedMethod, Handle(component), index, Handle(subVariable), Expression.Constant(next));

    private static ConstantExpression Handle(Variable variable) => Expression.Constant(variable, typeof(Variable));
}

/// <summary>
/// A read of state inside a staged body (see <see cref="StagedSpec"/>), decoded by <see cref="TryDecode"/>. In the
/// seed's terms, for a variable y at member i: <c>y_i(σ)</c>, the value before the event (<see cref="Next"/> false,
/// written <c>y.Now</c>; in an invariant, the current value), or <c>y_i(σe)</c>, the value after it
/// (<see cref="Next"/> true, written <c>y.Next</c>); or, with <see cref="IsDefinedQuery"/>, whether that value exists
/// (a partial variable is undefined at Nil). For a component array u, <see cref="SubVariable"/> names the
/// sub-spec's variable x and the read is <c>x(u_i(σ))</c> or <c>x(u_i(σe))</c>: x evaluated on the history u_i.
/// </summary>
public sealed record StagedRead
{
    internal StagedRead(Variable variable, Expression index, bool next, bool isDefinedQuery, Variable? subVariable)
    {
        Variable = variable;
        Index = index;
        Next = next;
        IsDefinedQuery = isDefinedQuery;
        SubVariable = subVariable;
    }

    /// <summary>The variable read, or the component array whose member's sub-variable is read.</summary>
    public Variable Variable { get; internal init; }

    /// <summary>
    /// Which member i of <see cref="Variable"/> (an int expression): the constant 0 for a scalar; for a family or
    /// component a constant, the index parameter, or a term over the event and the state (a read at a computed index,
    /// which may fall outside 0..Count-1: the evaluator reports that as an error).
    /// </summary>
    public Expression Index { get; internal init; }

    /// <summary>False: y(σ), the value before the event (<c>Now</c>). True: y(σe), the value after it (<c>Next</c>).</summary>
    public bool Next { get; internal init; }

    /// <summary>
    /// A definedness query (<c>IsDefined</c>, <c>IsDefinedNext</c>), of type bool: whether the value exists. Always
    /// true for a total variable; a partial one is undefined at Nil and defined after its first event.
    /// </summary>
    public bool IsDefinedQuery { get; internal init; }

    /// <summary>For a read through a component (<see cref="Variable"/> is the array u): the sub-spec's variable x read on u_i; otherwise null.</summary>
    public Variable? SubVariable { get; internal init; }

    /// <summary><see cref="Index"/> when it is a constant, else null.</summary>
    public int? ConstantIndex => Index is ConstantExpression { Value: int i } ? i : null;

    /// <summary>
    /// Recognises a state read in a staged body. Every other node of a staged body is an ordinary
    /// <see cref="Expression"/> of the vocabulary listed on <see cref="StagedSpec"/>. A back end's expression
    /// visitor calls this on each <see cref="MethodCallExpression"/> before anything else; when it returns true,
    /// the read's only subterm is <see cref="Index"/>.
    /// </summary>
    public static bool TryDecode(Expression node, [NotNullWhen(true)] out StagedRead? read)
    {
        read = null;
        if (node is not MethodCallExpression call || call.Method.DeclaringType != typeof(StateRead)) return false;
        var definition = call.Method.IsGenericMethod ? call.Method.GetGenericMethodDefinition() : call.Method;
        var variable = (Variable)((ConstantExpression)call.Arguments[0]).Value!;
        if (definition == StateRead.ValueMethod || definition == StateRead.DefinedMethod)
        {
            read = new StagedRead(variable, call.Arguments[1], (bool)((ConstantExpression)call.Arguments[2]).Value!, definition == StateRead.DefinedMethod, null);
            return true;
        }
        var subVariable = (Variable)((ConstantExpression)call.Arguments[2]).Value!;
        read = new StagedRead(variable, call.Arguments[1], (bool)((ConstantExpression)call.Arguments[3]).Value!, definition == StateRead.SubDefinedMethod, subVariable);
        return true;
    }
}
