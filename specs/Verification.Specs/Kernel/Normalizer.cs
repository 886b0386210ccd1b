using System.Linq.Expressions;
using System.Reflection;

namespace Verification.Specs;

/// <summary>
/// Turns an equation as the user wrote it (a C# expression tree over handles and captured values) into the staged
/// form shared by every use: handle accesses become <see cref="StateRead"/> markers, captured values become constants,
/// and anything outside the equation language is rejected with the variable's name and the construct.
/// </summary>
internal sealed partial class Normalizer : ExpressionVisitor
{
    private readonly ISpec spec;
    private readonly string owner;

    /// <summary>Whether helper applications stay visible (marked by <see cref="StagedHelper"/>) for the printer.</summary>
    private bool named;

    /// <summary>Whether a helper was applied or a sequence read (so the named form differs from the staged one).</summary>
    private bool appliedHelper;

    private Normalizer(ISpec spec, string owner)
    {
        this.spec = spec;
        this.owner = owner;
    }

    /// <summary>
    /// The staged body (every helper inlined, validated, arithmetic checked) and its named form for the printer, in
    /// which each helper application stays visible as a <see cref="StagedHelper"/> marker around its inlined value
    /// (the same expression when no helper is applied; not validated again).
    /// </summary>
    /// <param name="owner">What the expression defines, for error messages ("variable 'C'", "invariant 'Safe'").</param>
    public static (Expression Body, Expression Named) Stage(ISpec spec, string owner, Expression body)
    {
        var normalizer = new Normalizer(spec, owner);
        var rewritten = normalizer.Visit(body);
        EquationLanguage.CheckNothingIsFrozenWrongly(rewritten, owner);
        var folded = new ConstantFolder().Visit(rewritten)!;
        EquationLanguage.Validate(folded, owner);
        var staged = new CheckedArithmetic().Visit(folded);
        return (staged, normalizer.appliedHelper ? new ConstantFolder().Visit(new Normalizer(spec, owner) { named = true }.Visit(body))! : staged);
    }

    /// <summary>A sequence equation's body in its named form (sequence operations as written, reads marked by <see cref="StagedSequence"/>), for the printer.</summary>
    public static Expression NameSequence(ISpec spec, string owner, Expression body)
    {
        var rewritten = new Normalizer(spec, owner) { named = true }.Visit(body)!;
        EquationLanguage.CheckNothingIsFrozenWrongly(rewritten, owner);
        return new ConstantFolder().Visit(rewritten)!;
    }

    /// <summary>
    /// A helper's definition in its named form, checked for what would be frozen wrongly (a clock, a mutable capture);
    /// the rest of the language is checked where it is applied, since a call such as <c>quorums.IsMember(q, a)</c>
    /// is allowed only once its arguments are constants there.
    /// </summary>
    public static Expression NormalizeHelper(ISpec spec, string owner, Expression body)
    {
        var rewritten = new Normalizer(spec, owner) { named = true }.Visit(body)!;
        EquationLanguage.CheckNothingIsFrozenWrongly(rewritten, owner);
        return new ConstantFolder().Visit(rewritten)!;
    }

    /// <summary>A helper applied to arguments: its body with each parameter replaced by its argument, staged in place.</summary>
    protected override Expression VisitInvocation(InvocationExpression node)
    {
        if (OpenFinder.IsOpen(node.Expression) || StagedHelper.Find(Evaluate(node.Expression)) is not { } helper) return base.VisitInvocation(node);
        var source = helper.Source;
        var inlined = source.Body;
        for (var i = 0; i < source.Parameters.Count; i++) inlined = new ParameterReplacer(source.Parameters[i], node.Arguments[i]).Visit(inlined)!;
        var value = Visit(inlined)!;
        appliedHelper = true;
        return named ? StagedHelper.Mark(value, helper, node.Arguments.Select(argument => Visit(argument)!)) : value;
    }

    /// <summary>Arithmetic overflow is an error, not a wrap-around: the SMT translation's integers are unbounded.</summary>
    private sealed class CheckedArithmetic : ExpressionVisitor
    {
        protected override Expression VisitBinary(BinaryExpression node)
        {
            var visited = (BinaryExpression)base.VisitBinary(node);
            return visited.NodeType switch
            {
                ExpressionType.Add => Expression.AddChecked(visited.Left, visited.Right),
                ExpressionType.Subtract => Expression.SubtractChecked(visited.Left, visited.Right),
                ExpressionType.Multiply => Expression.MultiplyChecked(visited.Left, visited.Right),
                _ => visited,
            };
        }

        protected override Expression VisitUnary(UnaryExpression node)
        {
            var visited = (UnaryExpression)base.VisitUnary(node);
            return visited.NodeType == ExpressionType.Negate ? Expression.NegateChecked(visited.Operand) : visited;
        }
    }

