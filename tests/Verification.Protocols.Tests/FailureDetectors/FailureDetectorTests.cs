using Verification.Checkers;
using Verification.Checkers.Systematic;
using Verification.Protocols.FailureDetectors;
using Verification.Runtime;
using Xunit.Abstractions;

namespace Verification.Protocols.Tests.FailureDetectors;

/// <summary>
/// Heartbeat, ping-ack and SWIM against the Chandra–Toueg classes: which class each meets under synchronous timing,
/// the accuracy counterexample each has under asynchronous timing, and the planted bugs.
/// </summary>
public class FailureDetectorTests(ITestOutputHelper output)
{
    private static readonly FailureDetectorSystem System = new();

    private static SystematicTester<DetectorState, DetectorMessage, DetectorTimer, NothingDurable, Verification.Specs.FailureDetection.DetectionEvent> Tester(string configuration, TestOptions options) =>
        System.Build(configuration).Tester(options);

    private static readonly FaultModel HeartbeatSync = FailureDetectorSystem.HeartbeatFaults(Timing.Synchronous);
    private static readonly FaultModel PingAckSync = FailureDetectorSystem.PingAckFaults(Timing.Synchronous);
    private static readonly FaultModel SwimSync = FailureDetectorSystem.SwimFaults(Timing.Synchronous);

    // ---- Heartbeat ----

    [Fact]
    public void Heartbeat_MeetsP_UnderSynchrony_Over10000Runs()
    {
        var report = Tester("heartbeat", FailureDetectorSystem.Runs(HeartbeatSync, 10_000) with { Seed = 31, Parallelism = 2 }).Run();
        output.WriteLine(report.ToString());
        report.AssertHolds();
        Assert.Equal(10_000, report.Coverage.Runs);
    }

    /// <summary>
    /// Pinned. Three nodes beating every 2 ticks with timeouts of 4 repeat one pattern of deadlines and in-flight
    /// heartbeats every period; the states are those positions, times the orders in which the six heartbeats of a
    /// period may arrive, and then the same with any one node stopped (its timers gone, the others' silence timers for
    /// it running out and their suspicions of it). Messages to the stopped node are left out: they never arrive.
    /// </summary>
    [Fact]
    public void Heartbeat_Exhaustive_UnderSynchrony()
    {
        var report = System.Run(System.Checks.Single(c => c.Configuration == "heartbeat" && c.Method is ExhaustiveSearch));
        output.WriteLine(report.ToString());
        Assert.True(report.Holds, report.ToString());
        Assert.Equal(361, report.Coverage.States);
    }

    [Fact]
    public void Heartbeat_WithoutSynchrony_SuspectsALiveNode()
    {
        var bug = Tester("heartbeat", FailureDetectorSystem.Runs(FailureDetectorSystem.HeartbeatFaults(Timing.Asynchronous), 1_000))
            .AssertFindsAndReplays("StrongAccuracy", FailureKind.Safety);
        output.WriteLine(bug.ToString());
        Assert.DoesNotContain(bug.Schedule.Steps, s => s.Action.StartsWith("crash", StringComparison.Ordinal)); // no crash needed: a timer beat a heartbeat
    }

    [Fact]
    public void AdaptiveHeartbeat_MeetsEventuallyPerfect_UnderSynchrony_ButNotP()
    {
        var report = Tester("heartbeat-adaptive", FailureDetectorSystem.Runs(HeartbeatSync, 10_000) with { Seed = 32, Parallelism = 2 }).Run();
        output.WriteLine(report.ToString());
        report.AssertHolds();
        var bug = Tester("heartbeat-adaptive-as-P", FailureDetectorSystem.Runs(HeartbeatSync, 1_000)).AssertFindsAndReplays("StrongAccuracy", FailureKind.Safety);
        output.WriteLine(bug.ToString());
    }

    [Fact]
    public void PlantedBug_TimeoutShorterThanPeriod_BreaksStrongAccuracy_UnderSynchrony()
    {
        var bug = Tester("bug:TimeoutShorterThanPeriod", FailureDetectorSystem.Runs(HeartbeatSync, 10_000)).AssertFindsAndReplays("StrongAccuracy", FailureKind.Safety);
        output.WriteLine(bug.ToString());
        Assert.DoesNotContain(bug.Schedule.Steps, s => s.Action.StartsWith("crash", StringComparison.Ordinal));
    }

    [Fact]
    public void PlantedBug_NeverTrustsAgain_BreaksEventualStrongAccuracy()
    {
        var bug = Tester("bug:NeverTrustsAgain", FailureDetectorSystem.Runs(HeartbeatSync, 10_000)).AssertFindsAndReplays("EventualStrongAccuracy", FailureKind.Liveness);
        output.WriteLine(bug.ToString());
    }

    // ---- Ping-ack ----

    [Fact]
    public void PingAck_MeetsQ_UnderSynchrony_Over10000Runs()
    {
        var report = Tester("ping-ack", FailureDetectorSystem.Runs(PingAckSync, 10_000) with { Seed = 33, Parallelism = 2 }).Run();
        output.WriteLine(report.ToString());
        report.AssertHolds();
    }

