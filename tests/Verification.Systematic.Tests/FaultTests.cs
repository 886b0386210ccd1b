using Verification.Checkers.Systematic;
using Verification.Runtime;
using Verification.Specs;
using Xunit.Abstractions;

namespace Verification.Systematic.Tests;

public abstract record IssueEvent;

public sealed record Issued(int Number) : IssueEvent;

public sealed record Picked(int Value) : IssueEvent;

public sealed record Tick;

public sealed record SequencerState(int Next);

/// <summary>
/// A sequencer hands out numbers on a timer; numbers must never repeat, even across crashes. The planted bug: it
/// does not persist the counter, so after an amnesia crash it starts again from 1. The fix persists the counter
/// before it announces the number (the persist-before-send rule). It also draws a random "lottery" value through the
/// runtime, to exercise choices.
/// </summary>
public sealed class Sequencer(bool persist, int limit = 3) : INode<SequencerState, Tick, string, SequencerState>
{
    public SequencerState Start(Effects<Tick, string, SequencerState> effects)
    {
        effects.SetTimer("issue");
        if (effects.Self.Index == 1) effects.SetTimer("lottery");
        return new SequencerState(1);
    }

    public SequencerState OnMessage(SequencerState state, NodeId from, Tick message, Effects<Tick, string, SequencerState> effects) => state;

    public SequencerState OnTimer(SequencerState state, string timer, Effects<Tick, string, SequencerState> effects)
    {
        if (timer == "lottery")
        {
            effects.Observe(new Picked(effects.Choose(3)));
            return state;
        }
        if (effects.Self.Index != 0 || state.Next > limit) return state;
        var next = new SequencerState(state.Next + 1);
        if (persist) effects.Persist(next);
        effects.Observe(new Issued(state.Next));
        effects.SetTimer("issue");
        return next;
    }

    public SequencerState OnRecover(SequencerState? persisted, Effects<Tick, string, SequencerState> effects)
    {
        effects.SetTimer("issue");
        return persisted ?? new SequencerState(1);
    }

    public static Spec<IssueEvent> Spec(bool lotteryMayPickTwo)
    {
        var spec = new SpecBuilder<IssueEvent>("UniqueNumbers");
        var highest = spec.Variable<int>("Highest");
        spec.Define(highest, 0, e => e is Issued ? ((Issued)e).Number : highest.Now);
        spec.StepProperty("NeverReissued", e => !(e is Issued) || ((Issued)e).Number > highest.Now);
        if (!lotteryMayPickTwo) spec.StepProperty("LotteryNeverTwo", e => !(e is Picked) || ((Picked)e).Value != 2);
        return spec.Build();
    }

    public static Protocol<SequencerState, Tick, string, SequencerState, IssueEvent> Protocol(bool persist, bool lotteryMayPickTwo = true) =>
        new(persist ? "SequencerPersisting" : "SequencerForgetful", 2, _ => new Sequencer(persist), Spec(lotteryMayPickTwo));
}

/// <summary>n0 sends n1 three ticks at start; n1 answers each with one tick; neither remembers anything (only the network moves).</summary>
public sealed class Chatter : INode<SequencerState, Tick, string, SequencerState>
{
    public SequencerState Start(Effects<Tick, string, SequencerState> effects)
    {
        if (effects.Self.Index == 0)
            for (var i = 0; i < 3; i++) effects.Send(new NodeId(1), new Tick());
        return new SequencerState(0);
    }

    public SequencerState OnMessage(SequencerState state, NodeId from, Tick message, Effects<Tick, string, SequencerState> effects)
    {
        if (effects.Self.Index == 1) effects.Send(from, new Tick());
        return state;
    }

    public SequencerState OnTimer(SequencerState state, string timer, Effects<Tick, string, SequencerState> effects) => state;

    public SequencerState OnRecover(SequencerState? persisted, Effects<Tick, string, SequencerState> effects) => new(0);
}

