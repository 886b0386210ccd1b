using System.Collections.Concurrent;
using Verification.Runtime;

namespace Verification.Checkers.Systematic;

/// <summary>
/// What a handler returned for one input, remembered by an exhaustive search: a deterministic handler given an equal
/// state and an equal message (or timer) returns an equal state and asks for equal effects, so the search, which meets
/// the same few inputs millions of times, runs each handler once per distinct input and replays its result after.
/// Equal is the search's own equality (the values' numbers in its <see cref="ValueNumbering"/>), so a replayed step
/// reaches the state a call would have reached: counts and verdicts are those of calling every time.
/// </summary>
/// <remarks>
/// Honesty: the first call of every input runs under the node contract's checks; a call that made a choice
/// (<see cref="Effects{TMessage, TTimer, TDurable}.Choose"/>) is never replayed, since its other options are other
/// edges of the search; a result holding a value compared by reference (a class without Equals) is never replayed,
/// since a new call's value would be a new state to the search (nor, once its first recheck shows it, one whose
/// answers print alike but are never equal, such as a record holding a list); and the first replay of every input, then one replay
/// in <see cref="RecheckEvery"/>, runs the handler again, under the checks, and compares — a handler that answers an
/// equal input differently (randomness, the clock, a static counter, a value changed in place elsewhere) is a model
/// error, as it would corrupt the search.
/// </remarks>
internal sealed class HandlerMemo(ValueNumbering numbering)
{
    /// <summary>One remembered replay in this many runs the handler again and compares (deterministic: a count, not a random draw).</summary>
    public const int RecheckEvery = 32;

    /// <summary>Inputs remembered at most; past it, new inputs are called every time (the memory stays bounded).</summary>
    public const int MaxEntries = 1 << 18;

    private readonly Dictionary<HandlerInput, Entry> entries = [];
    private long replays;

    public ValueNumbering Numbering { get; } = numbering;

    /// <summary>Handler calls answered from memory, and those run again to compare (for the result's notes and tests).</summary>
    public long Replayed { get; private set; }
    public long Rechecked { get; private set; }

    /// <summary>Distinct inputs remembered.</summary>
    public int Inputs => entries.Count;

    /// <summary>A remembered result: the state returned and the effects asked for, in order; or (State null) an input that is always called.</summary>
    internal sealed class Entry(object? state, Effect[] items)
    {
        public object? State { get; } = state;
        public Effect[] Items { get; } = items;

        /// <summary>Whether a second call already gave the same result (until then every replay is a recheck).</summary>
        public bool Confirmed;
    }

    private static readonly Entry AlwaysCall = new(null, []);

    /// <summary>The remembered result for <paramref name="input"/>, or null when the handler must run; <paramref name="recheck"/>: run it anyway and compare with the result.</summary>
    public Entry? Find(in HandlerInput input, out bool recheck)
    {
        recheck = false;
        if (!entries.TryGetValue(input, out var entry) || ReferenceEquals(entry, AlwaysCall)) return null;
        if (!entry.Confirmed || ++replays % RecheckEvery == 0)
        {
            recheck = true;
            Rechecked++;
        }
        else Replayed++;
        return entry;
    }

    /// <summary>Remembers what a call with <paramref name="input"/> did (when it can be replayed faithfully: see the remarks).</summary>
    public void Remember(in HandlerInput input, object state, IReadOnlyList<Effect> items, bool choseValues)
    {
        if (entries.Count >= MaxEntries || entries.ContainsKey(input)) return; // full, or an input that is always called
        var replayable = !choseValues && HasValueEquality(state.GetType());
        for (var i = 0; i < items.Count && replayable; i++) replayable = PayloadHasValueEquality(items[i]);
        entries[input] = replayable ? new Entry(state, [.. items]) : AlwaysCall;
    }

    /// <summary>Whether a new call's result equals the remembered one by the search's equality (its numbering); the first time it does, the entry is confirmed.</summary>
    public bool SameResult(Entry entry, object state, IReadOnlyList<Effect> items)
    {
        if (Numbering.Number(state) != Numbering.Number(entry.State) || items.Count != entry.Items.Length) return false;
        for (var i = 0; i < items.Count; i++)
            if (!items[i].Equals(entry.Items[i])) return false;
        entry.Confirmed = true;
        return true;
    }

    /// <summary>The property a model error names when a handler answered an equal input differently.</summary>
    public const string Nondeterministic = "NondeterministicHandler";

    private static bool PayloadHasValueEquality(Effect item) => item switch
    {
        Observe observe => HasValueEquality(observe.Event.GetType()),
        _ => PayloadType(item) is not { } type || HasValueEquality(type),
    };

    /// <summary>The type of the value an effect carries (its message, timer or durable state), found by the effect's own type (generic records).</summary>
    private static Type? PayloadType(Effect item) => Payloads.GetOrAdd(item.GetType(), static type =>
        type.IsGenericType ? type.GetProperties().FirstOrDefault(p => p.Name is "Message" or "Timer" or "Durable") : null)?.GetValue(item)?.GetType();

    private static readonly ConcurrentDictionary<Type, System.Reflection.PropertyInfo?> Payloads = new();

    /// <summary>
    /// Stops replaying <paramref name="input"/>: a second call's answer was not equal to the first, yet reads the same
    /// (values compared by reference inside it, such as a list in a record: no two answers are ever equal, so a replay
    /// would hand back an old object where a call makes a new state). The input is called every time, as without replay.
    /// </summary>
    public void Forget(in HandlerInput input) => entries[input] = AlwaysCall;

    private static readonly ConcurrentDictionary<Type, bool> ValueEquality = new();

    /// <summary>Whether values of <paramref name="type"/> are compared by their contents (records, strings, numbers, structs, a class overriding Equals), not by reference.</summary>
    internal static bool HasValueEquality(Type type) =>
        ValueEquality.GetOrAdd(type, static t => t.IsValueType || t == typeof(string)
            || t.GetMethod(nameof(Equals), [typeof(object)])?.DeclaringType is { } declaring && declaring != typeof(object));
}

/// <summary>What a search's result says of its replayed handler calls.</summary>
internal static class HandlerMemoNotes
{
    /// <summary>The result, its notes saying how many handler calls were replayed (nothing when none could be: no memo, or a search that ended before any).</summary>
    public static CheckResult Noted(this HandlerMemo? memo, CheckResult result) => Noted([memo], result);

    /// <summary>The same for the memos of a parallel search's workers (each worker remembers its own inputs: a distinct input may be counted once per worker).</summary>
    public static CheckResult Noted(IReadOnlyList<HandlerMemo?> memos, CheckResult result)
    {
        var all = memos.OfType<HandlerMemo>().ToList();
        var (replayed, rechecked, inputs) = (all.Sum(m => m.Replayed), all.Sum(m => m.Rechecked), all.Sum(m => (long)m.Inputs));
        var per = all.Count > 1 ? $" (over {all.Count} workers' memories)" : "";
        return replayed + rechecked == 0 ? result
            : result with { Notes = $"{result.Notes}; handler results replayed {replayed:N0} times for {inputs:N0} distinct inputs{per}, {rechecked:N0} replays checked by calling again" };
    }
}

/// <summary>What a handler call is a function of, by number: the node, the handler, the sender, the state, and the message or timer.</summary>
internal readonly record struct HandlerInput(int Node, NodeHandler Handler, int From, int State, long Input);
