using Verification.Checkers.Systematic;
using Verification.Protocols.PrimaryBackup;
using Verification.Runtime;
using Verification.Specs;
using Xunit.Abstractions;

namespace Verification.Protocols.Tests.PrimaryBackup;

/// <summary>The Auragen pair (seed 000) against "the pair refines one failure-free process" and its own properties.</summary>
public class MessageLoggingTests(ITestOutputHelper output)
{
    private static Protocol<PairNodeState, PairMessage, PairTimer, NothingDurable, PairEvent> Pair(MessageLoggingConfig config) => MessageLoggingSystem.System(config);

    private static TestOptions Exhaustive(MessageLoggingConfig config) => MessageLoggingSystem.Options(config, 1) with { CheckLiveness = false };

    [Fact]
    public void CorrectPair_Holds_Over10000PortfolioRuns_UnderPrimaryCrashStop()
    {
        var config = new MessageLoggingConfig();
        var report = Pair(config).Tester(MessageLoggingSystem.Options(config, 10_000)).Run();
        output.WriteLine(report.ToString());
        report.AssertHolds();
        Assert.Equal(10_000, report.Coverage.Runs);
    }

    [Fact]
    public void CorrectPair_ExhaustiveSearch_DefaultConfiguration()
    {
        var config = new MessageLoggingConfig();
        var report = Pair(config).Tester(Exhaustive(config)).Explore(maxDepth: 100);
        output.WriteLine(report.ToString());
        Assert.True(report.Holds, report.ToString());
        // Without a crash the client's three stop-and-wait rounds (input, log, logged, then the output, its copy and at
        // the second input the sync, delivered in any order) make 51 states; the primary's crash-stop at any of them,
        // before the detector tells the backup, while the backup waits out the message delay and after it rolled
        // forward, makes the other 160.
        Assert.Equal(203, report.Coverage.States); // 211 while messages to the crash-stopped primary still split states
        var failureFree = Pair(config).Tester(Exhaustive(config) with { Faults = config.Faults with { Roles = [] } }).Explore(maxDepth: 100);
        Assert.True(failureFree.Holds, failureFree.ToString());
        Assert.Equal(51, failureFree.Coverage.States);
    }

    [Theory]
    [InlineData(MessageLoggingBug.ResendsSentOutputs, MessageLoggingSpec.SameOutputs)]
    [InlineData(MessageLoggingBug.SyncDropsSentCount, MessageLoggingSpec.TakeoverCountsPrimaryOutputs)]
    [InlineData(MessageLoggingBug.RepliesBeforeBackupLogs, MessageLoggingSpec.NoAcknowledgedInputLost)]
    public void PlantedBug_IsFound_WithItsProperty_MinimisedAndReplayed(MessageLoggingBug bug, string property)
    {
        var config = new MessageLoggingConfig(Bug: bug);
        var found = Pair(config).Tester(MessageLoggingSystem.Options(config, 10_000)).AssertFindsAndReplays(property, FailureKind.Safety);
        output.WriteLine(found.ToString());
        Assert.Contains(found.Schedule.Steps, s => s.Action == "crash n0 (stop)");
        Assert.Contains(found.Schedule.Steps, s => s.Action == "tell n1: suspect n0");
        // The exhaustive search of the same configuration finds it too.
        var dfs = Pair(config).Tester(Exhaustive(config)).Explore(maxDepth: 100);
        Assert.Equal(property, dfs.Bug?.Property);
    }

    /// <summary>
    /// Why the pair's fault model is synchronous: under asynchronous timing the detector's report may overtake the
    /// copy of an output the primary sent just before crashing, so the backup takes over counting one output too few
    /// (and would send it again) — the seed's bus delivers to all destinations or none, which a bounded delay stands for.
    /// </summary>
    [Fact]
    public void CorrectPair_UnderAsynchronousTiming_CountsTooFewOutputs()
    {
        var config = new MessageLoggingConfig();
        var options = MessageLoggingSystem.Options(config, 10_000) with { Faults = config.Faults with { Timing = Timing.Asynchronous } };
        var found = Pair(config).Tester(options).AssertFindsAndReplays(MessageLoggingSpec.TakeoverCountsPrimaryOutputs, FailureKind.Safety);
        output.WriteLine(found.ToString());
    }

    [Fact]
    public void BadConfiguration_IsAOneLineError()
    {
        var error = Assert.Throws<SpecException>(() => Pair(new MessageLoggingConfig(SyncEvery: 0)));
        Assert.Equal("MessageLoggingConfig.SyncEvery must be at least 1 (got 0)", error.Message);
    }
}
