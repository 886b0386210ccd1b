using System.Linq.Expressions;
using System.Text;

namespace Verification.Specs;

/// <summary>
/// Use (c) of a staged spec: the equations as a person reads them, in the seed's notation —
/// <c>C(Nil) = 0</c>, <c>SinceReset(σe) = if e is Reset then 0 else SinceReset + 1</c>, <c>waiting_p</c>, <c>L(u_i)</c>.
/// </summary>
public static class EquationPrinter
{
    /// <summary>A built spec in the seed's notation: its alphabet, each variable's y(Nil) and y(σe), and each property, one per line.</summary>
    public static string Print(ISpec spec)
    {
        var staged = spec.Staged;
        var text = new StringBuilder();
        text.AppendLine($"spec {staged.Name} over {staged.Alphabet.Name} = {{{string.Join(", ", staged.Alphabet.Cases.Select(CaseSignature))}}}");
        // Each helper the spec applies, once, by its definition (helpers applied inside helpers too).
        foreach (var helper in HelpersIn(staged.Variables.Select(v => v.Named).Concat(staged.Properties.Select(p => p.Named))))
            text.AppendLine($"  helper {helper.Name}({string.Join(", ", helper.Parameters.Select(p => p.Name))}) = {Print(helper.Body)}");
        foreach (var variable in staged.Variables)
        {
            if (variable.Variable.PartOf is { } sequence)
            {
                // A sequence is stored as lengths and slots but was written, and is shown, as one equation.
                if (variable.Variable == sequence.Lengths) PrintSequence(sequence, text);
                continue;
            }
            var index = variable.IndexParameter?.Name ?? "i";
            var indexed = variable.Count > 1 || variable.Kind == VariableKind.Component;
            var name = indexed ? $"{variable.Name}_{index}" : variable.Name;
            var range = indexed ? $"    ({index} ∈ 0..{variable.Count - 1})" : "";
            if (variable.SubSpec is { } subSpec)
            {
                text.AppendLine($"  {name}(Nil) = Nil{range}    -- each {name} is a history of {subSpec.Name}");
                text.AppendLine($"  {name}(σe) = {name} · {Print(variable.Named)}    -- null appends nothing");
                continue;
            }
            if (variable.InitialValues is null) text.AppendLine($"  {name}(Nil) undefined");
            else if (variable.InitialValues.Distinct().Count() == 1) text.AppendLine($"  {name}(Nil) = {Alphabet.FormatValue(variable.InitialValues[0])}{range}");
            else text.AppendLine($"  {name}(Nil) = [{string.Join(", ", variable.InitialValues.Select(Alphabet.FormatValue))}]{range}");
            text.AppendLine($"  {name}(σe) = {Print(variable.Named)}");
        }
        foreach (var property in staged.Properties)
        {
            var kind = property.KindName;
            var forEach = property.IndexParameter is { } p ? $" (for each {p.Name} ∈ 0..{property.Count - 1})" : "";
            text.AppendLine($"  {kind} {property.Name}{forEach}: {Print(property.Named)}");
        }
        return text.ToString().TrimEnd();
    }

    private static void PrintSequence(SequenceVariable sequence, StringBuilder text)
    {
        var index = sequence.IndexParameter?.Name ?? "i";
        var name = sequence.IsFamily ? $"{sequence.Name}_{index}" : sequence.Name;
        var range = sequence.IsFamily ? $"{index} ∈ 0..{sequence.Count - 1}; " : "";
        var initial = sequence.Initial.Distinct().Count() == 1 ? Alphabet.FormatValue(sequence.Initial[0]) : $"[{string.Join(", ", sequence.Initial.Select(Alphabet.FormatValue))}]";
        text.AppendLine($"  {name}(Nil) = {initial}    ({range}a sequence of {EquationLanguage.TypeName(sequence.ElementType)}, at most {sequence.Bound} long)");
        text.AppendLine($"  {name}(σe) = {(sequence.NamedEquation is { } equation ? Print(equation) : "?")}");
    }

    private static List<HelperDefinition> HelpersIn(IEnumerable<Expression> bodies)
    {
        var found = new List<HelperDefinition>();
        var pending = new Queue<Expression>(bodies);
        while (pending.TryDequeue(out var body))
            foreach (var helper in HelperCollector.Collect(body).Where(h => !found.Contains(h)))
            {
                found.Add(helper);
                pending.Enqueue(helper.Body);
            }
        return found;
    }

