using System.Linq.Expressions;
using System.Reflection;

namespace Verification.Specs;

/// <summary>
/// The constructs an equation or property may use: exactly those that all three uses (compiled evaluation,
/// SMT-LIB2, printing) understand. One list, checked when a spec is built, so a definition that runs is also one
/// that can be sent to Z3 and printed.
/// </summary>
public static class EquationLanguage
{
    /// <summary>The equation language in one sentence: what error messages list when a definition uses anything else.</summary>
    public const string Summary =
        "int/long/bool/string/enum/event constants (literals, consts, static readonly fields and captured locals of those types, " +
        "taken when the equation is defined), the event and index parameters, state-variable reads, + - * / %, comparisons, " +
        "== and != (also on strings and events), && || ! ^, ?:, 'e is Case', typed cases (e.Is((Case c) => ...), e.IfIs(...), e.When((Case c) => ...).When(...).Else(...)), casts to an event case and its fields, " +
        "casts between int, long and enums, 'new Case(...)', Math.Min, Math.Max and Math.Abs on int and long, " +
        "Bounded.Any/All/Count(n, i => ...) with n known when the spec is built, " +
        "sequence variables read through Length, At(i), Last, IsPrefixOf, Contains, Count/Any/All(v => ...) and ==, and defined with Append, Take and conditionals, named helpers (spec.Helper(\"Name\", (int x) => ...)) applied as name(args), " +
        "and members of captured [SpecConstant] objects (or of immutable records) in parts that read no state";

    internal static void Validate(Expression body, string owner) => new Checker(owner).Visit(body);

    /// <summary>
    /// Rejects what folding would freeze wrongly, before closed sub-expressions are evaluated once at build time:
    /// calls not known to be pure (they would run once, when the equation is defined), static properties
    /// (<c>DateTime.Now</c>), and captured objects not known to be immutable (a <c>list.Count</c> would keep its
    /// build-time value). <see cref="Validate"/> then checks that what remains after folding is in the language.
    /// </summary>
    internal static void CheckNothingIsFrozenWrongly(Expression body, string owner) => new FreezeChecker(owner).Visit(body);

    /// <summary>The types of state variables and event fields: what the evaluator stores and the SMT translation has sorts for.</summary>
    internal static bool IsValueType(Type type) =>
        type == typeof(int) || type == typeof(long) || type == typeof(bool) || type == typeof(string) || type.IsEnum || Alphabet.IsEvent(type);

    /// <summary>Whether equations may capture a value of this type and fold reads from it: it cannot change after construction.</summary>
    internal static bool IsConstantType(Type type) => IsConstantType(type, []);

    private static bool IsConstantType(Type type, HashSet<Type> visiting) =>
        IsValueType(type) || typeof(Variable).IsAssignableFrom(type) || IsDeclaredConstant(type) || IsImmutableRecord(type, visiting);

    /// <summary>Types the kernel itself knows to be immutable with pure members, besides those marked [SpecConstant].</summary>
    /// <summary>Marked [SpecConstant]: every member may be read or called in a closed part.</summary>
    private static bool IsDeclaredConstant(Type type) => type.IsDefined(typeof(SpecConstantAttribute), inherit: false);

    /// <summary>A sealed record whose fields are all readonly and of constant types (positional and init-only properties only).</summary>
    private static bool IsImmutableRecord(Type type, HashSet<Type> visiting)
    {
        if (!type.IsClass || !type.IsSealed || type.GetMethod("<Clone>$") is null) return false;
        if (!visiting.Add(type)) return true; // a cycle: decided by the other fields
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                if (!field.IsInitOnly || !IsConstantType(field.FieldType, visiting)) return false;
        return true;
    }

