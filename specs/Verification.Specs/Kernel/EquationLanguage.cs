using System.Linq.Expressions;

namespace Verification.Specs;

/// <summary>
/// The constructs an equation or property may use: exactly those that all three uses (compiled evaluation,
/// SMT-LIB2, printing) understand. One list, checked when a spec is built, so a definition that runs is also one
/// that can be sent to Z3 and printed.
/// </summary>
public static class EquationLanguage
{
    public const string Summary =
        "int/long/bool/string/enum/event constants, the event and index parameters, state-variable reads, " +
        "+ - * / %, comparisons, == and != (also on events), && || ! ^, ?:, 'e is Case', casts to an event case and its fields, " +
        "'new Case(...)', Math.Min and Math.Max";

    internal static void Validate(Expression body, ISpec spec, string owner) => new Checker(spec, owner).Visit(body);

    /// <summary>The types of state variables and event fields: what the evaluator stores and the SMT translation has sorts for.</summary>
    internal static bool IsValueType(Type type) =>
        type == typeof(int) || type == typeof(long) || type == typeof(bool) || type == typeof(string) || type.IsEnum || Alphabet.IsEvent(type);

    private sealed class Checker(ISpec spec, string owner) : ExpressionVisitor
    {
        public override Expression? Visit(Expression? node)
        {
            if (node is null) return null;
            if (node is MethodCallExpression marker && StateRead.TryDecode(marker, spec, out var read))
            {
                Visit(read.Index);
                return node;
            }
            // Children first, so the innermost unsupported construct (usually the cause) is the one reported.
            base.Visit(node);
            switch (node.NodeType)
            {
                case ExpressionType.Constant:
                    if (!IsValueType(node.Type)) Fail(node, $"a constant of type {node.Type.Name}");
                    return node;
                case ExpressionType.Parameter:
                    return node;
                case ExpressionType.Add or ExpressionType.AddChecked or ExpressionType.Subtract or ExpressionType.SubtractChecked
                    or ExpressionType.Multiply or ExpressionType.MultiplyChecked or ExpressionType.Divide or ExpressionType.Modulo:
                    RequireNumeric(node, ((BinaryExpression)node).Left.Type);
                    break;
                case ExpressionType.Negate or ExpressionType.NegateChecked:
                    RequireNumeric(node, ((UnaryExpression)node).Operand.Type);
                    break;
                case ExpressionType.And or ExpressionType.Or or ExpressionType.ExclusiveOr:
                    if (((BinaryExpression)node).Left.Type != typeof(bool)) Fail(node, "a bitwise operator on numbers (only bool &, |, ^ are supported)");
                    break;
                case ExpressionType.AndAlso or ExpressionType.OrElse or ExpressionType.Not or ExpressionType.Conditional
                    or ExpressionType.Equal or ExpressionType.NotEqual or ExpressionType.LessThan or ExpressionType.LessThanOrEqual
                    or ExpressionType.GreaterThan or ExpressionType.GreaterThanOrEqual:
                    if (node is UnaryExpression { NodeType: ExpressionType.Not } not && not.Operand.Type != typeof(bool))
                        Fail(node, "bitwise complement");
                    break;
                case ExpressionType.TypeIs:
                    if (!Alphabet.IsEvent(((TypeBinaryExpression)node).TypeOperand)) Fail(node, "a type test on a non-event type");
                    break;
                case ExpressionType.Convert or ExpressionType.ConvertChecked:
                    CheckConvert((UnaryExpression)node);
                    break;
                case ExpressionType.MemberAccess:
                    var member = (MemberExpression)node;
                    if (member.Expression is null || !Alphabet.IsEvent(member.Expression.Type) || !IsField(member))
                        Fail(node, $"member access '{member.Member.DeclaringType?.Name}.{member.Member.Name}' (only fields of event cases)");
                    break;
                case ExpressionType.New:
                    var creation = (NewExpression)node;
                    if (!Alphabet.IsEvent(creation.Type) || creation.Type.IsAbstract) Fail(node, $"'new {creation.Type.Name}(...)' (only event cases can be created)");
                    break;
                case ExpressionType.Call:
                    var call = (MethodCallExpression)node;
                    if (call.Method.DeclaringType == typeof(Math) && call.Method.Name is "Min" or "Max" && call.Type is var t && (t == typeof(int) || t == typeof(long)))
                        break;
                    if (call.Method.Name is "op_Equality" or "op_Inequality") break;
                    Fail(node, $"a call of {call.Method.DeclaringType?.Name}.{call.Method.Name}");
                    break;
                default:
                    Fail(node, $"'{node.NodeType}'");
                    break;
            }
            if (!IsValueType(node.Type)) Fail(node, $"a value of type {node.Type.Name}");
            return node;
        }

        private void CheckConvert(UnaryExpression convert)
        {
            var from = convert.Operand.Type;
            var to = convert.Type;
            bool numeric(Type t) => t == typeof(int) || t == typeof(long) || t.IsEnum;
            if (numeric(from) && numeric(to)) return;
            if (Alphabet.IsEvent(from) && Alphabet.IsEvent(to)) return;
            if (to == typeof(object) || from == typeof(object)) Fail(convert, "boxing to object");
            Fail(convert, $"a conversion from {from.Name} to {to.Name}");
        }

        private static bool IsField(MemberExpression member) =>
            !member.Expression!.Type.IsAbstract && Alphabet.Of(member.Expression.Type.BaseType!).Cases.Any(c => c.Type == member.Expression.Type && c.Fields.Any(f => f.Name == member.Member.Name));

        private void RequireNumeric(Expression node, Type operand)
        {
            if (operand != typeof(int) && operand != typeof(long)) Fail(node, $"arithmetic on {operand.Name}");
        }

        private void Fail(Expression node, string construct) =>
            throw new SpecException($"{owner}: unsupported construct {construct} in '{node}'; equations may use {Summary}");
    }
}
