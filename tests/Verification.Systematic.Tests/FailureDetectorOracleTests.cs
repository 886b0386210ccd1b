using Verification.Checkers.Systematic;
using Verification.Runtime;
using Verification.Specs.FailureDetection;
using Xunit.Abstractions;

namespace Verification.Systematic.Tests;

public sealed record WatcherState(long Suspects);

/// <summary>A node that only listens to the failure detector and reports what it is told to the spec.</summary>
public sealed class Watcher : INode<WatcherState, string, NoTimer, NothingDurable>
{
    public WatcherState Start(Effects<string, NoTimer, NothingDurable> effects) => new(0);

    public WatcherState OnMessage(WatcherState state, NodeId from, string message, Effects<string, NoTimer, NothingDurable> effects) => state;

    public WatcherState OnTimer(WatcherState state, NoTimer timer, Effects<string, NoTimer, NothingDurable> effects) => state;

    public WatcherState OnRecover(NothingDurable? durable, Effects<string, NoTimer, NothingDurable> effects) => new(0);

    public WatcherState OnDetector(WatcherState state, DetectorReport report, Effects<string, NoTimer, NothingDurable> effects)
    {
        var bit = 1L << report.Node.Index;
        if (report is Suspect)
        {
            effects.Observe(new Suspected(effects.Self.Index, report.Node.Index));
            return new WatcherState(state.Suspects | bit);
        }
        effects.Observe(new Trusted(effects.Self.Index, report.Node.Index));
        return new WatcherState(state.Suspects & ~bit);
    }

    /// <summary>N watchers checked against a detector class's spec; crashes and recoveries reach the spec from the environment.</summary>
    public static Protocol<WatcherState, string, NoTimer, NothingDurable, DetectionEvent> Protocol(int nodes, DetectorClass promised) =>
        new($"Watchers{promised.Name}", nodes, _ => new Watcher(), FailureDetectorSpec.Create(nodes, promised))
        {
            EnvironmentEvents = e => e switch
            {
                NodeCrashed crashed => new Crashed(crashed.Node.Index, crashed.Kind != CrashKind.Pause),
                NodeRecovered recovered => new Recovered(recovered.Node.Index),
                _ => null,
            },
        };
}

/// <summary>A node that never handles failure-detector reports.</summary>
public sealed class Deaf : INode<WatcherState, string, NoTimer, NothingDurable>
{
    public WatcherState Start(Effects<string, NoTimer, NothingDurable> effects) => new(0);

    public WatcherState OnMessage(WatcherState state, NodeId from, string message, Effects<string, NoTimer, NothingDurable> effects) => state;

    public WatcherState OnTimer(WatcherState state, NoTimer timer, Effects<string, NoTimer, NothingDurable> effects) => state;

    public WatcherState OnRecover(NothingDurable? durable, Effects<string, NoTimer, NothingDurable> effects) => new(0);
}

public class FailureDetectorOracleTests(ITestOutputHelper output)
{
    private static FaultModel CrashStop(int f, FailureDetector detector) =>
        new() { MaxCrashes = f, MaxDownAtOnce = f, CrashKinds = [CrashKind.Stop], Detector = detector };

    [Fact]
    public void PerfectOracle_MeetsP_InEveryState()
    {
        var tester = Watcher.Protocol(3, DetectorClass.Perfect).Tester(new TestOptions { Faults = CrashStop(2, FailureDetector.Perfect) });
        var report = tester.Explore(maxDepth: 40);
        output.WriteLine(report.ToString());
        Assert.True(report.Holds, report.ToString());
        // Pinned, and counted by hand: none down (1); one down, each live node told or not (3 × 4); two down, the live
        // node told of each or not, and the first to crash perhaps suspected by the second before it crashed too (3 × 8).
        Assert.Equal(37, report.Coverage.States);
        // Completeness is liveness: random runs with a fair suffix must see every crash reported to every live node.
        tester = Watcher.Protocol(3, DetectorClass.Perfect).Tester(new TestOptions { Iterations = 300, MaxSteps = 40, FairAfterSteps = 10, LivenessThreshold = 20, Faults = CrashStop(2, FailureDetector.Perfect) });
        tester.Run().AssertHolds();
    }

