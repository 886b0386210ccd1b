namespace Verification.Checkers.Systematic;

// The numbers of the values a world holds, remembered per place (kept apart from World.cs so that the two evolve
// without stepping on each other).
internal sealed partial class World<TState, TMessage, TTimer, TDurable, TSpecEvent>
{
    /// <summary>
    /// The numbering the remembered numbers are of. A search writes every key on one scratch world that changes a
    /// node or two per transition, so most of a key's values are the very objects it numbered for the last key: each
    /// place (a node's state, its timer array, a message by its envelope's id, a slot of the spec's) remembers the
    /// object it last numbered and that number, checked by reference — no hashing, and a place whose object changed is
    /// numbered again.
    /// </summary>
    private ValueNumbering? numberedBy;
    private object?[] numberedStates = [], numberedTimers = [], numberedMessages = [], numberedSpecObjects = [];
    private int[] stateNumbers = [], timerNumbers = [], messageNumbers = [], specObjectNumbers = [];

    /// <summary>Messages remembered at most (by envelope id modulo this): more in flight only numbers some again.</summary>
    private const int RememberedMessages = 64;

    /// <summary>Starts remembering numbers of <paramref name="numbering"/> (forgetting another's: numbers are per numbering).</summary>
    private void RememberNumbersOf(ValueNumbering numbering)
    {
        if (ReferenceEquals(numberedBy, numbering)) return;
        numberedBy = numbering;
        numberedStates = new object?[states.Length];
        stateNumbers = new int[states.Length];
        numberedTimers = new object?[states.Length];
        timerNumbers = new int[states.Length];
        // A message of a value type has no reference to remember it by: numbered every time.
        numberedMessages = typeof(TMessage).IsValueType ? [] : new object?[RememberedMessages];
        messageNumbers = new int[numberedMessages.Length];
        numberedSpecObjects = [];
        specObjectNumbers = [];
    }

    /// <summary>The number of the spec's reference-valued slot <paramref name="slot"/>, now holding <paramref name="value"/> (0: null).</summary>
    private int SpecObjectNumber(int slot, object? value, ValueNumbering numbering)
    {
        if (slot >= numberedSpecObjects.Length)
        {
            Array.Resize(ref numberedSpecObjects, slot + 1);
            Array.Resize(ref specObjectNumbers, slot + 1);
        }
        if (ReferenceEquals(numberedSpecObjects[slot], value)) return specObjectNumbers[slot]; // a null value is 0, as the arrays start
        var number = numbering.Number(value);
        numberedSpecObjects[slot] = value;
        specObjectNumbers[slot] = number;
        return number;
    }

    /// <summary>The number of <paramref name="node"/>'s state (0: none).</summary>
    private int StateNumber(int node, ValueNumbering numbering)
    {
        var state = states[node];
        if (ReferenceEquals(numberedStates[node], state)) return stateNumbers[node]; // a null state is 0, as the arrays start
        var number = numbering.Number(state);
        numberedStates[node] = state;
        stateNumbers[node] = number;
        return number;
    }

    /// <summary>The number of <paramref name="node"/>'s armed timers as a sequence (0: none).</summary>
    private int TimersNumber(int node, ValueNumbering numbering)
    {
        var armed = timers[node];
        if (ReferenceEquals(numberedTimers[node], armed)) return timerNumbers[node]; // before the array's length: no read of the array itself
        var number = armed.Length == 0 ? 0 : numbering.NumberSequence(armed);
        numberedTimers[node] = armed;
        timerNumbers[node] = number;
        return number;
    }

    /// <summary>The number of <paramref name="envelope"/>'s message.</summary>
    private int MessageNumber(in Envelope<TMessage> envelope, ValueNumbering numbering)
    {
        if (numberedMessages.Length == 0) return numbering.Number(envelope.Message);
        var slot = (int)envelope.Id & (RememberedMessages - 1);
        object message = envelope.Message;
        if (ReferenceEquals(numberedMessages[slot], message)) return messageNumbers[slot];
        var number = numbering.Number(message);
        numberedMessages[slot] = message;
        messageNumbers[slot] = number;
        return number;
    }
}
