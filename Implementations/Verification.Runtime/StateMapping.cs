using Verification.Specs;

namespace Verification.Runtime;

/// <summary>What a state mapping reads of the running system: each node's current state (null while it is down) and what it last persisted.</summary>
public sealed class SystemView<TState, TDurable> where TState : class where TDurable : class
{
    private readonly IReadOnlyList<TState?> states;
    private readonly IReadOnlyList<TDurable?> persisted;

    /// <summary>A view over the given states and persisted states, indexed by node.</summary>
    public SystemView(IReadOnlyList<TState?> states, IReadOnlyList<TDurable?> persisted)
    {
        if (states.Count != persisted.Count) throw new ArgumentException("one state and one persisted state per node");
        this.states = states;
        this.persisted = persisted;
    }

    /// <summary>The number of nodes.</summary>
    public int Nodes => states.Count;

    /// <summary>Node <paramref name="node"/>'s state, or null while it is down.</summary>
    public TState? State(int node) => states[node];

    /// <summary>What node <paramref name="node"/> last persisted, or null if nothing.</summary>
    public TDurable? Persisted(int node) => persisted[node];
}

/// <summary>
/// A refinement mapping from an implementation's global state to its spec's variables (Abadi and Lamport): after
/// every step, the spec's state — reached by the events the nodes observed — must equal what the nodes' states map
/// to. This is how a property of node-local state (a replica's executed commands, a server's log) is stated in the
/// spec world: the spec says what must hold of its variables, the mapping says how node states realise them, and a
/// node that reports correctly but keeps a state that does not match is caught at the step it diverges.
/// </summary>
public sealed class StateMapping<TState, TDurable> where TState : class where TDurable : class
{
    private readonly List<(Variable Variable, Func<SystemView<TState, TDurable>, int, object?> Value)> entries = [];

    /// <summary>The spec's scalar <paramref name="variable"/> is <paramref name="value"/> of the system's state.</summary>
    public StateMapping<TState, TDurable> Maps<T>(Var<T> variable, Func<SystemView<TState, TDurable>, T> value) =>
        Add(variable, (view, _) => value(view));

    /// <summary>Each member i of the spec's <paramref name="family"/> is <paramref name="value"/>(system, i).</summary>
    public StateMapping<TState, TDurable> Maps<T>(Family<T> family, Func<SystemView<TState, TDurable>, int, T> value) =>
        Add(family, (view, index) => value(view, index));

    private StateMapping<TState, TDurable> Add(Variable variable, Func<SystemView<TState, TDurable>, int, object?> value)
    {
        if (entries.Any(e => e.Variable == variable)) throw new SpecException($"state mapping: '{variable.Name}' is mapped twice");
        entries.Add((variable, value));
        return this;
    }

    /// <summary>The mapped variables, each with how to compute member i.</summary>
    public IReadOnlyList<(Variable Variable, Func<SystemView<TState, TDurable>, int, object?> Value)> Entries => entries;

    /// <summary>Rejects a mapping of a variable the spec does not have, before anything runs.</summary>
    public void CheckAgainst(ISpec spec)
    {
        foreach (var (variable, _) in entries)
            if (!spec.Variables.Contains(variable))
                throw new SpecException($"state mapping: '{variable.Name}' is not a variable of spec '{spec.Name}'");
    }

    /// <summary>
    /// The first member whose spec value differs from its mapped value, as (member name, spec value, mapped value);
    /// null when all agree. A mapping that throws is reported as the node code's failure would be: it propagates.
    /// </summary>
    public (string Member, object? SpecValue, object? Mapped)? FirstDifference(SystemView<TState, TDurable> view, Func<Variable, int, object?> specValue)
    {
        foreach (var (variable, value) in entries)
            for (var i = 0; i < variable.Count; i++)
            {
                var mapped = value(view, i);
                var expected = specValue(variable, i);
                if (!Equals(mapped, expected)) return (variable.MemberName(i), expected, mapped);
            }
        return null;
    }
}