    /// <summary>
    /// Pinned. The monitor's round (2) times the deadlines and pings/acks of one round in their possible orders, with
    /// no member stopped or one of the two stopped at any point of the round, and then suspected by the monitor.
    /// </summary>
    [Fact]
    public void PingAck_Exhaustive_UnderSynchrony()
    {
        var report = System.Run(System.Checks.Single(c => c.Configuration == "ping-ack" && c.Method is ExhaustiveSearch));
        output.WriteLine(report.ToString());
        Assert.True(report.Holds, report.ToString());
        Assert.Equal(70, report.Coverage.States);
    }

    [Fact]
    public void PingAck_IsNotP_OnlyTheMonitorLearnsOfACrash()
    {
        var bug = Tester("ping-ack-as-P", FailureDetectorSystem.Runs(PingAckSync, 1_000)).AssertFindsAndReplays("StrongCompleteness", FailureKind.Liveness);
        output.WriteLine(bug.ToString());
        Assert.Contains(bug.Schedule.Steps, s => s.Action.StartsWith("crash", StringComparison.Ordinal));
    }

    [Fact]
    public void PingAck_WithoutSynchrony_SuspectsALiveMember()
    {
        var bug = Tester("ping-ack", FailureDetectorSystem.Runs(FailureDetectorSystem.PingAckFaults(Timing.Asynchronous), 1_000))
            .AssertFindsAndReplays("StrongAccuracy", FailureKind.Safety);
        output.WriteLine(bug.ToString());
    }

    // ---- SWIM ----

    [Fact]
    public void Swim_MeetsP_UnderSynchrony_WithLossesAndACrash_Over10000Runs()
    {
        var report = Tester("swim", FailureDetectorSystem.SwimRuns(SwimSync, 10_000) with { Seed = 34, Parallelism = 2 }).Run();
        output.WriteLine(report.ToString());
        report.AssertHolds();
    }

    /// <summary>
    /// Pinned: SWIM's three members with one crash-stop and one lost message, every schedule the synchronous clock
    /// allows. The count is the probe patterns of the round robin (who probes whom, at which point of the period, with
    /// which answers in flight), times what one loss can do — a direct probe that goes unanswered and is answered
    /// through the helper — and the crash of any member at any of those points followed by its suspicion, its
    /// declaration as failed and the gossip of it.
    /// </summary>
    [Fact]
    public void Swim_Exhaustive_UnderSynchrony()
    {
        var report = System.Run(System.Checks.Single(c => c.Configuration == "swim" && c.Method is ExhaustiveSearch));
        output.WriteLine(report.ToString());
        Assert.True(report.Holds, report.ToString());
        Assert.Equal(SwimExhaustiveStates, report.Coverage.States);
    }

    private const int SwimExhaustiveStates = 9_291;

    [Fact]
    public void Swim_WithoutSynchrony_DeclaresALiveMemberFailed()
    {
        var bug = Tester("swim", FailureDetectorSystem.SwimRuns(FailureDetectorSystem.SwimFaults(Timing.Asynchronous, losses: 0), 1_000))
            .AssertFindsAndReplays("StrongAccuracy", FailureKind.Safety);
        output.WriteLine(bug.ToString());
        Assert.DoesNotContain(bug.Schedule.Steps, s => s.Action.StartsWith("drop", StringComparison.Ordinal)); // timing alone
    }

    [Fact]
    public void PlantedBug_NoIncarnations_DeclaresARefutingMemberFailed_UnderSynchrony()
    {
        var bug = Tester("bug:NoIncarnations", FailureDetectorSystem.SwimRuns(SwimSync, 100_000)).AssertFindsAndReplays("StrongAccuracy", FailureKind.Safety);
        output.WriteLine(bug.ToString());
        // The member declared failed had refuted: an "alive" of its own went out after it was suspected.
        Assert.Contains(bug.Trace, line => line.Contains("alive n", StringComparison.Ordinal));
    }

    // ---- The default check ----

    [Fact]
    public void EveryDeclaredCheck_HasItsExpectedVerdict()
    {
        foreach (var check in System.Checks.Where(c => c.Method is RandomRuns))
        {
            var result = System.Run(check);
            output.WriteLine($"{check.Name}: {result.Verdict} ({result.Coverage.Runs} runs)");
            Assert.True(check.Expected.Matches(result), $"{check.Name}: expected {check.Expected}, got {result}");
        }
    }

    [Fact]
    public void BadConfiguration_IsAOneLineErrorNamingTheSetting()
    {
        var error = Assert.Throws<Verification.Specs.SpecException>(() => FailureDetectorSystem.Protocol(FailureDetectorSystem.PingAck with { Timeout = 4 }));
        Assert.Contains("ping-ack's Timeout (4) must be below its Period (4)", error.Message);
        error = Assert.Throws<Verification.Specs.SpecException>(() => FailureDetectorSystem.Protocol(FailureDetectorSystem.Heartbeat with { Promises = "X" }));
        Assert.Contains("no detector class 'X'", error.Message);
        error = Assert.Throws<Verification.Specs.SpecException>(() => FailureDetectorSystem.Protocol(FailureDetectorSystem.Swim with { Period = 8 }));
        Assert.Contains("Period (8) must exceed", error.Message);
        error = Assert.Throws<Verification.Specs.SpecException>(() => FailureDetectorSystem.Protocol(FailureDetectorSystem.Heartbeat with { Kind = (DetectorKind)7 }));
        Assert.Contains("Kind is 7, not one of Heartbeat, PingAck, Swim", error.Message);
    }
}
