using Verification.Checkers.Systematic;
using Verification.Runtime;
using Verification.Specs;
using Verification.SpinPaxos;
using Xunit.Abstractions;

namespace Verification.Systematic.Tests;

/// <summary>A node state compared by reference (no Equals): every object is a state of its own to the search.</summary>
public sealed class ReferenceState(int received)
{
    public int Received { get; } = received;

    public override string ToString() => $"ReferenceState({Received})";
}

/// <summary>Nodes that test when a search may replay a handler's remembered result instead of calling it.</summary>
public static class ReplayNodes
{
    /// <summary>Answers each item with a reply numbered by a static count of its calls: two calls with equal inputs answer differently.</summary>
    public sealed class CountingInStatic : INode<object, Item, string, object>
    {
        private static int calls;

        public object Start(Effects<Item, string, object> effects) => "receiver";

        public object OnMessage(object state, NodeId from, Item message, Effects<Item, string, object> effects)
        {
            if (effects.Self.Index == 1) effects.Send(from, new Item(100 + Interlocked.Increment(ref calls)));
            return state;
        }

        public object OnTimer(object state, string timer, Effects<Item, string, object> effects) => state;
        public object OnRecover(object? persisted, Effects<Item, string, object> effects) => persisted ?? Start(effects);
    }

    /// <summary>
    /// Counts odd items in a new state object compared by reference, and ignores even ones (keeping its object): one
    /// object meets the same item in several orders, and a replay would return the old object where a call makes a new
    /// one — another state to the search.
    /// </summary>
    public sealed class ReferenceCounting : INode<object, Item, string, object>
    {
        public object Start(Effects<Item, string, object> effects) => new ReferenceState(0);

        public object OnMessage(object state, NodeId from, Item message, Effects<Item, string, object> effects) =>
            state is ReferenceState counted && message.Seq % 2 == 1 ? new ReferenceState(counted.Received + 1) : state;

        public object OnTimer(object state, string timer, Effects<Item, string, object> effects) => state;
        public object OnRecover(object? persisted, Effects<Item, string, object> effects) => persisted ?? Start(effects);
    }

    /// <summary>Records a fresh list of the odd items in a record (the list compared by reference), and ignores even ones.</summary>
    public sealed class FreshListInRecord : INode<object, Item, string, object>
    {
        public object Start(Effects<Item, string, object> effects) => new ListState([]);

        public object OnMessage(object state, NodeId from, Item message, Effects<Item, string, object> effects) =>
            state is ListState list && message.Seq % 2 == 1 ? new ListState([.. list.Seen, message.Seq]) : state;

        public object OnTimer(object state, string timer, Effects<Item, string, object> effects) => state;
        public object OnRecover(object? persisted, Effects<Item, string, object> effects) => persisted ?? Start(effects);
    }
}

/// <summary>
/// Handler results replayed by exhaustive search (issue 14, the rate per transition): a search that replays gives the
/// states, transitions and verdict of one that calls every handler, and a handler that answers an equal input
/// differently is refused rather than trusted.
/// </summary>
public class HandlerReplayTests(ITestOutputHelper output)
{
    private static TestOptions Calling(TestOptions options) => options with { ReplayHandlerResults = false };

    [Fact]
    public void SpinPaxos_SameStatesAndTransitions_WithAndWithoutReplay()
    {
        var replayed = SpinPaxosNode.Explore(new SpinPaxosConfig(Rounds: 1));
        var called = SpinPaxosNode.Explore(new SpinPaxosConfig(Rounds: 1), replayHandlerResults: false);

        Assert.True(replayed.Holds, replayed.ToString());
        Assert.True(called.Holds, called.ToString());
        Assert.Equal(170_572, replayed.Coverage.States);
        Assert.Equal(791_820, replayed.Coverage.Transitions);
        Assert.Equal(called.Coverage.States, replayed.Coverage.States);
        Assert.Equal(called.Coverage.Transitions, replayed.Coverage.Transitions);
    }

    [Fact]
    public void SpinPaxosPlantedBug_TheSameCounterexample_WithAndWithoutReplay()
    {
        var replayed = SpinPaxosNode.Explore(new SpinPaxosConfig(Rounds: 1, MinorityQuorum: true));
        var called = SpinPaxosNode.Explore(new SpinPaxosConfig(Rounds: 1, MinorityQuorum: true), replayHandlerResults: false);

        Assert.True(replayed.IsViolated, replayed.ToString());
        var (replayedBug, calledBug) = (replayed.Bug!, called.Bug!);
        Assert.Equal(calledBug.Property, replayedBug.Property);
        Assert.Equal(calledBug.Schedule.Steps.Select(step => step.Action), replayedBug.Schedule.Steps.Select(step => step.Action));
        Assert.Equal(called.Coverage.States, replayed.Coverage.States);
    }

