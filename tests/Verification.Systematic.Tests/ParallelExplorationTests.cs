using Verification.Checkers.Systematic;
using Verification.Runtime;
using Xunit.Abstractions;

namespace Verification.Systematic.Tests;

/// <summary>
/// Exhaustive DFS on several workers (TestOptions.Parallelism): the same states and transitions as the sequential
/// search when complete, the bug found when there is one, hostile handlers reported as sequentially, limits kept.
/// The machine may have fewer cores than workers: termination must not depend on them running at once.
/// </summary>
public class ParallelExplorationTests(ITestOutputHelper output)
{
    private static readonly string Schedules = Path.Combine(Path.GetTempPath(), "verification-parallel-tests");

    private static readonly FaultModel EveryFault = new() { MaxCrashes = 2, MaxDownAtOnce = 1, CrashKinds = [CrashKind.Amnesia, CrashKind.Pause, CrashKind.Stop], MaxPartitions = 1 };

    private static TestOptions Options(int workers, FaultModel? faults = null) =>
        new() { Faults = faults ?? EveryFault, Parallelism = workers, ScheduleDirectory = Schedules };

    [Theory]
    [InlineData(2, VisitedStore.Exact)]
    [InlineData(4, VisitedStore.Exact)]
    [InlineData(8, VisitedStore.Exact)]
    [InlineData(2, VisitedStore.HashCompaction)]
    [InlineData(8, VisitedStore.HashCompaction)]
    public void CompleteSearch_CoversTheSameStatesAndTransitions_AsTheSequentialOne(int workers, VisitedStore store)
    {
        var sequential = Sequencer.Protocol(persist: true).Tester(Options(1)).Explore(maxDepth: 40, store: store);
        Assert.True(sequential.Holds);
        Assert.Equal(672, sequential.Coverage.States); // pinned in FaultTests
        // Several times: the workers interleave differently each run, the counts must not.
        for (var run = 0; run < 5; run++)
        {
            var parallel = Sequencer.Protocol(persist: true).Tester(Options(workers)).Explore(maxDepth: 40, store: store);
            output.WriteLine(parallel.ToString());
            Assert.True(parallel.Holds);
            Assert.Equal(sequential.Coverage.States, parallel.Coverage.States);
            Assert.Equal(sequential.Coverage.Transitions, parallel.Coverage.Transitions);
            // Not the depth: a state's depth is that of the path that reached it first, which depends on the order.
            Assert.Equal(sequential.Within, parallel.Within); // hash compaction's stated chance of a miss too
            Assert.Contains($"{workers} workers", parallel.Method);
        }
    }

    [Fact]
    public void OneWorker_IsTheSequentialSearch()
    {
        var report = Sequencer.Protocol(persist: true).Tester(Options(1)).Explore(maxDepth: 40);
        Assert.Equal("exhaustive search (DFS over distinct states)", report.Method);
    }

