using Verification.Runtime;

namespace Verification.Checkers.Systematic;

// Messages a protocol declares its nodes ignore for ever (Protocol.IgnoredForever): which in-flight messages are such,
// and the checks that hold the declaration to what the nodes do. Kept apart from World.cs so the two evolve separately.
internal sealed partial class World<TState, TMessage, TTimer, TDurable, TSpecEvent>
{
    /// <summary>Per node, the last message it was delivered that the declaration said it ignores for ever (null: none yet, or no declaration).</summary>
    private (NodeId From, TMessage Message)?[]? ignoredEarlier;

    /// <summary>The failure a wrong declaration is reported as.</summary>
    public const string IgnoredForeverProperty = "IgnoredForever";

    /// <summary>
    /// Whether in-flight message <paramref name="item"/> may be delivered before anything else: the protocol declares
    /// that its addressee (up, with a state) ignores it for ever, and the spec sees neither its delivery nor its loss
    /// or copy (else the other orders show the spec other histories).
    /// </summary>
    public bool DeclaredIgnored(int item)
    {
        if (protocol.IgnoredForever is not { } ignores) return false;
        var envelope = inFlight[item];
        var to = envelope.To.Index;
        try
        {
            return status[to] == NodeStatus.Up && states[to] is { } state && Ask(ignores, state, envelope.From, envelope.Message, to) && !SpecSeesNetwork(envelope);
        }
        catch (RunFailure failure)
        {
            // Asked while choosing a search's steps, not while taking one: no path fails here, so it is the declaration's error.
            throw new ConfigurationException($"{protocol.Name}: {failure.Message}");
        }
    }

    /// <summary>
    /// Orders two in-flight messages by addressee, sender, then contents (text): so a choice among them depends on the
    /// state alone, not on the order a path happened to send them in.
    /// </summary>
    public int CompareInFlight(int a, int b)
    {
        var (first, second) = (inFlight[a], inFlight[b]);
        var order = first.To.Index.CompareTo(second.To.Index);
        if (order == 0) order = first.From.Index.CompareTo(second.From.Index);
        if (order == 0 && !EqualityComparer<TMessage>.Default.Equals(first.Message, second.Message)) order = string.CompareOrdinal(Text(first.Message), Text(second.Message));
        return order;
    }

    /// <summary>Whether the protocol maps this message's delivery, loss or copy to a spec event.</summary>
    private bool SpecSeesNetwork(Envelope<TMessage> envelope) =>
        protocol.EnvironmentEvents is { } events
        && (events(new MessageDelivered(envelope.From, envelope.To, envelope.Message)) is not null
            || events(new MessageDropped(envelope.From, envelope.To, envelope.Message)) is not null
            || events(new MessageDuplicated(envelope.From, envelope.To, envelope.Message)) is not null);

    private bool Ask(Func<TState, NodeId, TMessage, bool> ignores, TState state, NodeId from, TMessage message, int node)
    {
        try
        {
            return ignores(state, from, message);
        }
        catch (Exception ex) when (ex is not RunFailure)
        {
            throw new RunFailure(FailureKind.ModelError, IgnoredForeverProperty,
                $"the protocol's IgnoredForever declaration threw {ex.GetType().Name}: {ex.Message}\n  asked about {Text(message)} from {from} to {new NodeId(node)} in state {Text(state)}\n  while handling: {CurrentStep}");
        }
    }

    /// <summary>What a delivery's addressee looked like before its handler ran, to show the delivery was a no-op.</summary>
    private readonly record struct NodeBefore(TState? State, TDurable? Persisted, TTimer[] Timers, int InFlight);

