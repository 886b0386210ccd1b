namespace Verification.Checkers.Linearizability;

/// <summary>
/// One client operation of a history: what was asked, what came back, and when (positions in real-time order).
/// An operation whose outcome is unknown (a timeout) has <see cref="Return"/> = <see cref="long.MaxValue"/>: it may
/// take effect at any point after its call, or never (taking effect after everything else is the same as never).
/// </summary>
/// <param name="Client">The client (Jepsen's process) that made the call; a client has one operation open at a time.</param>
/// <param name="Input">What was asked.</param>
/// <param name="Output">What came back.</param>
/// <param name="Call">When it was called, as a position in real-time order.</param>
/// <param name="Return">When it returned, in the same order; <see cref="long.MaxValue"/> when its outcome is unknown.</param>
/// <param name="Line">Where the call is, for counterexamples: its line in the history file, or its position among a run's observed events.</param>
public sealed record Operation<TInput, TOutput>(long Client, TInput Input, TOutput Output, long Call, long Return, int Line)
{
    /// <summary>Whether the operation returned; false when its outcome is unknown (<see cref="Return"/> is <see cref="long.MaxValue"/>).</summary>
    public bool Completed => Return != long.MaxValue;
}

/// <summary>
/// A sequential specification: the object's state, and whether an operation with this input may return this output
/// in a state (and the state after it). States must compare by value (records), since the search memoises them.
/// </summary>
public interface ISequentialModel<TState, TInput, TOutput> where TState : notnull
{
    /// <summary>The model's name, as a check's subject names it ("cas-register", "kv (per key)").</summary>
    string Name { get; }

    /// <summary>The object's state before any operation.</summary>
    TState Initial { get; }

    /// <summary>
    /// Whether an operation with <paramref name="input"/> may return <paramref name="output"/> in
    /// <paramref name="state"/>, and if so the state after it in <paramref name="next"/>. An operation whose outcome is
    /// unknown must be accepted wherever it could have taken effect.
    /// </summary>
    bool Step(TState state, TInput input, TOutput output, out TState next);

    /// <summary>Independent parts of a history (e.g. per key), each linearizable on its own iff the whole is; one part by default.</summary>
    IEnumerable<IReadOnlyList<Operation<TInput, TOutput>>> Partition(IReadOnlyList<Operation<TInput, TOutput>> history) => [history];

    /// <summary>
    /// True when this operation with this output leaves the state as it is in every state that accepts it (a read, a
    /// failed compare-and-set). The search then places such an operation as soon as it fits, without trying the
    /// alternatives (no linearization is lost: moved forward, it sees the same state). False by default.
    /// </summary>
    bool IsReadOnly(TInput input, TOutput output) => false;

    /// <summary>One operation as a counterexample shows it, e.g. <c>cas 1→4 → failed</c>.</summary>
    string Describe(TInput input, TOutput output);

    /// <summary>A state as a counterexample shows it, e.g. <c>register = 4</c>.</summary>
    string Describe(TState state);

    /// <summary>
    /// Heap bytes a state holds beyond its slot in a memoised configuration (what a reference costs, and e.g. a
    /// string's characters), for the memory budget. By default 0 for a value type without references (it is inline)
    /// and a fixed guess otherwise.
    /// </summary>
    long SizeInBytes(TState state) => System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<TState>() ? 64 : 0;
}
