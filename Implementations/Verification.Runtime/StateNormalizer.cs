namespace Verification.Runtime;

/// <summary>
/// A shift symmetry: <see cref="Offset"/> picks how far the whole system can be shifted (0: not at all), from the
/// node states, durable states and messages; <see cref="State"/>, <see cref="Durable"/> and <see cref="Message"/>
/// shift one of each by it. Sound only when shifting every state, durable state and message by the same offset maps
/// behaviours onto behaviours.
/// </summary>
/// <param name="Offset">How far the whole system can be shifted, given every node state, durable state and in-flight message; 0 for not at all.</param>
/// <param name="State">A node state shifted by an offset.</param>
/// <param name="Durable">A durable state shifted by an offset.</param>
/// <param name="Message">A message shifted by an offset.</param>
public sealed record StateNormalizer<TState, TMessage, TDurable>(
    Func<IEnumerable<TState>, IEnumerable<TDurable>, IEnumerable<TMessage>, int> Offset,
    Func<TState, int, TState> State,
    Func<TDurable, int, TDurable> Durable,
    Func<TMessage, int, TMessage> Message);
