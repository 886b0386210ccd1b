using Verification.Checkers.Systematic;
using Verification.Runtime;
using Xunit.Abstractions;

namespace Verification.Systematic.Tests;

/// <summary>Each node fires one timer; when <paramref name="observe"/>, node i tells the spec it issued number i + 1.</summary>
public sealed class OneShot(bool observe) : INode<SequencerState, Tick, string, SequencerState>
{
    public SequencerState Start(Effects<Tick, string, SequencerState> effects)
    {
        effects.SetTimer("go");
        return new SequencerState(0);
    }

    public SequencerState OnMessage(SequencerState state, NodeId from, Tick message, Effects<Tick, string, SequencerState> effects) => state;

    public SequencerState OnTimer(SequencerState state, string timer, Effects<Tick, string, SequencerState> effects)
    {
        if (observe) effects.Observe(new Issued(effects.Self.Index + 1));
        return new SequencerState(1);
    }

    public SequencerState OnRecover(SequencerState? persisted, Effects<Tick, string, SequencerState> effects) => new(0);
}

public class PartialOrderTests(ITestOutputHelper output)
{
    /// <summary>
    /// Three nodes, one silent step each: 8 states (every subset of steps taken) and 12 transitions in full; sleep sets
    /// take each state once — 7 transitions, 5 steps asleep — counted by hand in the comment of each line.
    /// </summary>
    [Fact]
    public void IndependentSteps_EveryStateOnce()
    {
        var protocol = new Protocol<SequencerState, Tick, string, SequencerState, IssueEvent>("OneShot", 3, _ => new OneShot(observe: false), Sequencer.Spec(lotteryMayPickTwo: true));
        var full = protocol.Tester(new TestOptions()).Explore(maxDepth: 10);
        var reduced = protocol.Tester(new TestOptions()).Explore(maxDepth: 10, partialOrder: true);
        output.WriteLine(full.ToString());
        output.WriteLine(reduced.ToString());
        Assert.True(full.Holds);
        Assert.True(reduced.Holds);
        Assert.Equal(8, full.Coverage.States);
        Assert.Equal(12, full.Coverage.Transitions); // 3 + 2·3 + 3
        Assert.Equal(8, reduced.Coverage.States);
        Assert.Equal(7, reduced.Coverage.Transitions); // a spanning tree of the cube
        Assert.Contains(reduced.Within, line => line.EndsWith("; 5 steps asleep (covered by another order), 0 woken on a revisit", StringComparison.Ordinal));
    }

    /// <summary>
    /// Both steps give the spec an event, and only one order breaks it (n1 issues 2, then n0 issues 1 — a number
    /// reissued below the highest): steps the spec sees in an order are dependent, so the reduction keeps both orders.
    /// </summary>
    [Fact]
    public void StepsTheSpecSeesBoth_AreNotReordered_TheBugIsFound()
    {
        var protocol = new Protocol<SequencerState, Tick, string, SequencerState, IssueEvent>("Racers", 2, _ => new OneShot(observe: true), Sequencer.Spec(lotteryMayPickTwo: true));
        var full = protocol.Tester(new TestOptions()).Explore(maxDepth: 10);
        var reduced = protocol.Tester(new TestOptions()).Explore(maxDepth: 10, partialOrder: true);
        output.WriteLine(reduced.ToString());
        Assert.Equal("NeverReissued", full.Bug?.Property);
        Assert.Equal("NeverReissued", reduced.Bug?.Property);
    }

    /// <summary>Where the reduction cannot apply it says so, and the search is the full one.</summary>
    [Fact]
    public void SynchronousTiming_ReductionOff_AndSaid()
    {
        var protocol = new Protocol<SequencerState, Tick, string, SequencerState, IssueEvent>("OneShot", 3, _ => new OneShot(observe: false), Sequencer.Spec(lotteryMayPickTwo: true));
        var reduced = protocol.Tester(new TestOptions { Faults = new FaultModel { Timing = Timing.Synchronous } }).Explore(maxDepth: 10, partialOrder: true);
        Assert.Contains(reduced.Within, line => line.StartsWith("partial-order reduction off: under synchronous timing", StringComparison.Ordinal));
        Assert.Equal(12, reduced.Coverage.Transitions);
    }
}
