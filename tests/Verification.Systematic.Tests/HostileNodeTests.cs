using Verification.Checkers.Systematic;
using Verification.Runtime;
using Verification.Specs;
using Xunit.Abstractions;

namespace Verification.Systematic.Tests;

public abstract record CountEvent;

public sealed record Counted(int Total) : CountEvent;

public sealed record Item(int Seq);

/// <summary>A node state that is a record holding a mutable list: the classic way to break the node contract without noticing.</summary>
public sealed record ListState(List<int> Seen);

/// <summary>A mutable class used as a node state.</summary>
public sealed class MutableBox
{
    public int Count;

    public override string ToString() => $"MutableBox({Count})";
}

/// <summary>
/// Nodes written the way the node contract forbids, or that fail, each a hostile user's node: n0 sends items 1..3 to
/// n1 at start; n1 counts what it receives and reports the count (the spec says it never reaches 2, so any run that
/// delivers two items is a violation — if the tester sees it).
/// </summary>
public static class HostileNodes
{
    public static Spec<CountEvent> Spec()
    {
        var spec = new SpecBuilder<CountEvent>("FewerThanTwo");
        var total = spec.Variable<int>("Total");
        spec.Define(total, 0, e => ((Counted)e).Total);
        spec.Invariant("FewerThanTwo", () => total.Now < 2);
        return spec.Build();
    }

    public static Protocol<object, Item, string, object, CountEvent> Protocol(string name, Func<NodeId, INode<object, Item, string, object>> receiver) =>
        new(name, 2, id => id.Index == 0 ? new Sender() : receiver(id), Spec());

    public sealed class Sender : INode<object, Item, string, object>
    {
        public object Start(Effects<Item, string, object> effects)
        {
            for (var seq = 1; seq <= 3; seq++) effects.Send(new NodeId(1), new Item(seq));
            return "sender";
        }

        public object OnMessage(object state, NodeId from, Item message, Effects<Item, string, object> effects) => state;
        public object OnTimer(object state, string timer, Effects<Item, string, object> effects) => state;
        public object OnRecover(object? persisted, Effects<Item, string, object> effects) => persisted ?? Start(effects);
    }

    /// <summary>Adds each item to the list inside its record, in place, and returns the same record.</summary>
    public sealed class InPlaceList : INode<object, Item, string, object>
    {
        public object Start(Effects<Item, string, object> effects) => new ListState([]);

        public object OnMessage(object state, NodeId from, Item message, Effects<Item, string, object> effects)
        {
            var list = (ListState)state;
            list.Seen.Add(message.Seq);
            effects.Observe(new Counted(list.Seen.Count));
            return list;
        }

        public object OnTimer(object state, string timer, Effects<Item, string, object> effects) => state;
        public object OnRecover(object? persisted, Effects<Item, string, object> effects) => persisted ?? Start(effects);
    }

    /// <summary>A mutable class as its state, changed in place.</summary>
    public sealed class InPlaceBox : INode<object, Item, string, object>
    {
        public object Start(Effects<Item, string, object> effects) => new MutableBox();

        public object OnMessage(object state, NodeId from, Item message, Effects<Item, string, object> effects)
        {
            var box = (MutableBox)state;
            box.Count++;
            effects.Observe(new Counted(box.Count));
            return box;
        }

        public object OnTimer(object state, string timer, Effects<Item, string, object> effects) => state;
        public object OnRecover(object? persisted, Effects<Item, string, object> effects) => persisted ?? Start(effects);
    }

    /// <summary>Keeps its count in a field of the node object instead of its state.</summary>
    public sealed class CountingNodeObject : INode<object, Item, string, object>
    {
        private int received;

        public object Start(Effects<Item, string, object> effects) => "receiver";

        public object OnMessage(object state, NodeId from, Item message, Effects<Item, string, object> effects)
        {
            received++;
            effects.Observe(new Counted(Math.Min(received, 1)));
            return state;
        }

        public object OnTimer(object state, string timer, Effects<Item, string, object> effects) => state;
        public object OnRecover(object? persisted, Effects<Item, string, object> effects) => persisted ?? Start(effects);
    }

    /// <summary>Throws on item 2.</summary>
    public sealed class Throwing : INode<object, Item, string, object>
    {
        public object Start(Effects<Item, string, object> effects) => 0;

        public object OnMessage(object state, NodeId from, Item message, Effects<Item, string, object> effects) =>
            message.Seq == 2 ? throw new InvalidOperationException("item 2 is not welcome") : state;

        public object OnTimer(object state, string timer, Effects<Item, string, object> effects) => state;
        public object OnRecover(object? persisted, Effects<Item, string, object> effects) => persisted ?? Start(effects);
    }

