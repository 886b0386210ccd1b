using System.Linq.Expressions;

namespace Verification.Specs;

/// <summary>
/// Staging of sequence operations. A sequence-valued expression (a variable's Now/Next, Append, Take, a conditional
/// or case analysis between sequences, a helper, a constant) is never a value of the staged language; it is lowered
/// to its length and a function from a position to the value there, and every operation that yields an ordinary
/// value (Length, At, Last, IsPrefixOf, Contains, Count, Any, All, ==) is expanded over the sequence's bound into
/// plain formulas over the stored lengths and slots. In the named form (for the printer) the operations stay as written.
/// </summary>
internal sealed partial class Normalizer
{
    /// <summary>A sequence as staging sees it: its length, its value at a position (default(T) past the end), and how many positions can hold a value.</summary>
    private sealed record Lowered(Expression Length, Func<Expression, Expression> At, int Bound, Type ElementType);

    private static bool IsSequence(Type? type) => type is { IsGenericType: true } && type.GetGenericTypeDefinition() == typeof(Seq<>);

    private static bool IsSequenceHandle(Type type) => typeof(SequenceVariable).IsAssignableFrom(type);

    private Expression VisitSequenceMember(MemberExpression node)
    {
        if (IsSequenceHandle(node.Expression!.Type))
        {
            if (named) return ReadSequence(node.Expression, Expression.Constant(0), node.Member.Name);
            throw NotAValue($"{SequenceHandle(node.Expression).Name}.{node.Member.Name}");
        }
        if (named) return base.VisitMember(node);
        var sequence = Lower(node.Expression);
        return node.Member.Name switch
        {
            nameof(Seq<int>.Length) => sequence.Length,
            nameof(Seq<int>.Last) => sequence.At(Expression.Subtract(sequence.Length, Expression.Constant(1))),
            _ => throw Unsupported($"member '{node.Member.Name}' of a sequence"),
        };
    }

    private Expression VisitSequenceCall(MethodCallExpression node)
    {
        if (IsSequenceHandle(node.Object!.Type))
        {
            if (named) return ReadSequence(node.Object, Visit(node.Arguments[0]), node.Method.Name);
            throw NotAValue($"{SequenceHandle(node.Object).Name}.{node.Method.Name}({node.Arguments[0]})");
        }
        if (named) return base.VisitMethodCall(node);
        switch (node.Method.Name)
        {
            case nameof(Seq<int>.At):
                return Lower(node.Object).At(Visit(node.Arguments[0]));
            case nameof(Seq<int>.IsPrefixOf):
                {
                    var (shorter, longer) = (Lower(node.Object), Lower(node.Arguments[0]));
                    return Expression.AndAlso(Expression.LessThanOrEqual(shorter.Length, longer.Length), AllPositions(shorter, k => Expression.Equal(shorter.At(k), longer.At(k))));
                }
            case nameof(Seq<int>.Contains):
                {
                    var sequence = Lower(node.Object);
                    var value = Visit(node.Arguments[0]);
                    return AnyPosition(sequence, k => Expression.Equal(sequence.At(k), value));
                }
            case nameof(Seq<int>.Any) or nameof(Seq<int>.All) or nameof(Seq<int>.Count):
                {
                    var sequence = Lower(node.Object);
                    if (node.Arguments[0] is not LambdaExpression { Parameters.Count: 1 } predicate)
                        throw new SpecException($"{owner}: {node.Method.Name} on a sequence needs a lambda 'v => ...' (got '{node.Arguments[0]}')");
                    Expression holdsAt(Expression k) => Visit(new ParameterReplacer(predicate.Parameters[0], sequence.At(k)).Visit(predicate.Body))!;
                    return node.Method.Name switch
                    {
                        nameof(Seq<int>.Any) => AnyPosition(sequence, holdsAt),
                        nameof(Seq<int>.All) => AllPositions(sequence, holdsAt),
                        _ => Enumerable.Range(0, sequence.Bound)
                            .Select(k => (Expression)Expression.Condition(Expression.AndAlso(Expression.LessThan(Expression.Constant(k), sequence.Length), holdsAt(Expression.Constant(k))),
                                Expression.Constant(1), Expression.Constant(0)))
                            .DefaultIfEmpty(Expression.Constant(0)).Aggregate(Expression.Add),
                    };
                }
            case nameof(Seq<int>.Append) or nameof(Seq<int>.Take):
                throw NotAValue($"….{node.Method.Name}({node.Arguments[0]})");
            case nameof(Equals):
                return SameSequence(Lower(node.Object), Lower(node.Arguments[0]));
            default:
                throw Unsupported($"method '{node.Method.Name}' of a sequence");
        }
    }

