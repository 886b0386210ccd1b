using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Verification.Specs;

/// <summary>
/// A named predicate or function defined once and used in several equations and properties (<c>IsTail(s)</c>,
/// <c>ShowsSafeAt(q, b, v)</c>); made by <see cref="SpecBuilder{TEvent}.Helper{T1, TResult}(string, Expression{Func{T1, TResult}})"/>.
/// Staging inlines it wherever it is applied, so compiled evaluation and the SMT translation see plain formulas;
/// the printer shows it by name, with its definition once.
/// </summary>
public sealed class HelperDefinition
{
    internal HelperDefinition(string name, LambdaExpression source, Expression named)
    {
        Name = name;
        Source = source;
        Body = named;
    }

    /// <summary>The name it is printed by.</summary>
    public string Name { get; }

    /// <summary>Its parameters, as <see cref="Body"/> reads them.</summary>
    public IReadOnlyList<ParameterExpression> Parameters => Source.Parameters;

    /// <summary>Its definition, staged like an equation body (helpers it applies shown by name, see <see cref="StagedHelper"/>).</summary>
    public Expression Body { get; }

    internal LambdaExpression Source { get; }
}

/// <summary>
/// How a helper application appears in the named form of a staged body (<see cref="StagedVariable.Named"/>,
/// <see cref="Property.Named"/>): a call of <see cref="Apply{T}"/> whose first argument is the helper's body already
/// inlined, then the definition and the arguments it was applied to. The bodies back ends evaluate or translate
/// (<see cref="StagedVariable.Body"/>, <see cref="Property.Body"/>) contain no such call: every helper is inlined there.
/// </summary>
public static class StagedHelper
{
    private static readonly ConditionalWeakTable<Delegate, HelperDefinition> Definitions = new();

    private static readonly MethodInfo ApplyMethod = typeof(StagedHelper).GetMethod(nameof(Apply))!;

    /// <summary>The marker's meaning: the inlined value. The definition and arguments are there only to be shown.</summary>
    public static T Apply<T>(T inlined, HelperDefinition helper, object?[] arguments) => inlined;

    /// <summary>Whether <paramref name="node"/> is a helper application, and if so which helper, its arguments and its inlined value.</summary>
    public static bool TryDecode(Expression node, out HelperDefinition helper, out IReadOnlyList<Expression> arguments, out Expression inlined)
    {
        if (node is MethodCallExpression { Method.IsGenericMethod: true } call && call.Method.GetGenericMethodDefinition() == ApplyMethod
            && call.Arguments[1] is ConstantExpression { Value: HelperDefinition definition })
        {
            helper = definition;
            inlined = call.Arguments[0];
            arguments = call.Arguments[2] switch
            {
                NewArrayExpression array => array.Expressions.Select(a => a is UnaryExpression { NodeType: ExpressionType.Convert } boxed ? boxed.Operand : a).ToList(),
                ConstantExpression { Value: object?[] values } => values.Select(v => (Expression)Expression.Constant(v)).ToList(),
                _ => [],
            };
            return true;
        }
        helper = null!;
        arguments = [];
        inlined = node;
        return false;
    }

    internal static void Register(Delegate compiled, HelperDefinition helper) => Definitions.AddOrUpdate(compiled, helper);

    internal static HelperDefinition? Find(object? target) => target is Delegate compiled && Definitions.TryGetValue(compiled, out var helper) ? helper : null;

    internal static Expression Mark(Expression inlined, HelperDefinition helper, IEnumerable<Expression> arguments) =>
        Expression.Call(ApplyMethod.MakeGenericMethod(inlined.Type), inlined, Expression.Constant(helper),
            Expression.NewArrayInit(typeof(object), arguments.Select(a => Expression.Convert(a, typeof(object)))));
}
