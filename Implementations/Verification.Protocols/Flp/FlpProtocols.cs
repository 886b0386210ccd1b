using Verification.Checkers.Teaching;
using Verification.Runtime;

namespace Verification.Protocols.Flp;

/// <summary>A process's input value, sent to the others.</summary>
public sealed record InputValue(int Value)
{
    public override string ToString() => $"input {Value}";
}

/// <summary>
/// Three student-sized consensus protocols for three processes, each escaping FLP's theorem in a different way, so
/// that <see cref="Checkers.Teaching.Flp.Tell{TState, TMessage}"/> can show all three endings: one is unsafe, one
/// blocks when a process crashes, and one is safe and survives a crash but has a fair run that never decides.
/// </summary>
public static class FlpProtocols
{
    public const int Processes = 3;

    /// <summary>Decide the smaller of your input and the first input you hear. Always decides, even with a crash — so FLP says it cannot be safe, and it is not.</summary>
    public static FlpProtocol<FirstHeardState, InputValue> DecideOnFirstHeard() =>
        new("DecideOnFirstHeard", Processes, (_, input) => new FirstHeardNode(input), state => state.Decision)
        {
            Description = "broadcast your input; decide the smaller of it and the first input you receive",
        };

    /// <summary>Wait for every input, then decide the majority. Safe, and decides in every run without a crash — but one crash blocks it.</summary>
    public static FlpProtocol<WaitForAllState, InputValue> WaitForAll() =>
        new("WaitForAll", Processes, (_, input) => new WaitForAllNode(input), state => state.Decision)
        {
            Description = "broadcast your input; once all three inputs are in, decide their majority",
        };

    /// <summary>
    /// p0 is the leader: it decides the first input it receives and tells the others, who adopt its decision. Safe (one
    /// process decides), bivalent from mixed inputs (which input reaches p0 first decides) — and p0's crash blocks it.
    /// </summary>
    public static FlpProtocol<LeaderState, LeaderMessage> LeaderDecidesFirstHeard() =>
        new("LeaderDecidesFirstHeard", Processes, (process, input) => new LeaderNode(process, input), state => state.Decision)
        {
            Description = "p1 and p2 send their inputs to p0; p0 decides the first it receives and tells them",
        };

    /// <summary>
    /// Ben-Or's rounds without the coin (a process that sees no proposal keeps its preference), for three processes and
    /// one crash: each phase waits for one message besides its own. Safe, and it survives a crash; FLP's adversary keeps
    /// it undecided by delivering to each process the message that splits its view.
    /// </summary>
    public static FlpProtocol<RoundsState, RoundMessage> RoundsWithoutCoin(int rounds = 2) =>
        new("RoundsWithoutCoin", Processes, (_, input) => new RoundsNode(input, rounds), state => state.Decision)
        {
            Description = $"Ben-Or's two phases per round with no coin, one message besides your own per phase, {rounds} round{(rounds == 1 ? "" : "s")} (the bound keeps the model finite: a run that reaches it undecided stays undecided)",
            // A message from a phase the process has left, or to a process that has stopped, is never used.
            IgnoredForever = (state, message) => state.Round > rounds || (message.Round, message.Phase).CompareTo((state.Round, state.Phase)) < 0,
        };
}

public sealed record FirstHeardState(int Input, int? Decision);

public sealed class FirstHeardNode(int input) : INode<FirstHeardState, InputValue, NoTimer, NothingDurable>
{
    public FirstHeardState Start(Effects<InputValue, NoTimer, NothingDurable> effects)
    {
        effects.Broadcast(new InputValue(input));
        return new FirstHeardState(input, null);
    }

    public FirstHeardState OnMessage(FirstHeardState state, NodeId from, InputValue message, Effects<InputValue, NoTimer, NothingDurable> effects) =>
        state.Decision is null ? state with { Decision = Math.Min(state.Input, message.Value) } : state;

    public FirstHeardState OnTimer(FirstHeardState state, NoTimer timer, Effects<InputValue, NoTimer, NothingDurable> effects) => state;

    public FirstHeardState OnRecover(NothingDurable? durable, Effects<InputValue, NoTimer, NothingDurable> effects) => Start(effects);
}

/// <param name="Ones">Inputs 1 heard, own included.</param>
/// <param name="Heard">Inputs heard, own included.</param>
public sealed record WaitForAllState(int Ones, int Heard, int? Decision);

public sealed class WaitForAllNode(int input) : INode<WaitForAllState, InputValue, NoTimer, NothingDurable>
{
    public WaitForAllState Start(Effects<InputValue, NoTimer, NothingDurable> effects)
    {
        effects.Broadcast(new InputValue(input));
        return new WaitForAllState(input, 1, null);
    }

    public WaitForAllState OnMessage(WaitForAllState state, NodeId from, InputValue message, Effects<InputValue, NoTimer, NothingDurable> effects)
    {
        var heard = state with { Ones = state.Ones + message.Value, Heard = state.Heard + 1 };
        return heard.Heard == effects.NodeCount ? heard with { Decision = 2 * heard.Ones > heard.Heard ? 1 : 0 } : heard;
    }

    public WaitForAllState OnTimer(WaitForAllState state, NoTimer timer, Effects<InputValue, NoTimer, NothingDurable> effects) => state;

