using Verification.Runtime;
using Verification.Specs.Examples;
using Verification.Checkers.Systematic;
using Verification.Protocols.LockServer;
using Verification.Protocols.PingAck;
using Xunit.Abstractions;

namespace Verification.Systematic.Tests;

/// <summary>Schedules name the system they were recorded on and are saved where the user says, one file per counterexample; reports say what they need to.</summary>
public class ScheduleAndReportTests(ITestOutputHelper output)
{
    private static string NewDirectory() => Path.Combine(Path.GetTempPath(), $"verification-schedules-{Guid.NewGuid():N}");

    /// <summary>D11. A schedule recorded on one configuration is refused by a tester of another (before, it replayed silently to "no violation").</summary>
    [Fact]
    public void Replay_OnAnotherConfiguration_IsRefused_NamingBoth()
    {
        var pipelined = (new PingSystem().Build("bug:pipelined")).Tester(new TestOptions { Seed = 3, Iterations = 100, MaxSteps = 50, ScheduleDirectory = NewDirectory() });
        var bug = pipelined.Run().AssertFound("InOrder");
        Assert.Equal("Ping", bug.Schedule.System?.System);
        var stopAndWait = (new PingSystem().Build("stop-and-wait")).Tester();
        var error = Assert.Throws<ConfigurationException>(() => stopAndWait.Replay(bug.Schedule));
        output.WriteLine(error.Message);
        Assert.Contains("recorded on Ping {\"Pipelined\":true}", error.Message);
        Assert.Contains("this tester runs Ping {\"Pipelined\":false}", error.Message);
    }

    /// <summary>
    /// A registered system changed by hand (another spec, another history check) is no longer that system: its saved
    /// schedules must not claim the registered configuration, or 'verify replay' would rebuild the original and
    /// replay a different check (found in review: tests swapped Paxos's spec for Consensus and kept the identity).
    /// </summary>
    [Fact]
    public void ASystemChangedByHand_LosesItsIdentity_SoItsSchedulesDoNotClaimTheRegisteredConfiguration()
    {
        var registered = new PingSystem().Build("bug:pipelined");
        Assert.NotNull(registered.Identity);
        Assert.NotNull((registered with { }).Identity);
        Assert.NotNull((registered with { Identity = registered.Identity }).Identity);
        var changed = registered with { Spec = InOrderDelivery.Create(messages: 2) };
        Assert.Null(changed.Identity);
        Assert.Null((registered with { HistoryCheck = new HistoryCheck<DeliveryEvent>("Never", _ => null) }).Identity);
        Assert.Null((registered with { Nodes = 3 }).Identity);

        var bug = changed.Tester(new TestOptions { Seed = 3, Iterations = 100, MaxSteps = 50, ScheduleDirectory = NewDirectory() }).Run().AssertFound("InOrder");
        Assert.Null(bug.Schedule.System);
    }