    /// <summary>Never returns from the handler of item 3 (until the test releases it, so no thread outlives the test busy).</summary>
    public sealed class Looping(ManualResetEventSlim release) : INode<object, Item, string, object>
    {
        public object Start(Effects<Item, string, object> effects) => 0;

        public object OnMessage(object state, NodeId from, Item message, Effects<Item, string, object> effects)
        {
            if (message.Seq == 3) release.Wait();
            return state;
        }

        public object OnTimer(object state, string timer, Effects<Item, string, object> effects) => state;
        public object OnRecover(object? persisted, Effects<Item, string, object> effects) => persisted ?? Start(effects);
    }

    /// <summary>Returns null from a handler.</summary>
    public sealed class NullReturning : INode<object, Item, string, object>
    {
        public object Start(Effects<Item, string, object> effects) => 0;
        public object OnMessage(object state, NodeId from, Item message, Effects<Item, string, object> effects) => null!;
        public object OnTimer(object state, string timer, Effects<Item, string, object> effects) => state;
        public object OnRecover(object? persisted, Effects<Item, string, object> effects) => persisted ?? Start(effects);
    }

    /// <summary>Decides with unseeded randomness whether to count an item: replays of one schedule differ.</summary>
    public sealed class Random : INode<object, Item, string, object>
    {
        public object Start(Effects<Item, string, object> effects) => 0;

        public object OnMessage(object state, NodeId from, Item message, Effects<Item, string, object> effects)
        {
            var count = (int)state + System.Random.Shared.Next(2);
            effects.Observe(new Counted(count));
            return count;
        }

        public object OnTimer(object state, string timer, Effects<Item, string, object> effects) => state;
        public object OnRecover(object? persisted, Effects<Item, string, object> effects) => persisted ?? Start(effects);
    }

    /// <summary>Answers every item with two more (to itself, through n0): the network floods.</summary>
    public sealed class Flooding : INode<object, Item, string, object>
    {
        public object Start(Effects<Item, string, object> effects) => 0;

        public object OnMessage(object state, NodeId from, Item message, Effects<Item, string, object> effects)
        {
            effects.Send(effects.Self, message with { Seq = message.Seq + 1 });
            effects.Send(effects.Self, message with { Seq = message.Seq + 2 });
            return state;
        }

        public object OnTimer(object state, string timer, Effects<Item, string, object> effects) => state;
        public object OnRecover(object? persisted, Effects<Item, string, object> effects) => persisted ?? Start(effects);
    }
}

/// <summary>
/// The tester against nodes that misbehave (issue: hardening, items A1 and B5–B8): every misbehaviour is a named,
/// replayable counterexample — never a wrong verdict, a raw exception, a hang, or an out-of-memory crash.
/// </summary>
public class HostileNodeTests(ITestOutputHelper output)
{
    private static readonly string Schedules = Path.Combine(Path.GetTempPath(), "verification-test-schedules");

    private static SystematicTester<object, Item, string, object, CountEvent> Tester(INode<object, Item, string, object> receiver, TestOptions? options = null) =>
        new(HostileNodes.Protocol(receiver.GetType().Name, _ => receiver), (options ?? new TestOptions { Iterations = 50, MaxSteps = 20 }) with { ScheduleDirectory = Schedules });

    /// <summary>
    /// A1. A record holding a list changed in place: before the fix, DFS shared the list between branches and said
    /// "complete, no bug"; now every transition of a search checks the contract and reports the change in place.
    /// </summary>
    [Fact]
    public void StateChangedInPlace_IsAModelError_InExhaustiveSearch_NamingNodeHandlerAndStep()
    {
        var report = Tester(new HostileNodes.InPlaceList()).Explore(maxDepth: 20);
        output.WriteLine(report.ToString());
        Assert.False(report.Holds);
        Assert.Equal(FailureKind.ModelError, report.Bug?.Kind);
        var bug = report.Bug!;
        Assert.Equal("StateChangedInPlace", bug.Property);
        Assert.Contains("n1's OnMessage changed the", bug.Details);
        Assert.Contains("while handling: deliver n0→n1: Item", bug.Details);
        Assert.Single(bug.Schedule.Steps); // the first delivery already changes the list
    }

    [Fact]
    public void MutableClassState_IsAModelError_InRandomRuns_AndReplays()
    {
        var bug = Tester(new HostileNodes.InPlaceBox()).AssertFindsAndReplays("StateChangedInPlace", FailureKind.ModelError);
        output.WriteLine(bug.ToString());
        Assert.Contains("n1's OnMessage", bug.Details);
    }