    private sealed class HelperCollector : ExpressionVisitor
    {
        private readonly List<HelperDefinition> helpers = [];

        public static List<HelperDefinition> Collect(Expression body)
        {
            var collector = new HelperCollector();
            collector.Visit(body);
            return collector.helpers;
        }

        public override Expression? Visit(Expression? node)
        {
            if (node is not null && StagedHelper.TryDecode(node, out var helper, out var arguments, out _))
            {
                if (!helpers.Contains(helper)) helpers.Add(helper);
                foreach (var argument in arguments) Visit(argument);
                return node;
            }
            return base.Visit(node);
        }
    }

    private static string CaseSignature(EventCase eventCase) =>
        eventCase.Fields.Count == 0 ? eventCase.Name : $"{eventCase.Name}({string.Join(", ", eventCase.Fields.Select(f => $"{f.Name}: {f.Type.Name}"))})";

    /// <summary>One staged expression (a <see cref="StagedVariable.Body"/> or <see cref="Property.Body"/>, or an instance of one) in the seed's notation.</summary>
    public static string Print(Expression body) => new Printer().Print(body, 0);

    private sealed class Printer
    {
        public string Print(Expression node, int outer)
        {
            var (text, precedence) = Render(node);
            return precedence < outer ? $"({text})" : text;
        }

        private (string, int) Render(Expression node)
        {
            switch (node)
            {
                case ConstantExpression constant:
                    return (constant.Value is null ? "nothing" : constant.Type.IsEnum ? $"{constant.Type.Name}.{constant.Value}" : Alphabet.FormatValue(constant.Value), 100);
                case ParameterExpression parameter:
                    return (parameter.Name ?? "e", 100);
                case MethodCallExpression call when StagedHelper.TryDecode(call, out var helper, out var arguments, out _):
                    return ($"{helper.Name}({string.Join(", ", arguments.Select(a => Print(a, 0)))})", 100);
                case MethodCallExpression call when StagedRead.TryDecode(call, out var site):
                    return (Read(site), 100);
                case MethodCallExpression call when StagedSequence.TryDecode(call, out var sequence, out var index, out var next):
                    return ($"{sequence.Name}{(sequence.IsFamily ? "_" + Subscript(index) : "")}{(next ? "(σe)" : "")}", 100);
                case MethodCallExpression { Object: null, Arguments: [var bound, LambdaExpression { Parameters: [var variable] } body] } quantifier
                    when quantifier.Method.DeclaringType == typeof(Bounded):
                    var over = $"{variable.Name} ∈ 0..{(bound is ConstantExpression { Value: int n } ? (n - 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : Print(bound, 50) + " - 1")}";
                    return quantifier.Method.Name switch
                    {
                        nameof(Bounded.All) => ($"∀{over}: {Print(body.Body, 1)}", 1),
                        nameof(Bounded.Any) => ($"∃{over}: {Print(body.Body, 1)}", 1),
                        _ => ($"#{{{over}: {Print(body.Body, 1)}}}", 100),
                    };
                case MethodCallExpression { Object: { } receiver } call when IsSequence(receiver.Type):
                    return SequenceOperation(receiver, call.Method.Name, call.Arguments);
                case MemberExpression { Expression: { } receiver } member when IsSequence(receiver.Type):
                    return member.Member.Name == "Length" ? ($"|{Print(receiver, 0)}|", 100) : ($"last({Print(receiver, 0)})", 100);
                case MethodCallExpression { Object: ConstantExpression, Method.IsStatic: false } member:
                    // A [SpecConstant]'s method applied to open arguments, as in a helper's definition: quorums.IsMember(q, a).
                    return ($"{member.Method.Name}({string.Join(", ", member.Arguments.Select(a => Print(a, 0)))})", 100);
                case MethodCallExpression { Method.Name: "Min" or "Max" } call:
                    return ($"{call.Method.Name.ToLowerInvariant()}({Print(call.Arguments[0], 0)}, {Print(call.Arguments[1], 0)})", 100);
                case MethodCallExpression { Method.Name: "op_Equality" or "op_Inequality" } call:
                    return ($"{Print(call.Arguments[0], 41)} {(call.Method.Name == "op_Equality" ? "=" : "≠")} {Print(call.Arguments[1], 41)}", 40);
                case ConditionalExpression conditional:
                    return ($"if {Print(conditional.Test, 0)} then {Print(conditional.IfTrue, 0)} else {Print(conditional.IfFalse, 0)}", 1);
                case TypeBinaryExpression typeIs:
                    return ($"{Print(typeIs.Expression, 90)} is {typeIs.TypeOperand.Name}", 40);
                case UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } convert:
                    return Render(convert.Operand);
                case UnaryExpression { NodeType: ExpressionType.Not } not:
                    return ($"¬{Print(not.Operand, 90)}", 90);
                case UnaryExpression negate:
                    return ($"-{Print(negate.Operand, 90)}", 90);
                case MemberExpression member:
                    return ($"{Print(member.Expression!, 100)}.{member.Member.Name}", 100);
                case NewExpression creation:
                    return ($"{creation.Type.Name}({string.Join(", ", creation.Arguments.Select(a => Print(a, 0)))})", 100);
                case BinaryExpression binary:
                    var (symbol, precedence) = binary.NodeType switch
                    {
                        ExpressionType.OrElse or ExpressionType.Or => ("∨", 10),
                        ExpressionType.ExclusiveOr => ("⊕", 15),
                        ExpressionType.AndAlso or ExpressionType.And => ("∧", 20),
                        ExpressionType.Equal => ("=", 40),
                        ExpressionType.NotEqual => ("≠", 40),
                        ExpressionType.LessThan => ("<", 40),
                        ExpressionType.LessThanOrEqual => ("≤", 40),
                        ExpressionType.GreaterThan => (">", 40),
                        ExpressionType.GreaterThanOrEqual => ("≥", 40),
                        ExpressionType.Add or ExpressionType.AddChecked => ("+", 50),
                        ExpressionType.Subtract or ExpressionType.SubtractChecked => ("-", 50),
                        ExpressionType.Multiply or ExpressionType.MultiplyChecked => ("×", 60),
                        ExpressionType.Divide => ("div", 60),
                        ExpressionType.Modulo => ("mod", 60),
                        _ => (binary.NodeType.ToString(), 30),
                    };
                    return ($"{Print(binary.Left, precedence)} {symbol} {Print(binary.Right, precedence + 1)}", precedence);
                default:
                    return (node.ToString(), 100);
            }
        }