public class FaultTests(ITestOutputHelper output)
{
    [Fact]
    public void UnpersistedCounter_AfterAnAmnesiaCrash_ReissuesANumber()
    {
        var tester = Sequencer.Protocol(persist: false).Tester(new TestOptions { Seed = 2, Iterations = 200, MaxSteps = 30, Faults = FaultModel.CrashRecover(1) });
        var bug = tester.AssertFindsAndReplays("NeverReissued", FailureKind.Safety);
        output.WriteLine(bug.ToString());
        Assert.Contains(bug.Schedule.Steps, s => s.Action == "crash n0 (amnesia)");
        Assert.Contains(bug.Schedule.Steps, s => s.Action == "recover n0");
    }

    [Fact]
    public void UnpersistedCounter_DfsFindsTheShortestCrash()
    {
        var tester = Sequencer.Protocol(persist: false).Tester(new TestOptions { Faults = FaultModel.CrashRecover(1) });
        var report = tester.Explore(maxDepth: 12);
        output.WriteLine(report.ToString());
        Assert.Equal("NeverReissued", report.Bug?.Property);
        // issue 1, crash, recover, issue 1 again
        Assert.Equal(4, report.Bug!.Schedule.Steps.Count(s => !s.Action.StartsWith("timer n1", StringComparison.Ordinal)));
    }

    [Fact]
    public void BreadthFirst_FindsAShortestCounterexample_AndCoversTheSameStates()
    {
        var tester = Sequencer.Protocol(persist: false).Tester(new TestOptions { Faults = FaultModel.CrashRecover(1) });
        var dfs = tester.Explore(maxDepth: 12);
        var bfs = tester.Explore(maxDepth: 12, order: SearchOrder.BreadthFirst);
        output.WriteLine(bfs.ToString());
        Assert.Equal("NeverReissued", bfs.Bug?.Property);
        Assert.Contains("BFS", bfs.Method);
        // Issue 1, crash, recover, issue 1 again: four steps, with no lottery timer in between (BFS never takes a detour).
        Assert.Equal(["timer n0 'issue'", "crash n0 (amnesia)", "recover n0", "timer n0 'issue'"], bfs.Bug!.Schedule.Steps.Select(s => s.Action));
        Assert.True(dfs.Bug!.Schedule.Steps.Count >= bfs.Bug!.Schedule.Steps.Count);
        // Where nothing fails, both orders visit every reachable state: the same count.
        var persisted = Sequencer.Protocol(persist: true).Tester(new TestOptions { Faults = FaultModel.CrashRecover(1) });
        var all = persisted.Explore(maxDepth: 40);
        var allBreadthFirst = persisted.Explore(maxDepth: 40, order: SearchOrder.BreadthFirst);
        Assert.True(all.Holds && allBreadthFirst.Holds);
        Assert.Equal(all.Coverage.States, allBreadthFirst.Coverage.States);
        Assert.Equal(all.Coverage.Transitions, allBreadthFirst.Coverage.Transitions);
    }