    protected override Expression VisitMember(MemberExpression node)
    {
        if (node.Expression is not null && IsSequenceHandle(node.Expression.Type) || IsSequence(node.Expression?.Type)) return VisitSequenceMember(node);
        if (node.Expression is not null && IsHandleType(node.Expression.Type) && node.Member is PropertyInfo property)
        {
            var variable = Handle(node.Expression);
            return property.Name switch
            {
                "Now" => StateRead.MakeValue(variable, Expression.Constant(0), next: false),
                "Next" => StateRead.MakeValue(variable, Expression.Constant(0), next: true),
                "IsDefined" => StateRead.MakeDefined(variable, Expression.Constant(0), next: false),
                "IsDefinedNext" => StateRead.MakeDefined(variable, Expression.Constant(0), next: true),
                _ => throw Unsupported($"member '{property.Name}' of a state-variable handle"),
            };
        }
        return base.VisitMember(node);
    }

    protected override Expression VisitMethodCall(MethodCallExpression node)
    {
        if (node.Object is not null && (IsSequenceHandle(node.Object.Type) || IsSequence(node.Object.Type))) return VisitSequenceCall(node);
        if (node.Method.DeclaringType == typeof(Bounded)) return named ? KeepQuantifier(node) : ExpandQuantifier(node);
        if (node.Method.DeclaringType == typeof(EventCases) && node.Method.Name == nameof(EventCases.Is)) return Visit(MatchCase(node.Arguments[0], node.Arguments[1], Expression.Constant(false)));
        if (node.Method.DeclaringType == typeof(EventCases) && node.Method.Name == nameof(EventCases.IfIs)) return Visit(MatchCase(node.Arguments[0], node.Arguments[1], Expression.Constant(true)));
        if (node.Method.DeclaringType is { IsGenericType: true } chain && chain.GetGenericTypeDefinition() == typeof(CaseChain<>))
        {
            if (node.Method.Name != nameof(CaseChain<int>.Else))
                throw new SpecException($"{owner}: a case analysis 'e.When(…)' must end with '.Else(value)', the value when no case matches");
            return Visit(ExpandCases(node));
        }
        if (node.Method.DeclaringType == typeof(EventCases))
            throw new SpecException($"{owner}: a case analysis 'e.When(…)' must end with '.Else(value)', the value when no case matches");
        if (node.Method.DeclaringType == typeof(Math) && node.Method.Name == nameof(Math.Abs) && node.Type is var type && (type == typeof(int) || type == typeof(long)))
        {
            // |x| as x < 0 ? -x : x, so every use (evaluation, SMT, printing) already understands it; -x is checked, as Math.Abs is.
            var x = Visit(node.Arguments[0]);
            return Expression.Condition(Expression.LessThan(x, Expression.Constant(Activator.CreateInstance(type), type)), Expression.Negate(x), x);
        }
        if (node.Object is not null && IsHandleType(node.Object.Type))
        {
            var variable = Handle(node.Object);
            var index = Visit(node.Arguments[0]);
            if (variable is IComponent)
            {
                var subVariable = (Variable)Evaluate(node.Arguments[1])!;
                var subSpec = ((IComponent)variable).SubSpec;
                if (subVariable.Owner != subSpec)
                    throw new SpecException($"{owner}: '{subVariable.Name}' is not a variable of {variable.Name}'s sub-spec '{subSpec.Name}'");
                return node.Method.Name switch
                {
                    "Now" => StateRead.MakeSubValue(variable, index, subVariable, next: false),
                    "Next" => StateRead.MakeSubValue(variable, index, subVariable, next: true),
                    "IsDefined" => StateRead.MakeSubDefined(variable, index, subVariable, next: false),
                    "IsDefinedNext" => StateRead.MakeSubDefined(variable, index, subVariable, next: true),
                    _ => throw Unsupported($"method '{node.Method.Name}' of a component handle"),
                };
            }
            return node.Method.Name switch
            {
                "Now" => StateRead.MakeValue(variable, index, next: false),
                "Next" => StateRead.MakeValue(variable, index, next: true),
                _ => throw Unsupported($"method '{node.Method.Name}' of a family handle"),
            };
        }
        return base.VisitMethodCall(node);
    }

    /// <summary>Named form: the quantifier as written, its bound folded to a constant, so the printer shows ∀i ∈ 0..n−1: body.</summary>
    private Expression KeepQuantifier(MethodCallExpression node)
    {
        var bound = new ConstantFolder().Visit(Visit(node.Arguments[0]))!;
        return Expression.Call(node.Method, bound, Visit(node.Arguments[1]));
    }