    private static bool IsInitOnly(PropertyInfo property) =>
        property.SetMethod?.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(System.Runtime.CompilerServices.IsExternalInit)) == true;

    /// <summary>The class the C# compiler generates to hold a lambda's captured locals.</summary>
    private static bool IsClosure(Type type) =>
        type.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute), inherit: false) && type.Name.Contains("DisplayClass");

    private static bool IsMathOnIntegers(MethodInfo method) =>
        method.DeclaringType == typeof(Math) && method.Name is "Min" or "Max" or "Abs" && (method.ReturnType == typeof(int) || method.ReturnType == typeof(long));

    /// <summary>== and != of strings, events and constant types: compiler-generated or library equality, pure.</summary>
    private static bool IsEqualityOperator(MethodInfo method) =>
        method.Name is "op_Equality" or "op_Inequality" && method.DeclaringType is { } type && IsConstantType(type);

    internal static string TypeName(Type type) =>
        type.IsGenericType ? $"{type.Name[..type.Name.IndexOf('`')]}<{string.Join(", ", type.GetGenericArguments().Select(TypeName))}>" : type.Name;

    private sealed class FreezeChecker(string owner) : ExpressionVisitor
    {
        public override Expression? Visit(Expression? node)
        {
            if (node is null) return null;
            if (node is MethodCallExpression marker && StagedRead.TryDecode(marker, out var read))
            {
                Visit(read.Index);
                return node;
            }
            if (StagedSequence.TryDecode(node, out _, out var sequenceIndex, out _))
            {
                Visit(sequenceIndex);
                return node;
            }
            if (StagedHelper.TryDecode(node, out _, out var arguments, out var inlined))
            {
                // A helper applied inside another helper's definition: its marker's definition is not a capture.
                Visit(inlined);
                foreach (var argument in arguments) Visit(argument);
                return node;
            }
            base.Visit(node); // children first: the innermost problem (usually the cause) is the one reported
            switch (node)
            {
                case ConstantExpression { Value: { } value } constant when !value.GetType().IsPrimitive && !IsClosure(constant.Type) && !IsConstantType(value.GetType()):
                    Fail($"a captured object of type {TypeName(value.GetType())}, not known to be immutable{CaptureAdvice}", node);
                    break;
                case MemberExpression member:
                    CheckMember(member);
                    break;
                case MethodCallExpression { Method: var called } call:
                    if (IsMathOnIntegers(called) || IsEqualityOperator(called) || IsDeclaredConstant(called.DeclaringType!) || ReachedFromConstant(call.Object)) break;
                    Fail($"a call of {TypeName(called.DeclaringType!)}.{called.Name} (not known to be pure: it would run once, when the spec is built)", node);
                    break;
                case BinaryExpression { Method: { } op } when !IsEqualityOperator(op) && !IsDeclaredConstant(op.DeclaringType!):
                    Fail($"the operator {TypeName(op.DeclaringType!)}.{op.Name}", node);
                    break;
                case UnaryExpression { Method: { } conversion } when !IsDeclaredConstant(conversion.DeclaringType!):
                    Fail($"the user-defined operator or conversion {TypeName(conversion.DeclaringType!)}.{conversion.Name}", node);
                    break;
                case NewExpression creation when !Alphabet.IsEvent(creation.Type):
                    Fail($"'new {TypeName(creation.Type)}(...)' (only event cases can be created)", node);
                    break;
                case InvocationExpression or ListInitExpression or MemberInitExpression:
                    Fail($"'{node.NodeType}'", node);
                    break;
            }
            return node;
        }

        private const string CaptureAdvice =
            " (what is read from it would be frozen at its value when the spec is built; capture an int, long, bool, string, " +
            "enum or event value, a state-variable handle, or an object of a type marked [SpecConstant])";

        private void CheckMember(MemberExpression member)
        {
            var name = $"{TypeName(member.Member.DeclaringType!)}.{member.Member.Name}";
            var receiver = member.Expression;
            if (receiver is null)
            {
                // Static: a const or a static readonly field of a constant type is fixed; a static property may be anything (DateTime.Now).
                if (member.Member is FieldInfo { IsLiteral: true } or FieldInfo { IsInitOnly: true } && IsConstantType(member.Type)) return;
                Fail(member.Member is PropertyInfo
                    ? $"the static property {name} (its value would be frozen when the spec is built)"
                    : $"the static field {name} (not readonly, or not of a constant type: its value would be frozen when the spec is built)", member);
                return;
            }
            if (IsClosure(receiver.Type))
            {
                // A captured local: its value is taken when the equation is defined, so it must be a constant.
                if (member.Member is FieldInfo field && (IsConstantType(field.FieldType) || IsClosure(field.FieldType))) return;
                Fail($"the captured '{member.Member.Name}' of type {TypeName(member.Type)}{CaptureAdvice}", member);
                return;
            }
            var allowed = ReachedFromConstant(receiver)
                || ((Alphabet.IsEvent(receiver.Type) || IsImmutableRecord(receiver.Type, [])) && member.Member switch
                {
                    FieldInfo f => f.IsInitOnly,
                    PropertyInfo p => IsInitOnly(p),
                    _ => false,
                });
            if (!allowed) Fail($"a read of {name} from an object not known to be immutable{CaptureAdvice}", member);
        }

        /// <summary>
        /// An object of a [SpecConstant] type, or reached from one through its members (a quorum system's list of
        /// quorums): the mark vouches for everything reachable from the object.
        /// </summary>
        private static bool ReachedFromConstant(Expression? receiver) => receiver switch
        {
            null => false,
            _ when IsDeclaredConstant(receiver.Type) => true,
            MemberExpression { Expression: var inner } => ReachedFromConstant(inner),
            MethodCallExpression { Object: null, Method.DeclaringType: { } type } => IsDeclaredConstant(type),
            MethodCallExpression { Object: var inner } => ReachedFromConstant(inner),
            _ => false,
        };

        private void Fail(string construct, Expression node) =>
            throw new SpecException($"{owner}: unsupported construct {construct} in '{node}'; equations may use {Summary}");
    }

    private sealed class Checker(string owner) : ExpressionVisitor
    {
        public override Expression? Visit(Expression? node)
        {
            if (node is null) return null;
            if (node is MethodCallExpression marker && StagedRead.TryDecode(marker, out var read))
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