    [Fact]
    public void NodeObjectWithAField_IsAModelError()
    {
        var bug = Tester(new HostileNodes.CountingNodeObject()).Run().AssertFound("NodeObjectChanged", FailureKind.ModelError);
        Assert.Contains("node objects must hold no mutable state", bug.Details);
    }

    [Fact]
    public void NullState_IsAModelError()
    {
        var bug = Tester(new HostileNodes.NullReturning()).Run().AssertFound("NullState", FailureKind.ModelError);
        Assert.Contains("n1's OnMessage returned a null state", bug.Details);
    }

    [Fact]
    public void MutationChecksOff_StillRunsAndSaysNothingAboutTheContract()
    {
        // With checks off the tester trusts the node: the in-place count goes up to 2 and the invariant catches it.
        var report = Tester(new HostileNodes.InPlaceBox(), new TestOptions { Iterations = 20, MaxSteps = 20, MutationChecks = MutationCheck.Off }).Run();
        Assert.Equal(FailureKind.Safety, report.Bug?.Kind);
    }

    /// <summary>B5. A handler that throws: a counterexample of kind HandlerException under every strategy, replayable, with the node, handler, message and exception.</summary>
    [Theory]
    [InlineData(StrategyKind.Random)]
    [InlineData(StrategyKind.Pct)]
    [InlineData(StrategyKind.Portfolio)]
    public void ThrowingHandler_IsAHandlerExceptionCounterexample_UnderEveryStrategy(StrategyKind strategy)
    {
        var bug = Tester(new HostileNodes.Throwing(), new TestOptions { Strategy = strategy, Iterations = 50, MaxSteps = 20 })
            .AssertFindsAndReplays("InvalidOperationException", FailureKind.HandlerException);
        output.WriteLine(bug.ToString());
        Assert.Contains("n1's OnMessage threw InvalidOperationException: item 2 is not welcome", bug.Details);
        Assert.Contains("while handling: deliver n0→n1: Item { Seq = 2 }", bug.Details);
        Assert.Equal("deliver n0→n1: Item { Seq = 2 }", bug.Schedule.Steps[^1].Action);
        Assert.NotNull(bug.SchedulePath);
    }

    [Fact]
    public void ThrowingHandler_InExhaustiveSearch_IsACounterexample_NotARawException()
    {
        var report = Tester(new HostileNodes.Throwing()).Explore(maxDepth: 20);
        output.WriteLine(report.ToString());
        Assert.Equal(FailureKind.HandlerException, report.Bug?.Kind);
        Assert.StartsWith("Throwing: violated (InvalidOperationException) by exhaustive search", report.ToString());
    }

    /// <summary>B6. A handler that never returns: reported with the node, the handler and the schedule up to it, within the step budget.</summary>
    [Fact]
    public void LoopingHandler_IsReportedAsAHang_WithTheScheduleSoFar()
    {
        using var release = new ManualResetEventSlim();
        try
        {
            var options = new TestOptions { Iterations = 10, MaxSteps = 20, StepTimeout = TimeSpan.FromMilliseconds(300) };
            var tester = Tester(new HostileNodes.Looping(release), options);
            var report = tester.Run();
            output.WriteLine(report.ToString());
            var bug = report.Bug!;
            Assert.Equal(FailureKind.HandlerTimeout, bug.Kind);
            Assert.Contains("n1's OnMessage did not return within 0.3 s", bug.Details);
            Assert.Equal("deliver n0→n1: Item { Seq = 3 }", bug.Schedule.Steps[^1].Action);
            // Its schedule replays to the same hang.
            var replay = tester.Replay(bug.Schedule);
            Assert.Equal(FailureKind.HandlerTimeout, replay.Kind);

            var search = Tester(new HostileNodes.Looping(release), options).Explore(maxDepth: 20);
            Assert.Equal(FailureKind.HandlerTimeout, search.Bug?.Kind);
        }
        finally
        {
            release.Set(); // the abandoned threads return and end
        }
    }

    /// <summary>B7. Unseeded randomness: the failing run does not replay the same way, and the report says where and why.</summary>
    [Fact]
    public void RandomNode_ReplayDivergence_IsReportedWithTheLikelyCauses()
    {
        var tester = Tester(new HostileNodes.Random(), new TestOptions { Iterations = 200, MaxSteps = 20 });
        // Whatever happens first — the failing run not reproducing, or its schedule replaying differently — the report names nondeterminism.
        var error = Record.Exception(() =>
        {
            for (var attempt = 0; attempt < 20; attempt++) tester.AssertFindsAndReplays("FewerThanTwo");
        });
        output.WriteLine(error?.Message ?? "(no error)");
        Assert.NotNull(error);
        Assert.Matches("not deterministic|diverged|did not replay", error!.Message);
        Assert.Contains("randomness", error.Message);
    }