    [Fact]
    public void EventuallyPerfectOracle_BreaksStrongAccuracy_ButMeetsEventuallyPerfect()
    {
        var faults = CrashStop(1, FailureDetector.EventuallyPerfect);
        var bug = Watcher.Protocol(3, DetectorClass.Perfect).Tester(new TestOptions { Iterations = 500, MaxSteps = 30, Faults = faults })
            .AssertFindsAndReplays("StrongAccuracy", FailureKind.Safety);
        output.WriteLine(bug.ToString());
        Assert.Contains(bug.Schedule.Steps, s => s.Action.StartsWith("tell n", StringComparison.Ordinal) && s.Action.Contains(": suspect n", StringComparison.Ordinal));
        Assert.DoesNotContain(bug.Schedule.Steps, s => s.Action.StartsWith("crash", StringComparison.Ordinal)); // a false suspicion needs no crash
        // The schedule file records the oracle and the roles: a tester without them replays it under the recorded ones.
        var saved = Schedule.Load(bug.SchedulePath!);
        Assert.Equal("◇P", saved.Settings?.Detector?.Name);
        var replay = Watcher.Protocol(3, DetectorClass.Perfect).Tester(new TestOptions()).Replay(saved);
        Assert.Equal("StrongAccuracy", replay.Property);
        // A hand-edited file whose role names a node the system lacks is refused with the setting named.
        var edited = saved with { Settings = saved.Settings! with { Roles = [new NodeRole("servers", [9])], MaxCrashes = 0, MaxDownAtOnce = int.MaxValue } };
        var error = Assert.Throws<ConfigurationException>(() => Watcher.Protocol(3, DetectorClass.Perfect).Tester(new TestOptions()).Replay(edited));
        Assert.Contains("role 'servers' lists node 9", error.Message);
        var path = Path.Combine(Path.GetTempPath(), $"detector-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, File.ReadAllText(bug.SchedulePath!).Replace("\"Name\": \"◇P\"", "\"Name\": null", StringComparison.Ordinal));
        try
        {
            error = Assert.Throws<ConfigurationException>(() => Watcher.Protocol(3, DetectorClass.Perfect).Tester(new TestOptions()).Replay(Schedule.Load(path)));
            Assert.Contains("the failure detector has no name", error.Message);
        }
        finally
        {
            File.Delete(path);
        }