    /// <summary>Bounded.Any/All/Count(n, i => body) becomes body[0/i] || … || body[n−1/i] (and, sum), each instance normalised.</summary>
    private Expression ExpandQuantifier(MethodCallExpression node)
    {
        var boundExpression = Visit(node.Arguments[0]);
        EquationLanguage.CheckNothingIsFrozenWrongly(boundExpression, owner);
        var bound = new ConstantFolder().Visit(boundExpression);
        if (bound is not ConstantExpression { Value: int count })
            throw new SpecException($"{owner}: the bound of Bounded.{node.Method.Name} must be a constant when the spec is built; it reads the event or a state variable");
        if (count is < 0 or > Bounded.MaxCount)
            throw new SpecException($"{owner}: the bound of Bounded.{node.Method.Name} is {count}; it must be 0..{Bounded.MaxCount}");
        if (node.Arguments[1] is not LambdaExpression { Parameters.Count: 1 } body)
            throw new SpecException($"{owner}: Bounded.{node.Method.Name} needs a lambda 'i => ...' as its body (got '{node.Arguments[1]}')");
        appliedHelper = true; // the named form keeps the quantifier
        var instances = Enumerable.Range(0, count)
            .Select(i => Visit(new ParameterReplacer(body.Parameters[0], Expression.Constant(i)).Visit(body.Body))!)
            .ToList();
        return node.Method.Name switch
        {
            nameof(Bounded.Any) => instances.Count == 0 ? Expression.Constant(false) : instances.Aggregate(Expression.OrElse),
            nameof(Bounded.All) => instances.Count == 0 ? Expression.Constant(true) : instances.Aggregate(Expression.AndAlso),
            nameof(Bounded.Count) => instances.Count == 0 ? Expression.Constant(0)
                : instances.Select(i => (Expression)Expression.Condition(i, Expression.Constant(1), Expression.Constant(0))).Aggregate(Expression.Add),
            _ => throw Unsupported($"Bounded.{node.Method.Name}"),
        };
    }

    /// <summary>
    /// e.When((A a) => x).When((B b) => y).Else(z) becomes e is A ? x[(A)e/a] : e is B ? y[(B)e/b] : z — the first
    /// matching case wins, as in a switch.
    /// </summary>
    private Expression ExpandCases(MethodCallExpression elseCall)
    {
        // Walk the chain back from .Else: instance .When calls down to the extension e.When that names the event.
        var lambdas = new List<Expression>();
        var link = elseCall.Object;
        while (link is MethodCallExpression { Object: { } inner } further && further.Method.DeclaringType == elseCall.Method.DeclaringType)
        {
            lambdas.Add(further.Arguments[0]);
            link = inner;
        }
        if (link is not MethodCallExpression first || first.Method.DeclaringType != typeof(EventCases))
            throw new SpecException($"{owner}: a case analysis must be written in place as e.When(…).When(…).Else(…), not built elsewhere and passed in");
        lambdas.Add(first.Arguments[1]);
        // The list runs from the last case to the first, so folding it nests the first case outermost: the first match wins.
        Expression result = elseCall.Arguments[0];
        foreach (var lambda in lambdas) result = MatchCase(first.Arguments[0], lambda, result);
        return result;
    }

    /// <summary>The case <paramref name="lambda"/> (typed parameter T) applied to the event: e is T ? body[(T)e/x] : <paramref name="otherwise"/> (for a predicate, e is T ∧ body, or with IfIs ¬(e is T) ∨ body).</summary>
    private Expression MatchCase(Expression subject, Expression lambda, Expression otherwise)
    {
        if (lambda is not LambdaExpression { Parameters.Count: 1 } typed)
            throw new SpecException($"{owner}: a case needs a lambda with a typed parameter, '(Voted v) => …' (got '{lambda}')");
        var caseType = typed.Parameters[0].Type;
        var test = Expression.TypeIs(subject, caseType);
        var body = new ParameterReplacer(typed.Parameters[0], Expression.Convert(subject, caseType)).Visit(typed.Body)!;
        return otherwise switch
        {
            ConstantExpression { Value: false } when body.Type == typeof(bool) => Expression.AndAlso(test, body),
            ConstantExpression { Value: true } when body.Type == typeof(bool) => Expression.OrElse(Expression.Not(test), body),
            // The case's declared result type: a lambda returning Derived where Base is declared has a body of type Derived.
            _ => Expression.Condition(test, body, otherwise, typed.ReturnType),
        };
    }