    /// <summary>The sequencer's lottery timer chooses a value: its call is never replayed, or its other choices would be lost.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void HandlerThatChooses_IsCalledEveryTime_SameStatesAndTransitions(bool persist)
    {
        var options = new TestOptions { CheckLiveness = false };
        var replayed = Sequencer.Protocol(persist, lotteryMayPickTwo: true).Tester(options).Explore(maxDepth: 40);
        var called = Sequencer.Protocol(persist, lotteryMayPickTwo: true).Tester(Calling(options)).Explore(maxDepth: 40);

        output.WriteLine(replayed.ToString());
        Assert.True(replayed.Holds, replayed.ToString());
        Assert.Equal(called.Coverage.States, replayed.Coverage.States);
        Assert.Equal(called.Coverage.Transitions, replayed.Coverage.Transitions);
    }

    /// <summary>A state compared by reference: a replay would hand back the old object where a call makes a new one, so it is never replayed.</summary>
    [Fact]
    public void StateComparedByReference_IsCalledEveryTime_SameStatesAndTransitions() =>
        SameSearchWithAndWithoutReplay(HostileNodes.Protocol("ReferenceCounting", _ => new ReplayNodes.ReferenceCounting()));

    /// <summary>
    /// A record holding a list (compared by reference): two calls never answer equally, though they answer alike. The
    /// record type has Equals, so the first replay's call finds it; the input is then called every time, as without
    /// replay, and the handler is not taken for a nondeterministic one.
    /// </summary>
    [Fact]
    public void ListInsideARecord_IsCalledEveryTime_NotReportedNondeterministic() =>
        SameSearchWithAndWithoutReplay(HostileNodes.Protocol("FreshListInRecord", _ => new ReplayNodes.FreshListInRecord()));

    private void SameSearchWithAndWithoutReplay<TState, TMessage, TTimer, TDurable, TSpecEvent>(Protocol<TState, TMessage, TTimer, TDurable, TSpecEvent> protocol)
        where TState : class where TMessage : notnull where TTimer : notnull where TDurable : class where TSpecEvent : class
    {
        var options = new TestOptions { CheckLiveness = false };
        var replayed = protocol.Tester(options).Explore(maxDepth: 20);
        var called = protocol.Tester(Calling(options)).Explore(maxDepth: 20);

        output.WriteLine(replayed.ToString());
        Assert.Equal(called.Verdict, replayed.Verdict);
        Assert.Equal(called.Coverage.States, replayed.Coverage.States);
        Assert.Equal(called.Coverage.Transitions, replayed.Coverage.Transitions);
    }

    /// <summary>A handler whose answer depends on a static counter: the search sees two equal inputs answered differently and stops, naming the handler and step — on one worker and on several (each worker keeps its own memory).</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void NondeterministicHandler_InExhaustiveSearch_IsRefused_NamingNodeHandlerAndStep(int workers)
    {
        var protocol = HostileNodes.Protocol("CountingInStatic", _ => new ReplayNodes.CountingInStatic());
        var error = Assert.Throws<SpecException>(() => protocol.Tester(new TestOptions { CheckLiveness = false, Parallelism = workers }).Explore(maxDepth: 20));

        output.WriteLine(error.Message);
        Assert.Contains("CountingInStatic: exhaustive search stopped: n1's OnMessage answered the same input differently", error.Message);
        Assert.Contains("while handling: deliver n0→n1: Item", error.Message);
        Assert.Contains("Likely causes", error.Message);
    }

    /// <summary>The livelock search replays handler results too, so it refuses the same handler (it called every handler at every transition before, and saw nothing).</summary>
    [Fact]
    public void NondeterministicHandler_InLivelockSearch_IsRefused()
    {
        var spec = new SpecBuilder<CountEvent>("NothingOwed");
        spec.Liveness("NeverHot", () => false);
        var protocol = HostileNodes.Protocol("CountingInStatic", _ => new ReplayNodes.CountingInStatic()) with { Spec = spec.Build() };
        var error = Assert.Throws<SpecException>(() => protocol.Tester(new TestOptions()).FindLivelock(maxDepth: 20));

        output.WriteLine(error.Message);
        Assert.Contains("CountingInStatic: livelock search stopped: n1's OnMessage answered the same input differently", error.Message);
    }
}