        var eventually = Watcher.Protocol(3, DetectorClass.EventuallyPerfect)
            .Tester(new TestOptions { Iterations = 500, MaxSteps = 60, FairAfterSteps = 20, LivenessThreshold = 30, Faults = faults });
        eventually.Run().AssertHolds();
        var dfs = eventually.Explore(maxDepth: 40);
        Assert.True(dfs.Holds, dfs.ToString()); // safety only in DFS: ◇P's spec has no step property to break
        Assert.True(dfs.Coverage.States > 40);
    }

    [Fact]
    public void WeakAccuracy_KeepsOneLiveNodeNeverSuspected_AndStrongAccuracyDoesNot()
    {
        var strong = Watcher.Protocol(3, DetectorClass.Strong).Tester(new TestOptions { Faults = CrashStop(2, FailureDetector.Strong) });
        var dfs = strong.Explore(maxDepth: 40);
        output.WriteLine(dfs.ToString());
        Assert.True(dfs.Holds, dfs.ToString());
        // S makes mistakes P does not: its histories break P's strong accuracy.
        var bug = Watcher.Protocol(3, DetectorClass.Perfect).Tester(new TestOptions { Faults = CrashStop(2, FailureDetector.Strong) }).Explore(maxDepth: 40);
        Assert.Equal("StrongAccuracy", bug.Bug?.Property);
    }

    [Fact]
    public void WeakCompleteness_TellsOnlyOne_StrongCompletenessIsBroken()
    {
        var options = new TestOptions { Iterations = 300, MaxSteps = 40, FairAfterSteps = 10, LivenessThreshold = 20, Faults = CrashStop(1, FailureDetector.Quasi) };
        Watcher.Protocol(3, DetectorClass.Quasi).Tester(options).Run().AssertHolds();
        var bug = Watcher.Protocol(3, DetectorClass.Perfect).Tester(options).AssertFindsAndReplays("StrongCompleteness", FailureKind.Liveness);
        output.WriteLine(bug.ToString());
    }

    [Fact]
    public void Roles_ReliableNodesNeverCrash_AndBudgetsArePerRole()
    {
        var detector = FailureDetector.Perfect with { MaxFalseSuspicions = 0 };
        var faults = new FaultModel
        {
            Roles = [NodeRole.MayCrash("servers", [0, 1], maxCrashes: 1, CrashKind.Stop), NodeRole.MayCrash("spares", [2], maxCrashes: 1, CrashKind.Amnesia)],
            Detector = detector,
        };
        var tester = Watcher.Protocol(4, DetectorClass.Perfect).Tester(new TestOptions { Faults = faults });
        var report = tester.Explore(maxDepth: 40);
        output.WriteLine(report.ToString());
        Assert.True(report.Holds, report.ToString());
        Assert.Contains("servers {n0,n1}: ≤ 1 crash (stop)", report.ToString());
        // n3 is in no role: no schedule crashes it; each role spends its own budget, so n0 and n2 can both be down.
        var runs = Watcher.Protocol(4, DetectorClass.Perfect).Tester(new TestOptions { Iterations = 200, MaxSteps = 30, Faults = faults });
        runs.Run().AssertHolds();
        var describe = faults.Describe();
        Assert.Contains("other nodes reliable", describe);
        Assert.Throws<ConfigurationException>(() => Watcher.Protocol(4, DetectorClass.Perfect).Tester(new TestOptions { Faults = faults with { MaxCrashes = 1 } }));
    }

    [Fact]
    public void Roles_UnpartitionableNodesKeepTheirLinks()
    {
        var faults = new FaultModel
        {
            Roles = [new NodeRole("servers", [0, 1, 2]), new NodeRole("master", [3]) { Partitionable = false }],
            MaxPartitions = 1,
        };
        // 3 partitionable nodes: 3 two-sided splits, none of which lists n3.
        var world = faults.EffectiveRoles(4);
        Assert.Equal(2, world.Count);
        var tester = Watcher.Protocol(4, DetectorClass.Perfect).Tester(new TestOptions { Faults = faults });
        var report = tester.Explore(maxDepth: 10);
        Assert.True(report.Holds, report.ToString());
        Assert.Equal(5, report.Coverage.States); // no partition, each of the 3 splits, and healed with the budget spent
        Assert.Throws<ConfigurationException>(() => Watcher.Protocol(4, DetectorClass.Perfect).Tester(new TestOptions
        {
            Faults = new FaultModel { Roles = [new NodeRole("one", [0]), new NodeRole("rest", [1, 2, 3]) { Partitionable = false }], MaxPartitions = 1 },
        }));
    }

    [Fact]
    public void BadDeclarations_AreConfigurationErrorsNamingTheSetting()
    {
        void Rejects(FaultModel faults, string expected)
        {
            var error = Assert.Throws<ConfigurationException>(() => Watcher.Protocol(3, DetectorClass.Perfect).Tester(new TestOptions { Faults = faults }));
            Assert.Contains(expected, error.Message);
        }
        Rejects(new FaultModel { Roles = [new NodeRole("a", [0, 1]), new NodeRole("b", [1])] }, "node n1 is in two roles");
        Rejects(new FaultModel { Roles = [new NodeRole("a", [5])] }, "role 'a' lists node 5");
        Rejects(new FaultModel { Roles = [new NodeRole("a", [])] }, "role 'a' lists no nodes");
        Rejects(new FaultModel { Detector = FailureDetector.Perfect with { Subscribers = [7] } }, "subscribers list node 7");
        Rejects(new FaultModel { Detector = FailureDetector.Perfect with { MaxFalseSuspicions = -1 } }, "MaxFalseSuspicions");
        Rejects(new FaultModel { Timing = Timing.Synchronous, MaxMessageDelay = -1 }, "MaxMessageDelay");
        // A node that would ignore the oracle's reports.
        var deaf = new Protocol<WatcherState, string, NoTimer, NothingDurable, DetectionEvent>("Deaf", 2, _ => new Deaf(), FailureDetectorSpec.Create(2, DetectorClass.Perfect));
        var error = Assert.Throws<ConfigurationException>(() => deaf.Tester(new TestOptions { Faults = new FaultModel { Detector = FailureDetector.Perfect } }));
        Assert.Contains("does not implement OnDetector", error.Message);
        deaf.Tester(new TestOptions { Faults = new FaultModel { Detector = FailureDetector.Perfect with { Subscribers = [] } } }); // subscribed by none: fine
    }
}

public enum BeatTimer { Beat, Timeout }

public sealed record BeatState(bool Suspecting);