        private static bool IsSequence(Type type) => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Seq<>);

        /// <summary>s · v, s[i], s ⊑ t, v ∈ s, count(x ∈ s: p), ∃x ∈ s: p, ∀x ∈ s: p, take(s, n).</summary>
        private (string, int) SequenceOperation(Expression receiver, string operation, IReadOnlyList<Expression> arguments)
        {
            var s = Print(receiver, 55);
            string over(string quantifier)
            {
                var predicate = (LambdaExpression)arguments[0];
                return $"{quantifier}{predicate.Parameters[0].Name} ∈ {Print(receiver, 0)}: {Print(predicate.Body, 0)}";
            }
            return operation switch
            {
                "Append" => ($"{s} · {Print(arguments[0], 56)}", 55),
                "Take" => ($"take({Print(receiver, 0)}, {Print(arguments[0], 0)})", 100),
                "At" => ($"{Print(receiver, 100)}[{Print(arguments[0], 0)}]", 100),
                "IsPrefixOf" => ($"{Print(receiver, 41)} ⊑ {Print(arguments[0], 41)}", 40),
                "Contains" => ($"{Print(arguments[0], 41)} ∈ {Print(receiver, 41)}", 40),
                "Count" => ($"count({over("")})", 100),
                "Any" => (over("∃"), 1),
                "All" => (over("∀"), 1),
                _ => ($"{operation}({Print(receiver, 0)}{string.Concat(arguments.Select(a => ", " + Print(a, 0)))})", 100),
            };
        }

        private string Read(StagedRead site)
        {
            var subscript = site.Variable.Count > 1 || site.Variable is IComponent ? "_" + Subscript(site.Index) : "";
            if (site.SubVariable is null)
            {
                var name = site.Variable.Name + subscript;
                if (site.IsDefinedQuery) return site.Next ? $"defined({name}(σe))" : $"defined({name})";
                return site.Next ? $"{name}(σe)" : name;
            }
            var component = site.Variable.Name + subscript + (site.Next ? "(σe)" : "");
            var read = $"{site.SubVariable.Name}({component})";
            return site.IsDefinedQuery ? $"defined({read})" : read;
        }

        private string Subscript(Expression index) => index switch
        {
            ConstantExpression constant => constant.Value?.ToString() ?? "?",
            ParameterExpression parameter => parameter.Name ?? "i",
            _ => $"({Print(index, 0)})",
        };
    }
}
