using System.Runtime.InteropServices;
using Verification.Runtime;

namespace Verification.Checkers.Systematic;

// Copying the messages in flight from another world (kept apart from World.cs so that the two evolve without
// stepping on each other).
internal sealed partial class World<TState, TMessage, TTimer, TDurable, TSpecEvent>
{
    /// <summary>Makes the messages in flight <paramref name="source"/>'s, in order, writing only the envelopes that differ (see <see cref="ChangedCopy"/>).</summary>
    private void CopyInFlightFrom(World<TState, TMessage, TTimer, TDurable, TSpecEvent> source)
    {
        var from = CollectionsMarshal.AsSpan(source.inFlight);
        CollectionsMarshal.SetCount(inFlight, from.Length);
        var to = CollectionsMarshal.AsSpan(inFlight);
        var byValue = typeof(TMessage).IsValueType; // a struct message has no reference to compare: always written
        for (var i = 0; i < from.Length; i++)
        {
            ref readonly var envelope = ref from[i];
            ref var held = ref to[i];
            if (byValue || held.Id != envelope.Id || !ReferenceEquals(held.Message, envelope.Message) || held.From != envelope.From || held.To != envelope.To || held.SentAt != envelope.SentAt)
                held = envelope;
        }
    }

    /// <summary>
    /// The world this one was last made a copy of, and that world's <see cref="version"/> then; the nodes whose state,
    /// persisted state, status, timers, deadlines, detector row or last ignored message changed here since (a bit per
    /// node; all set: unknown). A search copies a state before each of its transitions onto one scratch world, which
    /// each transition changes in one node: copying it back means writing that node, not comparing every node's entries.
    /// </summary>
    private World<TState, TMessage, TTimer, TDurable, TSpecEvent>? copiedFrom;
    private long copiedVersion;
    /// <summary>The spec's length (events so far) when the monitor was last copied.</summary>
    private long specLengthWhenCopied = -1;
    private ulong changedNodes = AllNodes;

    /// <summary>Counts every change to this world (a copy into it, a step, a start), so a world copied from it can tell it still holds what it copied.</summary>
    private long version;

    private const ulong AllNodes = ulong.MaxValue;

    private void Changed(int node)
    {
        version++;
        changedNodes |= node is >= 0 and < 64 ? 1UL << node : AllNodes;
    }

    private void ChangedAll()
    {
        version++;
        changedNodes = AllNodes;
    }

    /// <summary>Records that this world, unchanged, equals <paramref name="copy"/>, which was just made a copy of it.</summary>
    private void NoteCopyOf(World<TState, TMessage, TTimer, TDurable, TSpecEvent> copy) =>
        (copiedFrom, copiedVersion, changedNodes, specLengthWhenCopied) = (copy, copy.version, 0, Monitor.Evaluator.Length);

    /// <summary>
    /// When this world was last copied from <paramref name="source"/>, which has not changed since, and since then only
    /// some nodes changed here: writes those nodes' per-node arrays back from it and says so (true). Otherwise false,
    /// and the caller copies every node. Either way this world is now <paramref name="source"/>'s copy.
    /// </summary>
    private bool RestoreChangedNodes(World<TState, TMessage, TTimer, TDurable, TSpecEvent> source)
    {
        var restorable = ReferenceEquals(copiedFrom, source) && copiedVersion == source.version && changedNodes != AllNodes;
        if (restorable)
            for (var changed = changedNodes; changed != 0; changed &= changed - 1)
            {
                var node = System.Numerics.BitOperations.TrailingZeroCount(changed);
                ChangedCopy.Set(states, node, source.states[node]);
                ChangedCopy.Set(persisted, node, source.persisted[node]);
                status[node] = source.status[node];
                ChangedCopy.Set(timers, node, source.timers[node]);
                ChangedCopy.Set(deadlines, node, source.deadlines[node]);
                if (suspected.Length > 0) suspected[node] = source.suspected[node];
                if (source.ignoredEarlier is { } ignored) (ignoredEarlier ??= new (NodeId, TMessage)?[states.Length])[node] = ignored[node];
                else if (ignoredEarlier is not null) ignoredEarlier[node] = null;
            }
        version++;
        (copiedFrom, copiedVersion, changedNodes) = (source, source.version, 0);
        return restorable;
    }
}