    /// <summary>
    /// Issue 14 item 5: iterative deepening finds the shortest counterexample BFS finds (DFS's first is longer), by
    /// bounds 1, 2, 4 then bisection; where nothing fails it is a complete search over the same states; it refuses
    /// sleep sets, whose bookkeeping it would break.
    /// </summary>
    [Fact]
    public void IterativeDeepening_FindsAShortestCounterexample_WithADepthFirstSearchsMemory()
    {
        var tester = Sequencer.Protocol(persist: false).Tester(new TestOptions { Faults = FaultModel.CrashRecover(1) });
        var dfs = tester.Explore(maxDepth: 12);
        var deepening = tester.Explore(maxDepth: 12, order: SearchOrder.IterativeDeepening);
        output.WriteLine(deepening.ToString());
        Assert.Equal("NeverReissued", deepening.Bug?.Property);
        Assert.Contains("iterative deepening", deepening.Method);
        Assert.Equal(["timer n0 'issue'", "crash n0 (amnesia)", "recover n0", "timer n0 'issue'"], deepening.Bug!.Schedule.Steps.Select(s => s.Action));
        Assert.Equal(4, deepening.Bug!.OriginalSteps);
        Assert.True(dfs.Bug!.OriginalSteps > 4, $"DFS's first counterexample has {dfs.Bug!.OriginalSteps} steps");
        Assert.Contains("depth bounds searched: 1, 2, 4", deepening.Notes);

        var persisted = Sequencer.Protocol(persist: true).Tester(new TestOptions { Faults = FaultModel.CrashRecover(1) });
        var all = persisted.Explore(maxDepth: 40);
        var allDeepening = persisted.Explore(maxDepth: 40, order: SearchOrder.IterativeDeepening);
        output.WriteLine(allDeepening.ToString());
        Assert.True(all.Holds && allDeepening.Holds);
        Assert.Equal(all.Coverage.States, allDeepening.Coverage.States);
        // Cut by the depth bound: unknown, not holds.
        Assert.Equal(Verdict.Unknown, persisted.Explore(maxDepth: 2, order: SearchOrder.IterativeDeepening).Verdict);
        Assert.Throws<ConfigurationException>(() => persisted.Explore(maxDepth: 40, order: SearchOrder.IterativeDeepening, partialOrder: true));
    }

    [Fact]
    public void UnboundedLoss_DoesNotSplitStatesByHowManyWereLost()
    {
        var ping = new Protocol<SequencerState, Tick, string, SequencerState, IssueEvent>("Chatter", 2, _ => new Chatter(), Sequencer.Spec(lotteryMayPickTwo: true));
        var bounded = ping.Tester(new TestOptions { Faults = new FaultModel { MaxLosses = 1000 } }).Explore(maxDepth: 100);
        var unbounded = ping.Tester(new TestOptions { Faults = new FaultModel { MaxLosses = FaultModel.Unbounded } }).Explore(maxDepth: 100);
        output.WriteLine(bounded.ToString());
        output.WriteLine(unbounded.ToString());
        Assert.True(bounded.Holds && unbounded.Holds);
        Assert.Contains("any number of lost messages", unbounded.ToString());
        // A budget of 1000 is never reached here, but each count of losses so far is a state of its own. Counted by
        // hand: i requests and j replies in flight, i + j ≤ 3 (10 states); with the budget each also carries the
        // losses so far, any of 0..3−i−j (20 states).
        Assert.Equal(10, unbounded.Coverage.States);
        Assert.Equal(20, bounded.Coverage.States);
    }

    [Fact]
    public void SearchMemoryLimit_StopsWithUnknownAndWhatItCovered_AndProgressIsReported()
    {
        var faults = new FaultModel { MaxCrashes = 2, MaxDownAtOnce = 1, CrashKinds = [CrashKind.Amnesia, CrashKind.Pause, CrashKind.Stop], MaxPartitions = 1 };
        var reports = new List<SearchProgress>();
        var tester = Sequencer.Protocol(persist: true).Tester(new TestOptions { Faults = faults, Progress = reports.Add, ProgressInterval = TimeSpan.FromTicks(1) });
        var full = tester.Explore(maxDepth: 40);
        Assert.True(full.Holds);
        Assert.NotEmpty(reports); // 2,806 transitions: a report after 1,024 and after 2,048
        Assert.All(reports, r => Assert.InRange(r.States, 1, full.Coverage.States));
        Assert.Contains(" states (", reports[0].ToString());

        var starved = Sequencer.Protocol(persist: true).Tester(new TestOptions { Faults = faults, MaxSearchMemory = 1 }).Explore(maxDepth: 40);
        output.WriteLine(starved.ToString());
        Assert.Equal(Verdict.Unknown, starved.Verdict);
        Assert.Equal(Inconclusive.Budget, starved.Why);
        Assert.Contains("memory limit", starved.Reason);
        Assert.True(starved.Coverage.States >= 1);
        Assert.Throws<ConfigurationException>(() => Sequencer.Protocol(persist: true).Tester(new TestOptions { MaxSearchMemory = 0 }));
    }