    /// <summary>
    /// Delivers <paramref name="envelope"/> (already taken out of the network) to its addressee; when the protocol
    /// declares the addressee ignores it for ever, the handler must change nothing — state, persisted state, timers,
    /// network, spec — and the node's later steps must keep the declaration (<see cref="CheckStillIgnored"/>).
    /// </summary>
    private void Deliver(Envelope<TMessage> envelope, IChoiceSource choices)
    {
        var to = envelope.To.Index;
        var declared = protocol.IgnoredForever is { } ignores && states[to] is { } state && Ask(ignores, state, envelope.From, envelope.Message, to);
        var before = declared ? new NodeBefore(states[to], persisted[to], timers[to], inFlight.Count) : default;
        var eventsBefore = SpecEventsThisStep;
        Handle(to, NodeHandler.OnMessage, envelope.From, envelope.Message, MessageInput(envelope), choices);
        if (!declared) return;
        var changed =
            !EqualityComparer<TState?>.Default.Equals(states[to], before.State) ? $"changed its state to {Text(states[to])}"
            : !EqualityComparer<TDurable?>.Default.Equals(persisted[to], before.Persisted) ? $"persisted {Text(persisted[to])}"
            : !timers[to].AsSpan().SequenceEqual(before.Timers) ? "armed or cancelled a timer"
            : inFlight.Count != before.InFlight ? $"sent {inFlight.Count - before.InFlight} message(s)"
            : SpecEventsThisStep != eventsBefore ? "gave the spec an event"
            : null;
        if (changed is not null)
            throw new RunFailure(FailureKind.ModelError, IgnoredForeverProperty,
                $"the protocol declares that {envelope.To} ignores {Text(envelope.Message)} from {envelope.From} for ever (IgnoredForever), but handling it in state {Text(before.State)} {changed}\n"
                + $"  while handling: {CurrentStep}\n  a search that trusts the declaration delivers such messages first and so would skip behaviour; fix the declaration (or the handler)");
        (ignoredEarlier ??= new (NodeId, TMessage)?[states.Length])[to] = (envelope.From, envelope.Message);
    }

    /// <summary>
    /// Makes the last ignored messages <paramref name="source"/>'s, writing only the entries that differ (as
    /// <see cref="ChangedCopy"/>: each write of an entry holding a reference is a GC write barrier).
    /// </summary>
    private void CopyIgnoredFrom((NodeId From, TMessage Message)?[] source)
    {
        var target = ignoredEarlier ??= new (NodeId, TMessage)?[states.Length];
        var byValue = typeof(TMessage).IsValueType; // a struct message has no reference to compare: always written
        for (var i = 0; i < source.Length; i++)
        {
            var (from, to) = (source[i], target[i]);
            if (byValue || from.HasValue != to.HasValue || (from.HasValue && (from.Value.From != to!.Value.From || !ReferenceEquals(from.Value.Message, to.Value.Message))))
                target[i] = from;
        }
    }

    /// <summary>The last ignored messages of <paramref name="source"/> moved to the renamed nodes (for <see cref="CopyPermuted"/>).</summary>
    private void CopyIgnoredPermuted(World<TState, TMessage, TTimer, TDurable, TSpecEvent> source, NodePermutation π, NodeSymmetry<TState, TMessage, TTimer, TDurable> symmetry)
    {
        if (source.ignoredEarlier is null) return;
        for (var i = 0; i < states.Length; i++)
            ignoredEarlier![π[i]] = source.ignoredEarlier[i] is { } earlier ? (π[earlier.From], symmetry.Message(earlier.Message, π)) : null;
    }

    /// <summary>
    /// After a handler of <paramref name="node"/> (any: message, timer, recovery, detector) has run: the last message the
    /// node ignored as "for ever" must still be declared ignored in its new state — a declaration that stops holding
    /// (say, a ballot forgotten in a crash with amnesia) would let a search skip the message's later, real delivery.
    /// </summary>
    private void CheckStillIgnored(int node)
    {
        if (ignoredEarlier?[node] is not { } earlier || protocol.IgnoredForever is not { } ignores || states[node] is not { } state) return;
        if (Ask(ignores, state, earlier.From, earlier.Message, node)) return;
        throw new RunFailure(FailureKind.ModelError, IgnoredForeverProperty,
            $"the protocol declared that {new NodeId(node)} ignores {Text(earlier.Message)} from {earlier.From} for ever (IgnoredForever), and it was delivered as ignored; "
            + $"after {CurrentStep} the node's state is {Text(state)}, in which the declaration no longer says so\n"
            + "  'for ever' must hold in every state the node can reach (its steps, crashes and recoveries); a search that trusts it would skip the message's later delivery");
    }
}