    /// <summary>B7. A schedule whose steps behave differently on replay (as a node using string.GetHashCode does in another process) is caught at the first differing step.</summary>
    [Fact]
    public void ReplayOfASchedule_WhoseNodeNowBehavesDifferently_ReportsTheFirstDifferingStep()
    {
        SaltedNode.Salt = 0;
        var protocol = HostileNodes.Protocol("Salted", _ => new SaltedNode());
        var tester = protocol.Tester(new TestOptions { Iterations = 100, MaxSteps = 20, ScheduleDirectory = Schedules });
        var bug = tester.Run().AssertFound("FewerThanTwo");
        Assert.All(bug.Schedule.Steps, s => Assert.NotNull(s.Fingerprint));
        SaltedNode.Salt = 1; // a new process: hash codes differ
        try
        {
            var replay = tester.Replay(Schedule.Load(bug.SchedulePath!));
            output.WriteLine(replay.Divergence);
            Assert.NotNull(replay.Divergence);
            Assert.Contains("the replay diverged at step", replay.Divergence);
            Assert.Contains("hash codes", replay.Divergence);
        }
        finally
        {
            SaltedNode.Salt = 0;
        }
    }

    /// <summary>Counts items whose salted hash is even: stands for a node whose behaviour depends on a per-process hash seed.</summary>
    private sealed class SaltedNode : INode<object, Item, string, object>
    {
        public static int Salt;

        public object Start(Effects<Item, string, object> effects) => 0;

        public object OnMessage(object state, NodeId from, Item message, Effects<Item, string, object> effects)
        {
            var count = (int)state + ((message.Seq + Salt) % 2 == 0 ? 1 : 2);
            effects.Observe(new Counted(count));
            return count;
        }

        public object OnTimer(object state, string timer, Effects<Item, string, object> effects) => state;
        public object OnRecover(object? persisted, Effects<Item, string, object> effects) => persisted ?? Start(effects);
    }

    /// <summary>B8. A protocol that floods the network hits the in-flight bound, with a clear report, instead of exhausting memory.</summary>
    [Fact]
    public void FloodingProtocol_HitsTheInFlightBound_WithAClearReport()
    {
        var bug = Tester(new HostileNodes.Flooding(), new TestOptions { Iterations = 5, MaxSteps = 500, MaxMessagesInFlight = 100 })
            .AssertFindsAndReplays("MaxMessagesInFlight", FailureKind.ResourceLimit);
        output.WriteLine(bug.Details);
        Assert.Contains("while 100 were in flight", bug.Details);
    }

    /// <summary>B8. A message whose text is huge is cut in the schedule (with a hash that still tells it apart), so saving and replaying stay small.</summary>
    [Fact]
    public void HugeMessages_AreCutInSchedules_AndStillReplay()
    {
        var protocol = new Protocol<object, string, string, object, CountEvent>("Huge", 2, id => new HugeSender(), HostileNodes.Spec());
        var tester = protocol.Tester(new TestOptions { Iterations = 10, MaxSteps = 10, ScheduleDirectory = Schedules });
        var bug = tester.AssertFindsAndReplays("FewerThanTwo");
        Assert.True(new FileInfo(bug.SchedulePath!).Length < 50_000);
        Assert.Contains("characters, #", bug.Schedule.Steps[0].Action);
    }

    private sealed class HugeSender : INode<object, string, string, object>
    {
        public object Start(Effects<string, string, object> effects)
        {
            if (effects.Self.Index == 0)
                for (var i = 0; i < 2; i++) effects.Send(new NodeId(1), new string((char)('a' + i), 1_000_000));
            return 0;
        }

        public object OnMessage(object state, NodeId from, string message, Effects<string, string, object> effects)
        {
            effects.Observe(new Counted((int)state + 1));
            return (int)state + 1;
        }

        public object OnTimer(object state, string timer, Effects<string, string, object> effects) => state;
        public object OnRecover(object? persisted, Effects<string, string, object> effects) => persisted ?? Start(effects);
    }

    /// <summary>Each parallel worker gets its own node objects (the factory is called per worker).</summary>
    [Fact]
    public void ParallelWorkers_HaveTheirOwnNodeObjects()
    {
        var created = 0;
        var protocol = HostileNodes.Protocol("Counting", id => { Interlocked.Increment(ref created); return new HostileNodes.Throwing(); });
        protocol.Tester(new TestOptions { Iterations = 4, MaxSteps = 1, Parallelism = 2, Minimize = false }).Run();
        Assert.True(created >= 2, $"{created} receivers created for two workers"); // the tester's own, and the second worker's
    }
}
