using Verification.Runtime;
using Verification.Specs;

namespace Verification.Checkers.Systematic;

/// <summary>
/// How a node renaming acts on a spec's state, from a symmetry's declarations: families indexed by nodes have their
/// members moved, variables valued in nodes have their values renamed, and the rest stay. Built once per search;
/// refuses a declaration that leaves a variable out, names one the spec lacks, or indexes a family by only part of a set.
/// </summary>
internal sealed class SpecRenaming<TSpecEvent> where TSpecEvent : class
{
    private readonly List<(Variable Family, SpecIndexedByNodes Declared)> indexed = [];
    private readonly List<(Variable Variable, int FirstNode)> valued = [];
    private readonly int[] destination;

    public SpecRenaming(Spec<TSpecEvent> spec, IReadOnlyList<IReadOnlyList<int>> sets, IReadOnlyList<SpecIndexedByNodes> indexedDeclarations,
        IReadOnlyList<SpecNodeValued> valuedDeclarations, IReadOnlyList<string> unaffected, string symmetry)
    {
        var declared = new Dictionary<string, string>();
        Variable Find(string name, string how)
        {
            var variable = spec.Variables.FirstOrDefault(v => v.Name == name)
                ?? throw new ConfigurationException($"{symmetry}: the spec '{spec.Name}' has no variable '{name}' (declared {how}); its variables are {string.Join(", ", spec.Variables.Select(v => v.Name))}");
            if (!declared.TryAdd(name, how)) throw new ConfigurationException($"{symmetry}: spec variable '{name}' is declared twice ({declared[name]} and {how})");
            return variable;
        }
        foreach (var declaration in indexedDeclarations)
        {
            var family = Find(declaration.Variable, "indexed by nodes");
            if (family.Kind == VariableKind.Component) throw new ConfigurationException($"{symmetry}: spec variable '{family.Name}' is a component array, whose members cannot be renamed");
            if (declaration.Stride < 1 || family.Count % declaration.Stride != 0)
                throw new ConfigurationException($"{symmetry}: spec family '{family.Name}' has {family.Count} members, not a whole number of {declaration.Stride} per node");
            // The nodes the family covers must hold every node of a set or none of it, or a renaming would move a member out of range.
            var first = declaration.FirstNode;
            var last = first + family.Count / declaration.Stride - 1;
            foreach (var set in sets)
            {
                var inside = set.Count(n => n >= first && n <= last);
                if (inside != 0 && inside != set.Count)
                    throw new ConfigurationException($"{symmetry}: spec family '{family.Name}' is indexed by nodes n{first}..n{last}, which holds only part of the set {{{string.Join(",", set.Select(n => $"n{n}"))}}}");
            }
            indexed.Add((family, declaration));
        }
        foreach (var declaration in valuedDeclarations)
        {
            var variable = Find(declaration.Variable, "valued in nodes");
            if (variable.Kind == VariableKind.Component || !(variable.ValueType == typeof(int) || variable.ValueType == typeof(long)))
                throw new ConfigurationException($"{symmetry}: spec variable '{variable.Name}' holds {variable.ValueType.Name}, not node numbers (int), so its values cannot be renamed");
            valued.Add((variable, declaration.FirstNode));
        }
        foreach (var name in unaffected) Find(name, "unaffected");
        var missing = spec.Variables.Where(v => !declared.ContainsKey(v.Name)).Select(v => v.Name).ToList();
        if (missing.Count > 0)
            throw new ConfigurationException($"{symmetry}: spec '{spec.Name}' variable(s) {string.Join(", ", missing)} not declared: say whether each is indexed by the nodes, valued in them, or unaffected");
        destination = new int[spec.Variables.Count == 0 ? 0 : spec.Variables.Max(v => v.Count)];
    }

    /// <summary>Renames the evaluator's current state by π.</summary>
    public void Rename(Evaluator<TSpecEvent> evaluator, NodePermutation π)
    {
        foreach (var (family, declared) in indexed)
        {
            var moved = destination.AsSpan(0, family.Count);
            for (var i = 0; i < family.Count; i++)
            {
                var node = declared.FirstNode + i / declared.Stride;
                moved[i] = node < π.Nodes ? (π[node] - declared.FirstNode) * declared.Stride + i % declared.Stride : i;
            }
            evaluator.PermuteMembers(family, moved);
        }
        foreach (var (variable, firstNode) in valued)
            evaluator.MapNumbers(variable, value => value is < 0 or > int.MaxValue ? value : π.Relative((int)value, firstNode));
    }
}