    protected override Expression VisitBinary(BinaryExpression node)
    {
        if (named || !IsSequence(node.Left.Type)) return base.VisitBinary(node);
        var same = node.NodeType switch
        {
            ExpressionType.Equal or ExpressionType.NotEqual => SameSequence(Lower(node.Left), Lower(node.Right)),
            _ => throw Unsupported($"the operator {node.NodeType} on sequences"),
        };
        return node.NodeType == ExpressionType.Equal ? same : Expression.Not(same);
    }

    private static Expression SameSequence(Lowered left, Lowered right)
    {
        var longest = left.Bound >= right.Bound ? left : right;
        return Expression.AndAlso(Expression.Equal(left.Length, right.Length), AllPositions(longest, k => Expression.Equal(left.At(k), right.At(k))));
    }

    /// <summary>∀ k &lt; |s|: holds(k), over the positions that can hold a value.</summary>
    private static Expression AllPositions(Lowered sequence, Func<Expression, Expression> holds) =>
        Enumerable.Range(0, sequence.Bound)
            .Select(k => (Expression)Expression.OrElse(Expression.GreaterThanOrEqual(Expression.Constant(k), sequence.Length), holds(Expression.Constant(k))))
            .DefaultIfEmpty(Expression.Constant(true)).Aggregate(Expression.AndAlso);

    /// <summary>∃ k &lt; |s|: holds(k).</summary>
    private static Expression AnyPosition(Lowered sequence, Func<Expression, Expression> holds) =>
        Enumerable.Range(0, sequence.Bound)
            .Select(k => (Expression)Expression.AndAlso(Expression.LessThan(Expression.Constant(k), sequence.Length), holds(Expression.Constant(k))))
            .DefaultIfEmpty(Expression.Constant(false)).Aggregate(Expression.OrElse);

    /// <summary>Lowers a sequence-valued expression as written by the user (not yet visited).</summary>
    private Lowered Lower(Expression node)
    {
        switch (node)
        {
            case MemberExpression { Expression: { } handle } member when IsSequenceHandle(handle.Type):
                return LowerRead(handle, Expression.Constant(0), member.Member.Name);
            case MethodCallExpression { Object: { } handle } call when IsSequenceHandle(handle.Type):
                return LowerRead(handle, Visit(call.Arguments[0]), call.Method.Name);
            case MethodCallExpression { Object: { } receiver, Method.Name: nameof(Seq<int>.Append) } append when IsSequence(receiver.Type):
                {
                    var before = Lower(receiver);
                    var value = Visit(append.Arguments[0]);
                    return new Lowered(Expression.Add(before.Length, Expression.Constant(1)),
                        k => Expression.Condition(Expression.Equal(k, before.Length), value, before.At(k)), before.Bound + 1, before.ElementType);
                }
            case MethodCallExpression { Object: { } receiver, Method.Name: nameof(Seq<int>.Take) } take when IsSequence(receiver.Type):
                {
                    var before = Lower(receiver);
                    var count = Visit(take.Arguments[0]);
                    var length = Min(before.Length, Max(count, Expression.Constant(0)));
                    // Positions past the new end go back to default(T), so equal sequences are equal states.
                    return new Lowered(length, k => Expression.Condition(Expression.LessThan(k, length), before.At(k), Default(before.ElementType)), before.Bound, before.ElementType);
                }
            case ConditionalExpression conditional:
                {
                    var test = Visit(conditional.Test);
                    var (ifTrue, ifFalse) = (Lower(conditional.IfTrue), Lower(conditional.IfFalse));
                    return new Lowered(Expression.Condition(test, ifTrue.Length, ifFalse.Length),
                        k => Expression.Condition(test, ifTrue.At(k), ifFalse.At(k)), Math.Max(ifTrue.Bound, ifFalse.Bound), ifTrue.ElementType);
                }
            case MethodCallExpression call when call.Method.DeclaringType is { IsGenericType: true } chain && chain.GetGenericTypeDefinition() == typeof(CaseChain<>)
                                                && call.Method.Name == nameof(CaseChain<int>.Else):
                return Lower(ExpandCases(call));
            case InvocationExpression invocation when !OpenFinder.IsOpen(invocation.Expression) && StagedHelper.Find(Evaluate(invocation.Expression)) is { } helper:
                {
                    var inlined = helper.Source.Body;
                    for (var i = 0; i < helper.Source.Parameters.Count; i++) inlined = new ParameterReplacer(helper.Source.Parameters[i], invocation.Arguments[i]).Visit(inlined)!;
                    appliedHelper = true;
                    return Lower(inlined);
                }
            case UnaryExpression { NodeType: ExpressionType.Convert, Operand: var operand } when operand.Type == node.Type:
                return Lower(operand);
        }
        if (!OpenFinder.IsOpen(node) && !HandleFinder.Mentions(node))
        {
            EquationLanguage.CheckNothingIsFrozenWrongly(node, owner);
            if (Evaluate(node) is not ISequenceValue constant) throw new SpecException($"{owner}: the sequence '{node}' is null");
            var elementType = node.Type.GetGenericArguments()[0];
            var values = Enumerable.Range(0, constant.Length).Select(constant.BoxedAt).ToList();
            return new Lowered(Expression.Constant(constant.Length), k => k is ConstantExpression { Value: int at }
                ? Expression.Constant(at >= 0 && at < values.Count ? values[at] : Seq.DefaultOf(elementType), elementType)
                : values.Select((v, i) => (v, i)).Reverse().Aggregate(Default(elementType), (rest, slot) =>
                    Expression.Condition(Expression.Equal(k, Expression.Constant(slot.i)), Expression.Constant(slot.v, elementType), rest)), constant.Length, elementType);
        }
        throw new SpecException($"{owner}: unsupported sequence expression '{node}'; a sequence is a sequence variable's Now/Next, s.Append(v), s.Take(n), " +
            "a conditional or a typed-case analysis between sequences, a helper returning one, or a constant");
    }

