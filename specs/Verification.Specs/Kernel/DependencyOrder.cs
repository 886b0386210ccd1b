using System.Linq.Expressions;

namespace Verification.Specs;

/// <summary>Collects the state reads of a staged expression.</summary>
internal sealed class ReadCollector : ExpressionVisitor
{
    private readonly List<StagedRead> reads = [];

    public static IReadOnlyList<StagedRead> Collect(Expression body)
    {
        var collector = new ReadCollector();
        collector.Visit(body);
        return collector.reads;
    }

    protected override Expression VisitMethodCall(MethodCallExpression node)
    {
        if (StagedRead.TryDecode(node, out var site))
        {
            reads.Add(site);
            Visit(site.Index);
            return node;
        }
        return base.VisitMethodCall(node);
    }
}

/// <summary>
/// Derives the order in which one step evaluates the variables. y(σe) may read other variables after the event
/// (x(σe)), so x must be computed first; reads of values before the event impose no order. A cycle of
/// after-the-event reads has no solution by primitive recursion and is rejected, naming the variables on it.
/// </summary>
internal static class DependencyOrder
{
    public static IReadOnlyList<Variable> Derive(ISpec spec, IReadOnlyList<Variable> variables, IReadOnlyDictionary<Variable, Equation> equations)
    {
        var dependsOn = variables.ToDictionary(
            v => v,
            v => ReadCollector.Collect(equations[v].Body).Where(r => r.Next).Select(r => r.Variable).Distinct().ToList());
        var order = new List<Variable>();
        var state = new Dictionary<Variable, int>(); // 1 = on the current path, 2 = done
        var path = new List<Variable>();

        void Visit(Variable variable)
        {
            if (state.TryGetValue(variable, out var mark))
            {
                if (mark == 2) return;
                var cycle = path.Skip(path.IndexOf(variable)).Append(variable).Select(v => v.Name);
                throw new SpecException($"spec '{spec.Name}': the equations form a cycle through values after the event: {string.Join(" -> ", cycle)} (each reads the next one's (σe) value)");
            }
            state[variable] = 1;
            path.Add(variable);
            foreach (var dependency in dependsOn[variable]) Visit(dependency);
            path.RemoveAt(path.Count - 1);
            state[variable] = 2;
            order.Add(variable);
        }

        foreach (var variable in variables) Visit(variable);
        return order;
    }
}
