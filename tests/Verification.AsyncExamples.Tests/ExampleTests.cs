using Verification.AsyncExamples.Checks;
using Verification.Checkers.Linearizability;
using Verification.Controlled;
using Xunit.Abstractions;

namespace Verification.AsyncExamples.Tests;

/// <summary>
/// The shipped async examples, written in plain C# with no reference to the toolkit, tested through their rewritten
/// assembly (this project imports Verification.Controlled.targets): each bug found by the default strategy, minimised
/// and replayed from its file; each fix clean over a large budget. The checks are the ones the CLI's catalog runs.
/// </summary>
public sealed class ExampleTests(ITestOutputHelper output)
{
    private static readonly string Schedules = Path.Combine(Path.GetTempPath(), "verification-async-examples");

    [Fact]
    public void TheAccountService_OpensOneAccountTwice_FoundMinimisedAndReplayed()
    {
        var result = AsyncExampleChecks.Accounts(serialised: false, runs: 100, Schedules);
        output.WriteLine(result.ToString());
        var bug = Assert.IsType<ControlledCounterexample>(result.AssertViolated("InvalidOperationException"));
        Assert.Contains("AccountService.OpenAsync", string.Join("\n", bug.Trace));
        var replay = ControlledTest.Replay(AsyncExampleChecks.OpenTwice(serialised: false), bug.SchedulePath!);
        Assert.Equal(bug.Trace, Assert.IsType<ControlledCounterexample>(replay.AssertViolated("InvalidOperationException")).Trace);
    }

    [Fact]
    public void TheSerialisedAccountService_IsCleanOverALargeBudget()
    {
        var result = AsyncExampleChecks.Accounts(serialised: true, runs: 2_000, Schedules);
        output.WriteLine(result.ToString());
        result.AssertHolds();
        Assert.Equal(2_000, result.Coverage.Runs);
    }

    [Fact]
    public void TheBoundedBufferWithPulse_Deadlocks_AndTheReportNamesWhatEachTaskWaitsOn()
    {
        var result = AsyncExampleChecks.BoundedBuffer(pulseAll: false, runs: 2_000, Schedules);
        output.WriteLine(result.ToString());
        var deadlock = Assert.IsType<ControlledCounterexample>(result.AssertViolated("Deadlock"));
        Assert.Equal(ControlledFailure.Deadlock, deadlock.Kind);
        Assert.Contains("Monitor.Wait", deadlock.Details);
        ControlledTest.Replay(AsyncExampleChecks.ProducersAndConsumers(pulseAll: false), deadlock.SchedulePath!).AssertViolated("Deadlock");
    }

    [Fact]
    public void TheBoundedBufferWithPulseAll_IsCleanOverALargeBudget()
    {
        var result = AsyncExampleChecks.BoundedBuffer(pulseAll: true, runs: 2_000, Schedules);
        output.WriteLine(result.ToString());
        result.AssertHolds();
    }

    [Fact]
    public void TheStackWhosePushLosesUpdates_IsNotLinearizable()
    {
        var result = AsyncExampleChecks.Stack(treiber: false, runsPerScenario: 200, Schedules);
        output.WriteLine(result.ToString());
        var found = Assert.IsType<ControlledCounterexample>(result.AssertViolated(LinearizabilityChecker.Property));
        Assert.Contains("Interlocked.Exchange", string.Join("\n", found.Trace));
        Assert.Contains("not linearizable", found.Details);
        var replay = Assert.IsType<ControlledCounterexample>(AsyncExampleChecks.ReplayLosingStack(found.SchedulePath!).AssertViolated(LinearizabilityChecker.Property));
        Assert.Equal(found.Trace, replay.Trace);
    }

    [Fact]
    public void TheTreiberStack_IsLinearizableOverALargeBudget()
    {
        var result = AsyncExampleChecks.Stack(treiber: true, runsPerScenario: 250, Schedules);
        output.WriteLine(result.ToString());
        result.AssertHolds();
        Assert.Equal(5_000, result.Coverage.Runs);
    }

    [Fact]
    public void TheAsyncRaftReplica_ThatAppliesUnserialised_BreaksAppliedInOrder_FoundAndReplayed()
    {
        var result = AsyncExampleChecks.Raft(unserialisedApply: true, runs: 300, Schedules);
        output.WriteLine(result.ToString());
        var found = Assert.IsType<ControlledCounterexample>(result.AssertViolated("AppliedInOrder", "ReplicatedLog.AppliedInOrder"));
        ControlledTest.Replay(AsyncExampleChecks.RaftSpec, AsyncExampleChecks.RaftCluster(unserialisedApply: true), found.SchedulePath!, AsyncExampleChecks.RaftOptions(true, 1))
            .AssertViolated(found.Property);
    }

    [Fact]
    public void TheAsyncRaftReplica_SatisfiesRaftAndTheReplicatedLog_OnEveryRunTried_AndEveryRunCommits()
    {
        var answered = new List<bool>();
        var result = AsyncExampleChecks.Raft(unserialisedApply: false, runs: 1_000, Schedules, answered);
        output.WriteLine(result.ToString());
        result.AssertHolds();
        Assert.Equal(1_000, result.Coverage.Runs);
        Assert.Contains(result.Within, w => w.StartsWith("safety only", StringComparison.Ordinal));
        // Not vacuous: every run elects a leader, commits the command and answers the client.
        Assert.True(answered.Count == 1_000 && answered.All(a => a), $"{answered.Count(a => a)} of {answered.Count} runs answered the client");
    }

    [Fact]
    public void TheExamplesAssemblyTheseTestsRun_IsTheRewrittenCopy_MarkedWithTheRewritersSignature()
    {
        // The build rewrote this project's copy (Verification.Controlled.targets); the examples' own output stays as compiled.
        var marker = typeof(AsyncExamples.Accounts.AccountService).Assembly.GetCustomAttributesData()
            .Where(a => a.AttributeType.Name == "AssemblyMetadataAttribute").Select(a => $"{a.ConstructorArguments[0].Value}={a.ConstructorArguments[1].Value}").ToList();
        Assert.Contains(marker, m => m.StartsWith("Verification.Controlled.Rewritten=rewriter ", StringComparison.Ordinal));
    }
}