    /// <summary>
    /// Issue 14 item 9: a delivery step names its message by the step that sent it, through the file and back; replay
    /// matches it by that as well as by text, and a hand-edited origin that names no earlier send is a one-line error.
    /// </summary>
    [Fact]
    public void DeliverySteps_NameTheirMessagesOrigin_AndReplayHoldsThemToIt()
    {
        var tester = PingNode.System(pipelined: true).Tester(new TestOptions { Seed = 3, Iterations = 100, MaxSteps = 50, ScheduleDirectory = NewDirectory() });
        var bug = tester.Run().AssertFound("InOrder");
        var loaded = Schedule.Load(bug.SchedulePath!);
        var deliveries = loaded.Steps.Select((step, i) => (step, number: i + 1)).Where(s => s.step.Action.StartsWith("deliver", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(deliveries);
        Assert.All(deliveries, d => Assert.InRange(d.step.Origin!.Step, 0, d.number - 1));
        Assert.Equal("InOrder", tester.Replay(loaded).Property);

        var (first, number) = deliveries[0];
        Schedule With(MessageOrigin origin) => loaded with { Steps = [.. loaded.Steps.Select((step, i) => i + 1 == number ? step with { Origin = origin } : step)] };
        var later = Assert.Throws<Verification.Specs.SpecException>(() => tester.Replay(With(first.Origin! with { Step = number })));
        output.WriteLine(later.Message);
        Assert.Contains($"step {number}'s \"Origin\"", later.Message);
        Assert.DoesNotContain("\n", later.Message);
        // The same text, another message: the step is not enabled.
        var other = Assert.Throws<Verification.Specs.SpecException>(() => tester.Replay(With(first.Origin! with { Send = 7 })));
        output.WriteLine(other.Message);
        Assert.Contains($"schedule step {number}", other.Message);
        Assert.Contains("is not enabled", other.Message);
    }

    /// <summary>D12. Different counterexamples never overwrite each other (DFS used to write "…-seed1-iteration0…" every time); the default directory is under the working directory.</summary>
    [Fact]
    public void Schedules_HaveOneFilePerCounterexample_InTheDirectoryTheUserChose()
    {
        var directory = NewDirectory();
        TestOptions Options(int duplicates) => new() { Faults = new FaultModel { MaxDuplicates = duplicates }, ScheduleDirectory = directory };
        var first = PingNode.System(pipelined: true).Tester(Options(0)).Explore(maxDepth: 20).Bug!;
        var second = PingNode.System(pipelined: true).Tester(Options(1)).Explore(maxDepth: 20).Bug!;
        Assert.NotEqual(first.SchedulePath, second.SchedulePath);
        Assert.Equal(2, Directory.GetFiles(directory, "*.schedule.json").Length);
        Assert.StartsWith(Path.Combine(Directory.GetCurrentDirectory(), "verification-schedules"), new TestOptions().ScheduleDirectoryOrDefault);
        Directory.Delete(directory, recursive: true);
    }

    /// <summary>H21. A safety counterexample ends with the system state; a liveness one names the property that is still owed, not "event #7: null".</summary>
    [Fact]
    public void Counterexamples_EndWithTheSystemState_AndLivenessSaysWhatIsStillOwed()
    {
        var safety = PingNode.System(pipelined: true).Tester(new TestOptions { Seed = 3, Iterations = 100, MaxSteps = 50, ScheduleDirectory = NewDirectory() }).Run().AssertFound("InOrder");
        Assert.Contains("system state:", safety.Details);
        Assert.Contains("n1 [up]", safety.Details);

        var liveness = LockNode.System(retransmitRelease: false).Tester(new TestOptions { Seed = 1, Iterations = 1000, MaxSteps = 600, FairAfterSteps = 40, LivenessThreshold = 400, Faults = new FaultModel { MaxLosses = 1 }, ScheduleDirectory = NewDirectory() })
            .Run().AssertFound("EveryClientAcquires", FailureKind.Liveness);
        output.WriteLine(liveness.Details);
        Assert.Contains("EveryClientAcquires is still owed after", liveness.Details);
        Assert.DoesNotContain(": null", liveness.Details);
    }

    /// <summary>H21. An exhaustive search says which bound cut it off.</summary>
    [Fact]
    public void ExhaustiveSearch_SaysWhichBoundCutItOff()
    {
        var tester = PingNode.System(pipelined: false).Tester(new TestOptions { Faults = new FaultModel { MaxDuplicates = 2 } });
        var byDepth = tester.Explore(maxDepth: 3);
        Assert.Equal((Verdict.Unknown, Inconclusive.SearchLimit), (byDepth.Verdict, byDepth.Why));
        Assert.Contains("incomplete: the depth bound cut runs off", byDepth.ToString());
        var byStates = tester.Explore(maxDepth: 100, maxStates: 10);
        Assert.Equal((Verdict.Unknown, Inconclusive.SearchLimit), (byStates.Verdict, byStates.Why));
        Assert.Contains("incomplete: stopped at the state limit", byStates.ToString());
        Assert.Equal(Verdict.Holds, tester.Explore(maxDepth: 100).Verdict);
    }

    /// <summary>H22. Partitions of more nodes than can be enumerated are a clear configuration error (1 &lt;&lt; (n−1) overflowed past 31 nodes).</summary>
    [Fact]
    public void PartitionsOfTooManyNodes_AreAConfigurationError()
    {
        var error = Assert.Throws<ConfigurationException>(() => new FaultModel { MaxPartitions = 1 }.Validate(40));
        Assert.Contains("at most 15 nodes (got 40)", error.Message);
        new FaultModel { MaxPartitions = 1 }.Validate(FaultModel.MaxNodesForPartitions);
    }

    /// <summary>H22. The portfolio's PCT depths follow PctDepth (it ignored it).</summary>
    [Fact]
    public void Portfolio_UsesPctDepth()
    {
        var names = Enumerable.Range(0, 4).Select(i => StrategyFactory.Create(StrategyKind.Portfolio, 1, i, 100, pctDepth: 7).Name).ToList();
        Assert.Equal(["random", "pct(d=6)", "pct(d=7)", "pct(d=9)"], names);
    }
}
