using Verification.Checkers.Systematic;
using Verification.Protocols.PrimaryBackup;
using Xunit.Abstractions;

namespace Verification.Protocols.Tests.PrimaryBackup;

/// <summary>The classic primary-backup register of the seed's notes.</summary>
public class ClassicPrimaryBackupTests(ITestOutputHelper output)
{
    [Fact]
    public void CorrectPair_Holds_Over10000PortfolioRuns_UnderPrimaryCrashStop()
    {
        var report = ClassicPrimaryBackupSystem.System(new ClassicPrimaryBackupConfig()).Tester(ClassicPrimaryBackupSystem.Options(10_000)).Run();
        output.WriteLine(report.ToString());
        report.AssertHolds();
        Assert.Equal(10_000, report.Coverage.Runs);
    }

    [Fact]
    public void CorrectPair_ExhaustiveSearch()
    {
        var system = ClassicPrimaryBackupSystem.System(new ClassicPrimaryBackupConfig());
        var options = ClassicPrimaryBackupSystem.Options(1) with { CheckLiveness = false };
        var report = system.Tester(options).Explore(maxDepth: 100);
        output.WriteLine(report.ToString());
        Assert.True(report.Holds, report.ToString());
        // Without a crash one message is in flight at a time — update, forward, ack, reply for each of the 3 updates —
        // so the failure-free states are the 12 steps' 13 (counted below); the other 132 have the primary stopped at one
        // of those 13 points, its last message delivered or not, before or after the detector tells the backup, and
        // then the new primary's own rounds with the client.
        Assert.Equal(118, report.Coverage.States); // 145 while messages to the crash-stopped primary still split states
        var failureFree = system.Tester(options with { Faults = ClassicPrimaryBackupConfig.Faults with { Roles = [] } }).Explore(maxDepth: 100);
        output.WriteLine(failureFree.ToString());
        Assert.Equal(13, failureFree.Coverage.States);
    }

    [Fact]
    public void ReplyBeforeAck_LosesAnAcknowledgedUpdate_FoundMinimisedAndReplayed()
    {
        var config = new ClassicPrimaryBackupConfig(ReplyBeforeAck: true);
        var found = ClassicPrimaryBackupSystem.System(config).Tester(ClassicPrimaryBackupSystem.Options(10_000))
            .AssertFindsAndReplays(ClassicPrimaryBackupSpec.NoAcknowledgedUpdateLost, FailureKind.Safety);
        output.WriteLine(found.ToString());
        Assert.Contains(found.Schedule.Steps, s => s.Action == "crash n0 (stop)");
        var dfs = ClassicPrimaryBackupSystem.System(config).Tester(ClassicPrimaryBackupSystem.Options(1) with { CheckLiveness = false }).Explore(maxDepth: 100);
        Assert.Equal(ClassicPrimaryBackupSpec.NoAcknowledgedUpdateLost, dfs.Bug?.Property);
    }
}