    /// <summary>Sequence s of a handle before or after the event: its stored length, and slot s·Bound + k at position k.</summary>
    private Lowered LowerRead(Expression handleExpression, Expression index, string accessor)
    {
        var sequence = SequenceHandle(handleExpression);
        appliedHelper = true; // the named form shows the sequence operations as written
        var next = accessor switch
        {
            "Now" => false,
            "Next" => true,
            _ => throw Unsupported($"member '{accessor}' of a sequence-variable handle"),
        };
        var bound = sequence.Bound;
        var elementType = sequence.ElementType;
        Expression slot(Expression k) => k is ConstantExpression { Value: int at } && index is ConstantExpression { Value: int s }
            ? Expression.Constant(s * bound + at)
            : Expression.Add(Expression.Multiply(index, Expression.Constant(bound)), k);
        return new Lowered(StateRead.MakeValue(sequence.Lengths, index, next), k => k is ConstantExpression { Value: int at }
            ? at >= 0 && at < bound ? StateRead.MakeValue(sequence.Slots, slot(k), next) : Default(elementType)
            : Expression.Condition(Expression.AndAlso(Expression.GreaterThanOrEqual(k, Expression.Constant(0)), Expression.LessThan(k, Expression.Constant(bound))),
                StateRead.MakeValue(sequence.Slots, slot(k), next), Default(elementType)), bound, elementType);
    }

    /// <summary>Named form: a read of sequence s, marked for the printer.</summary>
    private Expression ReadSequence(Expression handleExpression, Expression index, string accessor)
    {
        var sequence = SequenceHandle(handleExpression);
        appliedHelper = true;
        return accessor switch
        {
            "Now" => StagedSequence.Make(sequence, index, next: false),
            "Next" => StagedSequence.Make(sequence, index, next: true),
            _ => throw Unsupported($"member '{accessor}' of a sequence-variable handle"),
        };
    }

    private SequenceVariable SequenceHandle(Expression handleExpression)
    {
        if (Evaluate(handleExpression) is not SequenceVariable sequence)
            throw new SpecException($"{owner}: a sequence-variable handle evaluated to null (declare sequences before defining equations that read them)");
        if (sequence.Lengths.Owner != spec)
            throw new SpecException($"{owner}: reads sequence '{sequence.Name}', which belongs to another spec");
        return sequence;
    }

    private SpecException NotAValue(string what) =>
        new($"{owner}: '{what}' is a whole sequence where one value is needed; a sequence is kept in a sequence variable (spec.Sequence) " +
            "and read through Length, At(i), Last, IsPrefixOf, Contains, Count, Any, All or ==");

    private static Expression Default(Type type) => Expression.Constant(Seq.DefaultOf(type), type);

    private static Expression Min(Expression a, Expression b) => Expression.Call(typeof(Math).GetMethod(nameof(Math.Min), [typeof(int), typeof(int)])!, a, b);

    private static Expression Max(Expression a, Expression b) => Expression.Call(typeof(Math).GetMethod(nameof(Math.Max), [typeof(int), typeof(int)])!, a, b);

    /// <summary>Whether an expression reads a state-variable or sequence handle (such an expression is not a constant even when it has no parameter).</summary>
    private sealed class HandleFinder : ExpressionVisitor
    {
        private bool found;

        public static bool Mentions(Expression node)
        {
            var finder = new HandleFinder();
            finder.Visit(node);
            return finder.found;
        }

        protected override Expression VisitMember(MemberExpression node)
        {
            if (node.Expression is not null && (IsSequenceHandle(node.Expression.Type) || typeof(Variable).IsAssignableFrom(node.Expression.Type))) found = true;
            return base.VisitMember(node);
        }

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            if (node.Object is not null && (IsSequenceHandle(node.Object.Type) || typeof(Variable).IsAssignableFrom(node.Object.Type))) found = true;
            return base.VisitMethodCall(node);
        }
    }
}