    [Fact]
    public void BreadthFirst_StaysSequential_SoItsCounterexampleIsAShortestOne()
    {
        var report = Sequencer.Protocol(persist: false).Tester(Options(4)).Explore(maxDepth: 40, order: SearchOrder.BreadthFirst);
        var sequential = Sequencer.Protocol(persist: false).Tester(Options(1)).Explore(maxDepth: 40, order: SearchOrder.BreadthFirst);
        Assert.StartsWith("exhaustive search (BFS", report.Method);
        Assert.EndsWith("on one worker (Parallelism = 4 asked: breadth-first search stays sequential, so its counterexample is a shortest one)", report.Method, StringComparison.Ordinal);
        Assert.Equal(sequential.Bug!.Schedule.Steps.Count, report.Bug!.Schedule.Steps.Count);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    public void PlantedBug_IsFound_AndItsScheduleReplays(int workers)
    {
        // The forgetful sequencer reissues a number after a crash with amnesia.
        var tester = Sequencer.Protocol(persist: false).Tester(Options(workers));
        var sequential = Sequencer.Protocol(persist: false).Tester(Options(1)).Explore(maxDepth: 40);
        var report = tester.Explore(maxDepth: 40);
        output.WriteLine(report.ToString());
        Assert.Equal(Verdict.Violated, report.Verdict);
        Assert.Equal(sequential.Bug!.Property, report.Bug!.Property);
        Assert.Equal("NeverReissued", report.Bug!.Property);
        Assert.Contains("the counterexample is the first path any worker found", report.Notes!);
        var replay = tester.Replay(report.Bug!.Schedule);
        Assert.Null(replay.Divergence);
        Assert.Equal("NeverReissued", replay.Property);
    }

    [Fact]
    public void ChoicesMadeByHandlers_AreBranchedOn_InParallelToo()
    {
        var dfs = Sequencer.Protocol(persist: true, lotteryMayPickTwo: false).Tester(Options(4, new FaultModel())).Explore(maxDepth: 10);
        Assert.Equal("LotteryNeverTwo", dfs.Bug?.Property);
        var lottery = Assert.Single(dfs.Bug!.Schedule.Steps, s => s.Action == "timer n1 'lottery'");
        Assert.Equal([2], lottery.Choices);
    }

    private static SystematicTester<object, Item, string, object, CountEvent> Hostile(INode<object, Item, string, object> receiver, int workers, TimeSpan? stepTimeout = null) =>
        new(HostileNodes.Protocol(receiver.GetType().Name, _ => receiver),
            new TestOptions { Parallelism = workers, ScheduleDirectory = Schedules, StepTimeout = stepTimeout ?? TimeSpan.FromSeconds(10) });

    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    public void ThrowingHandler_IsAHandlerExceptionCounterexample(int workers)
    {
        var report = Hostile(new HostileNodes.Throwing(), workers).Explore(maxDepth: 20);
        output.WriteLine(report.ToString());
        Assert.Equal(FailureKind.HandlerException, report.Bug?.Kind);
        Assert.Contains("n1's OnMessage threw InvalidOperationException: item 2 is not welcome", report.Bug!.Details);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    public void StateChangedInPlace_IsAModelError(int workers)
    {
        var report = Hostile(new HostileNodes.InPlaceList(), workers).Explore(maxDepth: 20);
        Assert.Equal(FailureKind.ModelError, report.Bug?.Kind);
        Assert.Equal("StateChangedInPlace", report.Bug!.Property);
    }

    [Fact]
    public void LoopingHandler_IsReportedAsAHang_AndTheOtherWorkersStop()
    {
        using var release = new ManualResetEventSlim();
        try
        {
            var report = Hostile(new HostileNodes.Looping(release), 4, TimeSpan.FromMilliseconds(300)).Explore(maxDepth: 20);
            output.WriteLine(report.ToString());
            Assert.Equal(FailureKind.HandlerTimeout, report.Bug?.Kind);
            Assert.Contains("n1's OnMessage did not return within 0.3 s", report.Bug!.Details);
            Assert.Equal("deliver n0→n1: Item { Seq = 3 }", report.Bug!.Schedule.Steps[^1].Action);
            Assert.Contains("4 workers", report.Method);
        }
        finally
        {
            release.Set(); // the abandoned threads return and end
        }
    }

    [Fact]
    public void Limits_StateDepthAndMemory_StopEveryWorker_WithUnknown()
    {
        var byStates = Sequencer.Protocol(persist: true).Tester(Options(4)).Explore(maxDepth: 40, maxStates: 50);
        Assert.Equal(Verdict.Unknown, byStates.Verdict);
        Assert.Equal(Inconclusive.SearchLimit, byStates.Why);
        Assert.Equal("incomplete: stopped at the state limit", byStates.Reason);
        Assert.InRange(byStates.Coverage.States, 50, 671); // workers finish the expansion they are in

        var byDepth = Sequencer.Protocol(persist: true).Tester(Options(4)).Explore(maxDepth: 3);
        Assert.Equal(Verdict.Unknown, byDepth.Verdict);
        Assert.Equal("incomplete: the depth bound cut runs off", byDepth.Reason);

        var starved = Sequencer.Protocol(persist: true).Tester(Options(4) with { MaxSearchMemory = 1 }).Explore(maxDepth: 40);
        Assert.Equal(Verdict.Unknown, starved.Verdict);
        Assert.Equal(Inconclusive.Budget, starved.Why);
        Assert.True(starved.Coverage.States >= 1);
    }

    [Fact]
    public void Progress_IsReported_WithStatesSoFar()
    {
        var reports = new System.Collections.Concurrent.ConcurrentBag<SearchProgress>();
        var full = Sequencer.Protocol(persist: true).Tester(Options(2) with { Progress = reports.Add, ProgressInterval = TimeSpan.FromTicks(1) }).Explore(maxDepth: 40);
        Assert.True(full.Holds);
        Assert.NotEmpty(reports); // 2,806 transitions: each worker checks after every 1,024 of its own, the first at once
        Assert.All(reports, r => Assert.InRange(r.States, 1, full.Coverage.States));
    }

    [Fact]
    public void ConcurrentVisitedSet_CountsEachDistinctKeyOnce_WhenThreadsRace()
    {
        foreach (var store in new[] { VisitedStore.Exact, VisitedStore.HashCompaction })
        {
            var visited = new ConcurrentVisitedStates(store, workers: 4);
            var added = new int[4];
            // Four threads add the same 20,000 keys (in different orders): each key is new to exactly one of them.
            Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, thread =>
            {
                for (var i = 0; i < 20_000; i++)
                {
                    var k = thread % 2 == 0 ? i : 19_999 - i;
                    var key = new KeyWriter();
                    key.Add(k);
                    key.Add(k * 7 % 13);
                    if (visited.Add(key)) added[thread]++;
                }
            });
            Assert.Equal(20_000, added.Sum());
            Assert.Equal(20_000, visited.Count);
        }
    }

    [Fact]
    public void SharedNumbering_GivesEqualValuesOneNumber_AndDifferentValuesDifferentOnes()
    {
        var shared = new SharedValueNumbers();
        var numbers = new int[4][];
        Parallel.For(0, 4, thread =>
        {
            var numbering = new ValueNumbering(shared);
            // Fresh but equal records on every thread: structural equality decides.
            numbers[thread] = Enumerable.Range(0, 5_000).Select(i => numbering.Number(new Item(thread % 2 == 0 ? i : 4_999 - i))).ToArray();
        });
        var byValue = numbers.Select((row, thread) => thread % 2 == 0 ? row : row.Reverse().ToArray()).ToArray();
        for (var thread = 1; thread < 4; thread++) Assert.Equal(byValue[0], byValue[thread]);
        Assert.Equal(5_000, byValue[0].Distinct().Count());
        Assert.Equal(5_000, shared.Count);
        Assert.DoesNotContain(0, byValue[0]); // 0 is null's
    }
}