    [Fact]
    public void PersistedCounter_SurvivesEveryFaultKind_Exhaustively()
    {
        var faults = new FaultModel { MaxCrashes = 2, MaxDownAtOnce = 1, CrashKinds = [CrashKind.Amnesia, CrashKind.Pause, CrashKind.Stop], MaxPartitions = 1 };
        var tester = Sequencer.Protocol(persist: true).Tester(new TestOptions { Faults = faults });
        var report = tester.Explore(maxDepth: 40);
        output.WriteLine(report.ToString());
        Assert.Null(report.Bug);
        Assert.True(report.Holds);
        Assert.Equal(672, report.Coverage.States); // pinned
        // Hash compaction keeps a fingerprint per state: the same states, fewer bytes, and the chance of a miss stated.
        var compacted = tester.Explore(maxDepth: 40, store: VisitedStore.HashCompaction);
        Assert.True(compacted.Holds);
        Assert.Equal(672, compacted.Coverage.States);
        Assert.Contains(compacted.Within, w => w.StartsWith("hash compaction: 64-bit fingerprints, probability that a state was missed ≤ 1.2E-14", StringComparison.Ordinal));
        Assert.True(compacted.Coverage.BytesPerState < report.Coverage.BytesPerState, $"{compacted.Coverage.BytesPerState} vs {report.Coverage.BytesPerState}");
        Sequencer.Protocol(persist: true).Tester(new TestOptions { Iterations = 300, MaxSteps = 60, Faults = FaultModel.Full(f: 1) }).Run().AssertHolds();
    }

    [Fact]
    public void RandomValuesAreChoices_DfsBranchesOnThem_AndReplayRepeatsThem()
    {
        var protocol = Sequencer.Protocol(persist: true, lotteryMayPickTwo: false);
        var tester = protocol.Tester(new TestOptions { Seed = 4, Iterations = 100, MaxSteps = 20 });
        var dfs = tester.Explore(maxDepth: 10);
        Assert.Equal("LotteryNeverTwo", dfs.Bug?.Property);
        var lottery = Assert.Single(dfs.Bug!.Schedule.Steps, s => s.Action == "timer n1 'lottery'");
        Assert.Equal([2], lottery.Choices);
        var random = tester.AssertFindsAndReplays("LotteryNeverTwo");
        Assert.Contains(random.Schedule.Steps, s => s.Choices.SequenceEqual([2]));
    }
}

public class DefinitionErrorTests
{
    private sealed class Stranger : INode<SequencerState, Tick, string, SequencerState>
    {
        public SequencerState Start(Effects<Tick, string, SequencerState> effects)
        {
            effects.Observe("not an event of the spec");
            return new SequencerState(0);
        }

        public SequencerState OnMessage(SequencerState state, NodeId from, Tick message, Effects<Tick, string, SequencerState> effects) => state;
        public SequencerState OnTimer(SequencerState state, string timer, Effects<Tick, string, SequencerState> effects) => state;
        public SequencerState OnRecover(SequencerState? persisted, Effects<Tick, string, SequencerState> effects) => new(0);
    }

    [Fact]
    public void ObservingAnEventOutsideTheSpecsAlphabet_IsADefinitionError_NotABug()
    {
        var protocol = new Protocol<SequencerState, Tick, string, SequencerState, IssueEvent>("Stranger", 1, _ => new Stranger(), Sequencer.Spec(true));
        var error = Assert.Throws<Verification.Specs.SpecException>(() => protocol.Tester(new TestOptions { Iterations = 5, Parallelism = 2 }).Run());
        Assert.Contains("n0 observed not an event of the spec, which is not an event of spec 'UniqueNumbers' (IssueEvent)", error.Message);
    }
}
