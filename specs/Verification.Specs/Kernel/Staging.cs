using System.Linq.Expressions;

namespace Verification.Specs;

/// <summary>Helpers shared by the uses of a staged expression.</summary>
internal static class Staging
{
    /// <summary>
    /// One instance of a staged body: the event parameter replaced by <paramref name="evt"/>, the index parameter by
    /// the constant <paramref name="index"/>, then closed subterms folded (so <c>i == 0 ? x : u.Now(i - 1, L)</c>
    /// at i = 0 keeps only x).
    /// </summary>
    public static Expression Instantiate(Expression body, ParameterExpression? eventParameter, Expression? evt, ParameterExpression? indexParameter, int index)
    {
        var substituted = new Substitution(eventParameter, evt, indexParameter, Expression.Constant(index)).Visit(body);
        return new Normalizer.ConstantFolder().Visit(substituted)!;
    }

    private sealed class Substitution(ParameterExpression? eventParameter, Expression? evt, ParameterExpression? indexParameter, Expression index) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) =>
            node == eventParameter && evt is not null ? evt : node == indexParameter ? index : node;
    }
}
