using System.Linq.Expressions;
using System.Reflection;

namespace Verification.Specs;

/// <summary>
/// The staged form of a read of a state variable inside an equation. When a spec is built, every handle access
/// (<c>C.Now</c>, <c>waiting.Next(p)</c>, <c>cells.Now(i, L)</c>) is rewritten into a call of one of these marker
/// methods; each of the three uses (compiler, SMT translator, printer) and the reference evaluator replaces the
/// markers in its own way. They are never executed.
/// </summary>
internal static class StateRead
{
    public static T Value<T>(int variableId, int index, bool next) => throw Never();
    public static bool Defined(int variableId, int index, bool next) => throw Never();
    public static T SubValue<T>(int componentId, int index, int subVariableId, bool next) => throw Never();
    public static bool SubDefined(int componentId, int index, int subVariableId, bool next) => throw Never();

    private static InvalidOperationException Never() => new("state-read markers are rewritten before evaluation");

    internal static readonly MethodInfo ValueMethod = typeof(StateRead).GetMethod(nameof(Value))!;
    internal static readonly MethodInfo DefinedMethod = typeof(StateRead).GetMethod(nameof(Defined))!;
    internal static readonly MethodInfo SubValueMethod = typeof(StateRead).GetMethod(nameof(SubValue))!;
    internal static readonly MethodInfo SubDefinedMethod = typeof(StateRead).GetMethod(nameof(SubDefined))!;

    public static Expression MakeValue(Variable variable, Expression index, bool next) =>
        Expression.Call(ValueMethod.MakeGenericMethod(variable.ValueType), Expression.Constant(variable.Id), index, Expression.Constant(next));

    public static Expression MakeDefined(Variable variable, Expression index, bool next) =>
        Expression.Call(DefinedMethod, Expression.Constant(variable.Id), index, Expression.Constant(next));

    public static Expression MakeSubValue(Variable component, Expression index, Variable subVariable, bool next) =>
        Expression.Call(SubValueMethod.MakeGenericMethod(subVariable.ValueType), Expression.Constant(component.Id), index, Expression.Constant(subVariable.Id), Expression.Constant(next));

    public static Expression MakeSubDefined(Variable component, Expression index, Variable subVariable, bool next) =>
        Expression.Call(SubDefinedMethod, Expression.Constant(component.Id), index, Expression.Constant(subVariable.Id), Expression.Constant(next));

    /// <summary>Recognises a marker call and decodes it against the spec that owns the variables.</summary>
    public static bool TryDecode(Expression node, ISpec spec, out ReadSite site)
    {
        site = default!;
        if (node is not MethodCallExpression call || call.Method.DeclaringType != typeof(StateRead)) return false;
        var definition = call.Method.IsGenericMethod ? call.Method.GetGenericMethodDefinition() : call.Method;
        var variable = spec.Variables[(int)((ConstantExpression)call.Arguments[0]).Value!];
        if (definition == ValueMethod || definition == DefinedMethod)
        {
            site = new ReadSite(variable, call.Arguments[1], (bool)((ConstantExpression)call.Arguments[2]).Value!, definition == DefinedMethod, null);
            return true;
        }
        var component = (IComponent)variable;
        var subVariable = component.SubSpec.Variables[(int)((ConstantExpression)call.Arguments[2]).Value!];
        site = new ReadSite(variable, call.Arguments[1], (bool)((ConstantExpression)call.Arguments[3]).Value!, definition == SubDefinedMethod, subVariable);
        return true;
    }
}

/// <summary>A decoded read: which variable (or which component and sub-variable), at which index, before or after the event, value or definedness.</summary>
internal sealed record ReadSite(Variable Variable, Expression Index, bool Next, bool IsDefinedQuery, Variable? SubVariable)
{
    public int? ConstantIndex => Index is ConstantExpression { Value: int i } ? i : null;
}
