namespace Verification.Checkers.Linearizability;

/// <summary>
/// One client operation of a history: what was asked, what came back, and when (positions in real-time order).
/// An operation whose outcome is unknown (a timeout) has <see cref="Return"/> = <see cref="long.MaxValue"/>: it may
/// take effect at any point after its call, or never (taking effect after everything else is the same as never).
/// </summary>
public sealed record Operation<TInput, TOutput>(long Client, TInput Input, TOutput Output, long Call, long Return, int Line)
{
    public bool Completed => Return != long.MaxValue;
}

/// <summary>
/// A sequential specification: the object's state, and whether an operation with this input may return this output
/// in a state (and the state after it). States must compare by value (records), since the search memoises them.
/// </summary>
public interface ISequentialModel<TState, TInput, TOutput> where TState : notnull
{
    string Name { get; }

    TState Initial { get; }

    bool Step(TState state, TInput input, TOutput output, out TState next);

    /// <summary>Independent parts of a history (e.g. per key), each linearizable on its own iff the whole is; one part by default.</summary>
    IEnumerable<IReadOnlyList<Operation<TInput, TOutput>>> Partition(IReadOnlyList<Operation<TInput, TOutput>> history) => [history];

    string Describe(TInput input, TOutput output);

    string Describe(TState state);
}
