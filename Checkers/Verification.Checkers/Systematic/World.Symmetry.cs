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
        ChangedAll(); // every node renamed
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

    /// <summary>A node's timers renamed, in the order the world keeps them (their text order).</summary>
    internal static TTimer[] RenamedTimers(TTimer[] timers, NodePermutation π, Func<TTimer, NodePermutation, TTimer> rename)
    {
        var renamed = new TTimer[timers.Length];
        for (var t = 0; t < timers.Length; t++) renamed[t] = rename(timers[t], π);
        Array.Sort(renamed, TimerOrder);
        return renamed;
    }

    /// <summary>
    /// Writes the key <see cref="WriteKey"/> would write for this world renamed by <paramref name="renaming"/> (what
    /// <see cref="CopyPermuted"/> makes), straight from this world: slot j reads node π⁻¹(j), values enter as their
    /// renamed numbers (remembered by <paramref name="keys"/>), the spec's key is moved and renamed in place. Must
    /// follow <see cref="WriteKey"/> field by field; the search checks the two agree on its sample of transitions.
    /// </summary>
    public void WritePermutedKey(SymmetryKeys<TState, TMessage, TTimer, TDurable, TSpecEvent> keys, SymmetryKeys<TState, TMessage, TTimer, TDurable, TSpecEvent>.Renaming renaming, ValueNumbering numbering)
    {
        if (renaming.IsIdentity)
        {
            WriteKey(numbering);
            return;
        }
        var π = renaming.Permutation;
        var inverse = renaming.Inverse;
        var (specNumbers, specObjects) = specKeySize ??= Monitor.Evaluator.KeySize();
        var writer = numbering.Writer;
        writer.Clear();
        var key = writer.Reserve(KeyNumbersAtMost(specNumbers + specObjects));
        var at = KeyWriter.Put(key, 0, 2L * RenamedPartition(partitionMask, π) + (FaultsEnabled ? 1 : 0));
        at = WriteBudgets(key, at); // per role, and a symmetric set lies inside one role
        // (No normaliser: a protocol with one cannot declare node symmetry.)
        for (var slot = 0; slot < states.Length; slot++)
        {
            var node = inverse[slot]; // nodes of one set share a fault role, so the durable's condition reads the same at either
            var state = states[node];
            at = KeyWriter.Put(key, at, 4L * keys.RenamedState(renaming, numbering.Number(state), state, numbering) + (long)status[node]);
            var durable = status[node] == NodeStatus.Down || (anyAmnesia && AmnesiaPossible(node)) ? persisted[node] : null;
            var timersNumber = timers[node].Length == 0 ? 0 : keys.RenamedTimers(renaming, numbering.NumberSequence(timers[node]), timers[node], numbering);
            at = KeyWriter.Put(key, at, 2L * timersNumber + (durable is null ? 0 : 1));
            if (durable is not null) at = KeyWriter.Put(key, at, keys.RenamedDurable(renaming, numbering.Number(durable), durable, numbering));
            if (synchronous) at = WriteRenamedDeadlines(key, at, node, π, keys.Symmetry.Timer);
        }
        if (detector is not null)
        {
            for (var slot = 0; slot < suspected.Length; slot++) at = KeyWriter.Put(key, at, RenamedBits(suspected[inverse[slot]], π));
            at = KeyWriter.Put(key, at, RenamedBits(everSuspected, π));
            at = KeyWriter.Put(key, at, falseSuspicions);
            at = KeyWriter.Put(key, at, stabilized ? 1 : 0);
        }
        var envelopes = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(inFlight);
        var channels = numbering.Channels(envelopes.Length);
        var slacks = synchronous ? new List<long>() : null;
        var count = 0;
        foreach (ref readonly var envelope in envelopes)
        {
            if (status[envelope.To.Index] == NodeStatus.Stopped) continue;
            channels[count++] = Channel(π[envelope.From.Index], π[envelope.To.Index], keys.RenamedMessage(renaming, numbering.Number(envelope.Message), envelope.Message, numbering));
            slacks?.Add(Math.Max(0, envelope.SentAt + faults.MaxMessageDelay - now));
        }
        at = WriteChannels(key, at, channels[..count], slacks);
        var numbers = numbering.SpecNumbers(specNumbers);
        var objects = numbering.SpecObjects(specObjects);
        int n = 0, o = 0;
        Monitor.Evaluator.AddKey(numbers, ref n, objects, ref o);
        at = keys.WriteSpecNumbers(key, at, renaming, numbers, specNumbers);
        var objectSource = renaming.SpecObjectSource;
        for (var i = 0; i < specObjects; i++) at = KeyWriter.Put(key, at, numbering.Number(objects[objectSource[i]]));
        writer.Commit(at);
    }

    /// <summary>Under synchronous timing, a node's deadlines in the order of its renamed timers (as <see cref="CopyPermuted"/> keeps them).</summary>
    private int WriteRenamedDeadlines(Span<byte> key, int at, int node, NodePermutation π, Func<TTimer, NodePermutation, TTimer>? rename)
    {
        if (rename is null || timers[node].Length <= 1)
        {
            foreach (var deadline in deadlines[node]) at = KeyWriter.Put(key, at, deadline - now);
            return at;
        }
        var pairs = timers[node].Select((timer, t) => (Timer: rename(timer, π), Deadline: deadlines[node][t])).ToList();
        pairs.Sort((a, b) => TimerOrder.Compare(a.Timer, b.Timer));
        foreach (var pair in pairs) at = KeyWriter.Put(key, at, pair.Deadline - now);
        return at;
    }

    /// <summary>
    /// Each node's signature for <paramref name="keys"/>' sets (others are left as they are): a hash of what renaming
    /// the whole world leaves unchanged — its status, its state, durable state and timers as it sees them, and the
    /// messages in flight to and from it (each with how it sees the other end), summed so their order does not matter.
    /// </summary>
    public void NodeSignatures(SymmetryKeys<TState, TMessage, TTimer, TDurable, TSpecEvent> keys, ValueNumbering numbering, long[] signatures)
    {
        for (var node = 0; node < states.Length; node++)
        {
            if (keys.SetOf(node) < 0) continue;
            var durable = status[node] == NodeStatus.Down || (anyAmnesia && AmnesiaPossible(node)) ? persisted[node] : null;
            var signature = Mix((long)status[node], keys.StateSeenBy(node, numbering.Number(states[node]), states[node], numbering));
            signature = Mix(signature, durable is null ? 0 : keys.DurableSeenBy(node, numbering.Number(durable), durable, numbering));
            signatures[node] = Mix(signature, timers[node].Length == 0 ? 0 : keys.TimersSeenBy(node, numbering.NumberSequence(timers[node]), timers[node], numbering));
        }
        foreach (var envelope in inFlight)
        {
            int from = envelope.From.Index, to = envelope.To.Index;
            if (status[to] == NodeStatus.Stopped) continue;
            bool fromInSet = keys.SetOf(from) >= 0, toInSet = keys.SetOf(to) >= 0;
            if (!fromInSet && !toInSet) continue;
            var message = numbering.Number(envelope.Message);
            if (fromInSet) signatures[from] = unchecked(signatures[from] + Mix(Mix(1, keys.Relation(from, to)), keys.MessageSeenBy(from, message, envelope.Message, numbering)));
            if (toInSet) signatures[to] = unchecked(signatures[to] + Mix(Mix(2, keys.Relation(to, from)), keys.MessageSeenBy(to, message, envelope.Message, numbering)));
        }
    }

    /// <summary>Combines two numbers into a well-mixed hash (splitmix64's finaliser).</summary>
    private static long Mix(long hash, long value)
    {
        unchecked
        {
            var x = (ulong)hash * 0x9E3779B97F4A7C15UL + (ulong)value;
            x ^= x >> 30;
            x *= 0xBF58476D1CE4E5B9UL;
            x ^= x >> 27;
            x *= 0x94D049BB133111EBUL;
            x ^= x >> 31;
            return (long)x;
        }
    }

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
