using Verification.Runtime;

namespace Verification.Checkers.Systematic;

/// <summary>
/// Partial-order reduction that cuts states: a persistent set of one step. When a message in flight is one its
/// addressee ignores for ever (the protocol's <c>IgnoredForever</c> declaration), delivering it is the only step taken
/// from that state. Why this is sound for safety, condition by condition (Godefroid's persistent sets; Peled's ample sets):
/// <list type="bullet">
/// <item>Independence: the delivery changes nothing but the network (checked at every such delivery), so it commutes
/// with every step of every node — its own included, since the node still ignores the message after any of them
/// (checked after each of the node's later steps). The steps it conflicts with, dropping or copying that message or a
/// partition that holds it, lead only to states the delivery's successor covers: the same nodes, with a message that
/// can never matter and less fault budget spent.</item>
/// <item>Invisibility: neither the handler (checked) nor the network (a message whose delivery, loss or copy the spec
/// observes is never taken this way) gives the spec an event, so the spec sees the same histories.</item>
/// <item>Cycles: the step shrinks the network and is the only one taken, so no cycle of the reduced graph consists of
/// reduced states only, and no other step is postponed for ever.</item>
/// </list>
/// Not used where it is not sound or not wanted: under synchronous timing (a delivery moves the clock), and by
/// breadth-first search and iterative deepening (the extra delivery steps would make their counterexamples not the
/// shortest). Liveness searches (Livelock.cs) never use it. What it does change: stale messages leave the network
/// early, so a flood limit (TestOptions.MaxMessagesInFlight) or a network bound counts fewer of them, and a depth
/// bound counts the extra deliveries.
/// </summary>
internal sealed class IgnoredFirst
{
    /// <summary>Why the reduction is off for this search (null: on).</summary>
    private readonly string? off;
    private long reducedStates;

    private IgnoredFirst(string? off) => this.off = off;

    /// <summary>The reduction for a search — on, or off with the reason the result gives — or null when the protocol declares no ignored messages.</summary>
    /// <param name="sleepSets">Whether the search also puts steps to sleep: the two are kept apart (a step asleep relies on another order reaching its state, which a state cut to one delivery need not take), and sleep sets, which keep every state, win.</param>
    public static IgnoredFirst? For<TState, TMessage, TTimer, TDurable, TSpecEvent>(Protocol<TState, TMessage, TTimer, TDurable, TSpecEvent> protocol, TestOptions options, SearchOrder order, bool sleepSets = false)
        where TState : class where TMessage : notnull where TTimer : notnull where TDurable : class where TSpecEvent : class =>
        protocol.IgnoredForever is null ? null : new IgnoredFirst(
            !options.DeliverIgnoredFirst ? "turned off (TestOptions.DeliverIgnoredFirst)"
            : sleepSets ? "sleep sets were asked for, which keep every state (the two reductions are not combined)"
            : order != SearchOrder.DepthFirst ? "a shortest counterexample needs every order"
            : options.Faults.Timing == Timing.Synchronous ? "under synchronous timing a delivery moves the clock"
            : null);

    /// <summary>
    /// The one step to take from a state: the place in <paramref name="enabled"/> of a delivery of a message declared
    /// ignored for ever, or −1 to take every step. Among several such messages the least by addressee, sender and
    /// contents, so the choice is a function of the state and a parallel search reaches the same states as a
    /// sequential one. The list is left whole, so a path names its steps by their places in it, as a replay does.
    /// </summary>
    public int Only<TState, TMessage, TTimer, TDurable, TSpecEvent>(World<TState, TMessage, TTimer, TDurable, TSpecEvent> world, List<ScheduledAction> enabled)
        where TState : class where TMessage : notnull where TTimer : notnull where TDurable : class where TSpecEvent : class
    {
        if (off is not null) return -1;
        var chosen = -1;
        // Deliveries come first in the enumeration, so the scan stops at the first other step.
        for (var i = 0; i < enabled.Count && enabled[i].Kind == ActionKind.Deliver; i++)
            if ((chosen < 0 || world.CompareInFlight(enabled[i].Item, enabled[chosen].Item) < 0) && world.DeclaredIgnored(enabled[i].Item))
                chosen = i;
        if (chosen >= 0) Interlocked.Increment(ref reducedStates);
        return chosen;
    }

    /// <summary>What the result says the reduction did, or why it was off.</summary>
    public string Describe() => off is not null
        ? $"messages declared ignored for ever (IgnoredForever) NOT delivered first: {off}"
        : $"partial-order reduction: a message its addressee ignores for ever (the protocol's IgnoredForever, checked at every such delivery and after the node's later steps) is delivered before any other step; {Interlocked.Read(ref reducedStates):N0} states expanded by that step alone";
}