    internal sealed class ParameterReplacer(ParameterExpression parameter, Expression replacement) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == parameter ? replacement : node;
    }

    private Variable Handle(Expression handleExpression)
    {
        if (Evaluate(handleExpression) is not Variable variable)
            throw new SpecException($"{owner}: a state-variable handle evaluated to null (declare variables before defining equations that read them)");
        if (variable.Owner != spec)
            throw new SpecException($"{owner}: reads '{variable.Name}', which belongs to another spec; read a component's variables through the component handle");
        return variable;
    }

    private SpecException Unsupported(string construct) =>
        new($"{owner}: unsupported construct {construct}");

    private static bool IsHandleType(Type type) => typeof(Variable).IsAssignableFrom(type);

    /// <summary>Evaluates a closed subexpression (captured handles and values) once, at build time.</summary>
    internal static object? Evaluate(Expression closed) => closed switch
    {
        ConstantExpression constant => constant.Value,
        MemberExpression { Member: FieldInfo field } member => field.GetValue(member.Expression is null ? null : Evaluate(member.Expression)),
        MemberExpression { Member: PropertyInfo property } member => property.GetValue(member.Expression is null ? null : Evaluate(member.Expression)),
        _ => Expression.Lambda<Func<object?>>(Expression.Convert(closed, typeof(object))).Compile(preferInterpretation: true)(),
    };

    /// <summary>Replaces every subtree that mentions no parameter and no state read by its value, and a conditional with a constant test by its chosen branch.</summary>
    internal sealed class ConstantFolder : ExpressionVisitor
    {
        public override Expression? Visit(Expression? node)
        {
            if (node is null || node is ConstantExpression || node is ParameterExpression || node is LambdaExpression) return base.Visit(node);
            if (!OpenFinder.IsOpen(node))
            {
                try
                {
                    return Expression.Constant(Evaluate(node), node.Type);
                }
                catch (Exception ex) when (ex is not SpecException)
                {
                    // Folding must not change when an error happens: leave it to evaluation, which reports it on the event.
                    return base.Visit(node);
                }
            }
            if (node is ConditionalExpression conditional && Visit(conditional.Test) is ConstantExpression { Value: bool test })
                return Visit(test ? conditional.IfTrue : conditional.IfFalse);
            // An event made in place (a refinement's mapped event): its case is known and its fields are the arguments.
            if (node is TypeBinaryExpression { NodeType: ExpressionType.TypeIs } typeTest && Created(typeTest.Expression) is { } made)
                return Expression.Constant(typeTest.TypeOperand.IsAssignableFrom(made.Type));
            if (node is MemberExpression { Expression: { } receiver } field && Created(receiver) is { } creation && Argument(creation, field.Member.Name) is { } argument)
                return Visit(argument.Type == field.Type ? argument : Expression.Convert(argument, field.Type));
            if (node is BinaryExpression { NodeType: ExpressionType.AndAlso or ExpressionType.OrElse } logical)
                return Simplify(logical.NodeType, Visit(logical.Left)!, Visit(logical.Right)!);
            if (node is UnaryExpression { NodeType: ExpressionType.Not } not && Visit(not.Operand) is { } operand)
                return operand is ConstantExpression { Value: bool value } ? Expression.Constant(!value) : Expression.Not(operand);
            return base.Visit(node);
        }
    }

    /// <summary>The event case created by <c>new Case(…)</c>, seen through casts between event types; null for anything else.</summary>
    private static NewExpression? Created(Expression node) => node switch
    {
        NewExpression creation when Alphabet.IsEvent(creation.Type) => creation,
        UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked, Operand: var inner } when Alphabet.IsEvent(node.Type) => Created(inner),
        _ => null,
    };

    /// <summary>The argument a positional record's constructor gives the field named <paramref name="field"/>.</summary>
    private static Expression? Argument(NewExpression creation, string field)
    {
        var parameters = creation.Constructor?.GetParameters() ?? [];
        for (var i = 0; i < parameters.Length; i++)
            if (parameters[i].Name == field) return creation.Arguments[i];
        return null;
    }

    /// <summary>
    /// Drops the constant side of &amp;&amp; and || where that keeps the meaning (expanded quantifiers produce many):
    /// a constant on the left decides or disappears; on the right only the neutral constant disappears, so a left
    /// side that could fail at evaluation is still evaluated.
    /// </summary>
    private static Expression Simplify(ExpressionType type, Expression left, Expression right)
    {
        var isAnd = type == ExpressionType.AndAlso;
        if (left is ConstantExpression { Value: bool l }) return l == isAnd ? right : Expression.Constant(l);
        if (right is ConstantExpression { Value: bool r } && r == isAnd) return left;
        return isAnd ? Expression.AndAlso(left, right) : Expression.OrElse(left, right);
    }

    private sealed class OpenFinder : ExpressionVisitor
    {
        private bool open;

        public static bool IsOpen(Expression node)
        {
            var finder = new OpenFinder();
            finder.Visit(node);
            return finder.open;
        }

        protected override Expression VisitParameter(ParameterExpression node)
        {
            open = true;
            return node;
        }

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            if (node.Method.DeclaringType == typeof(StateRead) || node.Method.DeclaringType == typeof(StagedHelper) || node.Method.DeclaringType == typeof(StagedSequence))
            {
                open = true;
                return node;
            }
            return base.VisitMethodCall(node);
        }
    }
}