/// <summary>
/// n0 sends a heartbeat every <c>period</c> ticks; n1 suspects n0 when no heartbeat came for <c>timeout</c> ticks and
/// trusts it again on the next one. Under synchronous timing with timeout &gt; period + delay it never errs.
/// </summary>
public sealed class Beating(int period, int timeout) : INode<BeatState, string, BeatTimer, NothingDurable>
{
    public BeatState Start(Effects<string, BeatTimer, NothingDurable> effects)
    {
        if (effects.Self.Index == 0) effects.SetTimer(BeatTimer.Beat, period);
        else effects.SetTimer(BeatTimer.Timeout, timeout);
        return new BeatState(false);
    }

    public BeatState OnMessage(BeatState state, NodeId from, string message, Effects<string, BeatTimer, NothingDurable> effects)
    {
        effects.SetTimer(BeatTimer.Timeout, timeout);
        if (!state.Suspecting) return state;
        effects.Observe(new Trusted(1, 0));
        return new BeatState(false);
    }

    public BeatState OnTimer(BeatState state, BeatTimer timer, Effects<string, BeatTimer, NothingDurable> effects)
    {
        if (timer == BeatTimer.Beat)
        {
            effects.Send(new NodeId(1), "heartbeat");
            effects.SetTimer(BeatTimer.Beat, period);
            return state;
        }
        if (state.Suspecting) return state;
        effects.Observe(new Suspected(1, 0));
        return new BeatState(true);
    }

    public BeatState OnRecover(NothingDurable? durable, Effects<string, BeatTimer, NothingDurable> effects) => Start(effects);

    public static Protocol<BeatState, string, BeatTimer, NothingDurable, DetectionEvent> Protocol(int period, int timeout) =>
        new($"Heartbeat{period}/{timeout}", 2, _ => new Beating(period, timeout), FailureDetectorSpec.Create(2, DetectorClass.Perfect))
        {
            EnvironmentEvents = e => e switch
            {
                NodeCrashed crashed => new Crashed(crashed.Node.Index, crashed.Kind != CrashKind.Pause),
                NodeRecovered recovered => new Recovered(recovered.Node.Index),
                _ => null,
            },
        };
}

public class TimingModelTests(ITestOutputHelper output)
{
    private static readonly FaultModel Synchronous = new()
    {
        Timing = Timing.Synchronous,
        Roles = [NodeRole.MayCrash("sender", [0], maxCrashes: 1, CrashKind.Stop)],
    };

    [Fact]
    public void Synchronous_TimeoutLongerThanPeriodPlusDelay_NeverSuspectsALiveNode()
    {
        var tester = Beating.Protocol(period: 2, timeout: 4).Tester(new TestOptions { Faults = Synchronous });
        var report = tester.Explore(maxDepth: 60);
        output.WriteLine(report.ToString());
        Assert.True(report.Holds, report.ToString());
        Assert.Contains("synchronous", report.ToString());
        // Counted by hand: the start (again after every heartbeat is delivered), a heartbeat in flight, and with the
        // sender crashed: before the timeout, with a heartbeat still in flight, and suspected.
        Assert.Equal(5, report.Coverage.States);
        // ...and a crash is always detected: completeness as liveness over random runs.
        Beating.Protocol(period: 2, timeout: 4).Tester(new TestOptions { Iterations = 300, MaxSteps = 60, FairAfterSteps = 20, LivenessThreshold = 20, Faults = Synchronous })
            .Run().AssertHolds();
    }

    [Fact]
    public void Synchronous_TimeoutShorterThanPeriod_SuspectsALiveSender()
    {
        var bug = Beating.Protocol(period: 3, timeout: 2).Tester(new TestOptions { Iterations = 200, MaxSteps = 40, Faults = Synchronous })
            .AssertFindsAndReplays("StrongAccuracy", FailureKind.Safety);
        output.WriteLine(bug.ToString());
        Assert.DoesNotContain(bug.Schedule.Steps, s => s.Action.StartsWith("crash", StringComparison.Ordinal));
    }

    [Fact]
    public void Asynchronous_EvenTheRightTimeoutSuspectsALiveSender()
    {
        var bug = Beating.Protocol(period: 2, timeout: 4).Tester(new TestOptions { Iterations = 200, MaxSteps = 40, Faults = Synchronous with { Timing = Timing.Asynchronous } })
            .AssertFindsAndReplays("StrongAccuracy", FailureKind.Safety);
        output.WriteLine(bug.ToString());
    }
}
