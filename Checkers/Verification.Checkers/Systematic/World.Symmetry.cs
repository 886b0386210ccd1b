using Verification.Runtime;

namespace Verification.Checkers.Systematic;

// Node-permutation symmetry: a world renamed by a permutation of node ids (kept apart from World.cs so the two
// evolve without stepping on each other; everything a key reads must be renamed here).
internal sealed partial class World<TState, TMessage, TTimer, TDurable, TSpecEvent>
{
    /// <summary>
    /// Makes this world <paramref name="source"/> with node i renamed to π(i) everywhere the state key reads a node:
    /// states, persisted states, status, timers and deadlines, in-flight messages (sender, addressee, contents),
    /// the partition, the failure detector's rows, and the spec's values. Budgets per role are unchanged, since a
    /// symmetric set lies inside one role.
    /// </summary>
    public void CopyPermuted(World<TState, TMessage, TTimer, TDurable, TSpecEvent> source, NodePermutation π, NodeSymmetry<TState, TMessage, TTimer, TDurable> symmetry, SpecRenaming<TSpecEvent> spec)
    {
        CopyFrom(source);
        for (var i = 0; i < states.Length; i++)
        {
            var to = π[i];
            states[to] = source.states[i] is { } state ? symmetry.State(state, π) : null;
            persisted[to] = source.persisted[i] is { } durable ? symmetry.Durable(durable, π) : null;
            status[to] = source.status[i];
            if (symmetry.Timer is null || source.timers[i].Length == 0)
            {
                timers[to] = source.timers[i];
                deadlines[to] = source.deadlines[i];
            }
            else
            {
                // Renamed timers may sort differently: keep each deadline with its timer.
                var pairs = source.timers[i].Select((timer, t) => (Timer: symmetry.Timer(timer, π), Deadline: source.deadlines[i][t])).ToList();
                pairs.Sort((a, b) => TimerOrder.Compare(a.Timer, b.Timer));
                timers[to] = pairs.Select(p => p.Timer).ToArray();
                deadlines[to] = pairs.Select(p => p.Deadline).ToArray();
            }
        }
        for (var m = 0; m < inFlight.Count; m++)
        {
            var envelope = source.inFlight[m];
            inFlight[m] = envelope with { From = π[envelope.From], To = π[envelope.To], Message = symmetry.Message(envelope.Message, π) };
        }
        partitionMask = RenamedPartition(source.partitionMask, π);
        for (var s = 0; s < suspected.Length; s++) suspected[π[s]] = RenamedBits(source.suspected[s], π);
        everSuspected = RenamedBits(source.everSuspected, π);
        spec.Rename(Monitor.Evaluator, π);
        CopyIgnoredPermuted(source, π, symmetry);
    }

    public int NodeCount => states.Length;

    public TState? StateOf(int node) => states[node];

    public int StatusOf(int node) => (int)status[node];

    private static long RenamedBits(long bits, NodePermutation π)
    {
        long renamed = 0;
        for (var n = 0; n < π.Nodes; n++)
            if (((bits >> n) & 1) == 1) renamed |= 1L << π[n];
        return renamed;
    }

    /// <summary>A partition's side renamed, then written as the enumeration writes it: the side holding the lowest partitionable node.</summary>
    private int RenamedPartition(int mask, NodePermutation π)
    {
        if (mask == 0) return 0;
        var renamed = (int)RenamedBits(mask, π);
        var cuttable = 0;
        for (var n = 0; n < status.Length; n++)
            if (Partitionable(n)) cuttable |= 1 << n;
        return (renamed & (cuttable & -cuttable)) != 0 ? renamed : cuttable & ~renamed;
    }

    /// <summary>
    /// The action of <paramref name="renamed"/> (this world renamed by π, by <see cref="CopyPermuted"/>) that
    /// corresponds to <paramref name="action"/> of this world; null when there is none (a timer the renaming lost).
    /// </summary>
    public ScheduledAction? RenamedAction(ScheduledAction action, NodePermutation π, World<TState, TMessage, TTimer, TDurable, TSpecEvent> renamed, NodeSymmetry<TState, TMessage, TTimer, TDurable> symmetry)
    {
        switch (action.Kind)
        {
            case ActionKind.Deliver or ActionKind.Drop or ActionKind.Duplicate:
                return action with { Node = π[action.Node] }; // in-flight messages keep their positions
            case ActionKind.Fire:
                var timer = timers[action.Node][action.Item];
                var renamedTimer = symmetry.Timer is null ? timer : symmetry.Timer(timer, π);
                var at = Array.FindIndex(renamed.timers[π[action.Node]], t => EqualityComparer<TTimer>.Default.Equals(t, renamedTimer));
                return at < 0 ? null : action with { Node = π[action.Node], Item = at };
            case ActionKind.Crash or ActionKind.Recover:
                return action with { Node = π[action.Node] };
            case ActionKind.Partition:
                return action with { Item = RenamedPartition(action.Item, π) };
            case ActionKind.Report:
                return action with { Node = π[action.Node], Item = 2 * π[action.Item >> 1] + (action.Item & 1) };
            default:
                return action;
        }
    }
}
