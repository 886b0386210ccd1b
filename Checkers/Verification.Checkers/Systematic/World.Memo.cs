using Verification.Runtime;

namespace Verification.Checkers.Systematic;

// Handler results remembered by an exhaustive search (HandlerMemo.cs); kept apart from World.cs so that the two
// evolve without stepping on each other.
internal sealed partial class World<TState, TMessage, TTimer, TDurable, TSpecEvent>
{
    /// <summary>When set (by an exhaustive search, on the world it applies transitions to), message and timer handlers are answered from it for inputs met before.</summary>
    public HandlerMemo? Memo { get; set; }

    /// <summary>Counts the choices a handler asked for, passing them on (a call that chose is never replayed).</summary>
    private sealed class ChoiceCounter : IChoiceSource
    {
        public IChoiceSource Inner = null!;
        public int Calls;

        public int Choose(int count)
        {
            Calls++;
            return Inner.Choose(count);
        }
    }

    private ChoiceCounter? choiceCounterBuffer;
    private ChoiceCounter choiceCounter => choiceCounterBuffer ??= new();

    /// <summary>Whether handler results are looked up in <see cref="Memo"/> (not while a step is traced or fingerprinted: those calls run).</summary>
    private bool Replaying => Memo is not null && Trace is null && !Fingerprinting;

    /// <summary>A timer as a handler's input: its array's number and its place in it (no boxing of a value-type timer).</summary>
    private long TimerInput(int node, int index)
    {
        if (!Replaying || Memo is not { } memo) return 0;
        RememberNumbersOf(memo.Numbering);
        return ((long)TimersNumber(node, memo.Numbering) << 16) | (uint)index;
    }

    /// <summary>A delivered message as a handler's input: its number.</summary>
    private long MessageInput(in Envelope<TMessage> envelope)
    {
        if (!Replaying || Memo is not { } memo) return 0;
        RememberNumbersOf(memo.Numbering);
        return MessageNumber(envelope, memo.Numbering);
    }

    /// <summary>
    /// Runs <paramref name="node"/>'s message or timer handler and applies its effects — or, with a <see cref="Memo"/>
    /// that knows the input, applies the remembered result (and, on a sampled replay, runs the handler again and
    /// requires the same result).
    /// </summary>
    /// <param name="input">The message's or timer's number as the memo knows it (<see cref="MessageInput"/>, <see cref="TimerInput"/>).</param>
    private void Handle(int node, NodeHandler handler, NodeId? from, TMessage? message, long input, IChoiceSource choices)
    {
        var self = new NodeId(node);
        if (!Replaying || Memo is not { } memo)
        {
            effects.Reset(self, nodes.Length, choices);
            ChangedCopy.Set(states, node, Call(node, handler, from, message, effects));
            Process(node);
            return;
        }
        var numbering = memo.Numbering;
        RememberNumbersOf(numbering);
        var call = new HandlerInput(node, handler, from?.Index ?? -1, StateNumber(node, numbering), input);
        var known = memo.Find(call, out var recheck);
        if (known is not null && !recheck)
        {
            // Remembered from this search's own handler calls, of this world's state type: stored without a type check.
            ChangedCopy.Set(states, node, known.State);
            Process(node, known.Items);
            return;
        }
        choiceCounter.Inner = choices;
        choiceCounter.Calls = 0;
        effects.Reset(self, nodes.Length, choiceCounter);
        var next = Call(node, handler, from, message, effects);
        if (known is not null && (choiceCounter.Calls > 0 || !memo.SameResult(known, next, effects.Items)))
        {
            var first = $"returned {Text(known.State)} and asked for [{string.Join("; ", known.Items.Select(Text))}]";
            var again = $"returned {Text(next)} and asked for [{string.Join("; ", effects.Items.Select(Text))}]";
            // The same text but not equal: values compared by reference (a list in a record), not a different answer.
            if (first == again && choiceCounter.Calls == 0) memo.Forget(call);
            else
                throw new RunFailure(FailureKind.ModelError, HandlerMemo.Nondeterministic,
                    $"{self}'s {handler} answered the same input differently\n  while handling: {CurrentStep}\n"
                    + $"  the first call {first}; this call {again}{(choiceCounter.Calls > 0 ? " (and chose a value, which the first did not)" : "")}\n"
                    + $"  handlers must be deterministic functions of their state, their input and the values they Choose (the search replays results of equal inputs). {Determinism.LikelyCauses}");
        }
        else if (known is null) memo.Remember(call, next, effects.Items, choiceCounter.Calls > 0);
        ChangedCopy.Set(states, node, next);
        Process(node);
    }
}