    public WaitForAllState OnRecover(NothingDurable? durable, Effects<InputValue, NoTimer, NothingDurable> effects) => Start(effects);
}

/// <summary>A round's message: phase 1 carries a preference, phase 2 a proposal (null: none).</summary>
public sealed record RoundMessage(int Round, int Phase, int? Value)
{
    public override string ToString() => $"r{Round} phase {Phase}: {(Value is { } v ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) : "no proposal")}";
}

/// <param name="Round">The current round (1-based); past the last round the process has stopped.</param>
/// <param name="Phase">1 or 2 within the round.</param>
/// <param name="Preference">The value the process currently prefers.</param>
/// <param name="Proposal">Its own phase-2 proposal this round (null: none).</param>
/// <param name="Early">Messages from a later round or phase than the process's own, kept until it gets there.</param>
/// <param name="Decision">The write-once output.</param>
public sealed record RoundsState(int Round, int Phase, int Preference, int? Proposal, ValueArray<RoundMessage> Early, int? Decision);

public sealed class RoundsNode(int input, int rounds) : INode<RoundsState, RoundMessage, NoTimer, NothingDurable>
{
    public RoundsState Start(Effects<RoundMessage, NoTimer, NothingDurable> effects)
    {
        effects.Broadcast(new RoundMessage(1, 1, input));
        return new RoundsState(1, 1, input, null, ValueArray<RoundMessage>.Empty, null);
    }

    public RoundsState OnMessage(RoundsState state, NodeId from, RoundMessage message, Effects<RoundMessage, NoTimer, NothingDurable> effects)
    {
        if (state.Round > rounds || (message.Round, message.Phase).CompareTo((state.Round, state.Phase)) < 0) return state; // stopped, or a message it no longer needs
        if ((message.Round, message.Phase) != (state.Round, state.Phase))
            return state with { Early = ValueArray<RoundMessage>.From(state.Early.AsEnumerable().Append(message).OrderBy(m => (m.Round, m.Phase, m.Value ?? -1))) };
        var next = Advance(state, message, effects);
        // Messages kept for the phase it has just entered are taken now, one per phase.
        while (next.Round <= rounds && next.Early.AsEnumerable().FirstOrDefault(m => (m.Round, m.Phase) == (next.Round, next.Phase)) is { } kept)
            next = Advance(next with { Early = ValueArray<RoundMessage>.From(next.Early.AsEnumerable().Where(m => m != kept)) }, kept, effects);
        return next;
    }

    /// <summary>Completes the current phase with the one message it waits for besides its own.</summary>
    private RoundsState Advance(RoundsState state, RoundMessage other, Effects<RoundMessage, NoTimer, NothingDurable> effects)
    {
        if (state.Phase == 1)
        {
            // A proposal needs a majority of three, i.e. both values seen agreeing.
            int? proposal = other.Value == state.Preference ? state.Preference : null;
            effects.Broadcast(new RoundMessage(state.Round, 2, proposal));
            return state with { Phase = 2, Proposal = proposal };
        }
        var seen = new[] { state.Proposal, other.Value };
        // Two equal proposals are f + 1 = 2: decide; one proposal: adopt it; none: keep the preference (no coin).
        var decision = state.Decision ?? (seen[0] is { } p && seen[1] == p ? p : null);
        var preference = seen.FirstOrDefault(v => v is not null) ?? state.Preference;
        var round = state.Round + 1;
        if (round <= rounds) effects.Broadcast(new RoundMessage(round, 1, preference));
        return state with { Round = round, Phase = 1, Preference = preference, Proposal = null, Decision = decision };
    }

    public RoundsState OnTimer(RoundsState state, NoTimer timer, Effects<RoundMessage, NoTimer, NothingDurable> effects) => state;

    public RoundsState OnRecover(NothingDurable? durable, Effects<RoundMessage, NoTimer, NothingDurable> effects) => Start(effects);
}

/// <summary>An input sent to the leader, or the leader's decision sent to the others.</summary>
public sealed record LeaderMessage(bool IsDecision, int Value)
{
    public override string ToString() => IsDecision ? $"decision {Value}" : $"input {Value}";
}

public sealed record LeaderState(int? Decision);

public sealed class LeaderNode(int process, int input) : INode<LeaderState, LeaderMessage, NoTimer, NothingDurable>
{
    private static readonly NodeId Leader = new(0);

    public LeaderState Start(Effects<LeaderMessage, NoTimer, NothingDurable> effects)
    {
        if (process != Leader.Index) effects.Send(Leader, new LeaderMessage(false, input));
        return new LeaderState(null);
    }

    public LeaderState OnMessage(LeaderState state, NodeId from, LeaderMessage message, Effects<LeaderMessage, NoTimer, NothingDurable> effects)
    {
        if (state.Decision is not null) return state;
        if (process == Leader.Index) effects.Broadcast(new LeaderMessage(true, message.Value));
        return new LeaderState(message.Value);
    }

    public LeaderState OnTimer(LeaderState state, NoTimer timer, Effects<LeaderMessage, NoTimer, NothingDurable> effects) => state;

    public LeaderState OnRecover(NothingDurable? durable, Effects<LeaderMessage, NoTimer, NothingDurable> effects) => Start(effects);
}
