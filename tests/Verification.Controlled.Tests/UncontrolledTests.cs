namespace Verification.Controlled.Tests;

/// <summary>Concurrency the runtime does not control is reported (with where it started), never hung.</summary>
public sealed class UncontrolledTests
{
    [Fact]
    public void AnUnrewrittenTaskRunIsReportedWithItsCallSite()
    {
        var result = ControlledTest.Run(async () =>
        {
            var counter = 0;
            await Task.Run(() => counter++); // the BCL's Task.Run: the thread pool, outside the schedule
        }, new ControlledOptions { Iterations = 20 });
        Assert.Equal(Verdict.Unknown, result.Verdict);
        Assert.Equal(Inconclusive.Uncontrolled, result.Why);
        var report = Assert.IsType<ControlledCounterexample>(result.Counterexample);
        Assert.Equal(ControlledFailure.Uncontrolled, report.Kind);
        Assert.Equal("UncontrolledConcurrency", report.Property);
        Assert.Contains("started a task on a scheduler the runtime does not control", report.Details, StringComparison.Ordinal);
        Assert.Matches(@"started at UncontrolledTests\.AnUnrewrittenTaskRunIsReportedWithItsCallSite \(lambda\) at UncontrolledTests\.cs:\d+", report.Details);
        Assert.Equal(1, result.Coverage.Runs); // reported by the first run, exactly (not by a timing window)
    }

    [Fact]
    public void ARealBlockingWaitOnAnUncontrolledEventIsStoppedByTheWatchdog()
    {
        using var never = new ManualResetEventSlim(false);
        try
        {
            var result = ControlledTest.Run(() =>
            {
                ControlledThread.Sleep(0); // a scheduling point, the last one before the wait
                never.Wait(); // an OS wait the runtime cannot see: only the watchdog notices
                return Task.CompletedTask;
            }, new ControlledOptions { Iterations = 5, Watchdog = TimeSpan.FromMilliseconds(200) });
            Assert.Equal(Verdict.Unknown, result.Verdict);
            Assert.Equal(Inconclusive.Budget, result.Why);
            var report = Assert.IsType<ControlledCounterexample>(result.Counterexample);
            Assert.Equal(ControlledFailure.Hang, report.Kind);
            Assert.Contains("body (UncontrolledTests.ARealBlockingWaitOnAnUncontrolledEventIsStoppedByTheWatchdog (lambda))", report.Details, StringComparison.Ordinal);
            Assert.Contains("made no scheduling point for 0.2 s", report.Details, StringComparison.Ordinal);
            Assert.Contains("its last scheduling point: Thread.Sleep(0)", report.Details, StringComparison.Ordinal);
        }
        finally
        {
            never.Set(); // let the abandoned operation thread finish
        }
    }

    [Fact]
    public void StartingAThreadIsReportedAsUnsupportedByName()
    {
        var result = ControlledTest.Run(() =>
        {
            var thread = new Thread(() => { });
            ControlledThread.Start(thread);
            return Task.CompletedTask;
        }, new ControlledOptions { Iterations = 5 });
        Assert.Equal(Inconclusive.Uncontrolled, result.Why);
        var report = Assert.IsType<ControlledCounterexample>(result.Counterexample);
        Assert.Equal("Unsupported: Thread.Start (new Thread)", report.Property);
        Assert.Contains("start the work with Task.Run", report.Details, StringComparison.Ordinal);
        Assert.Matches(@"called at UncontrolledTests\.StartingAThreadIsReportedAsUnsupportedByName \(lambda\) at UncontrolledTests\.cs:\d+", report.Details);
    }

    [Fact]
    public void QueueingToTheThreadPoolIsReportedAsUnsupportedByName()
    {
        var ran = false;
        var result = ControlledTest.Run(() =>
        {
            ControlledThread.QueueUserWorkItem(_ => ran = true);
            return Task.CompletedTask;
        }, new ControlledOptions { Iterations = 5 });
        var report = Assert.IsType<ControlledCounterexample>(result.Counterexample);
        Assert.Equal("Unsupported: ThreadPool.QueueUserWorkItem", report.Property);
        Assert.False(ran); // reported instead of queued
    }

    [Fact]
    public void TasksThatNeverFinishGetALivenessReportAtTheStepBound()
    {
        var result = ControlledTest.Run(async () =>
        {
            var done = false;
            await ControlledTask.Run(async () =>
            {
                while (!done) await Task.Yield(); // nobody sets it: spins forever
            });
        }, new ControlledOptions { Iterations = 3, MaxSteps = 100 });
        Assert.Equal(Verdict.Unknown, result.Verdict);
        Assert.Equal(Inconclusive.SearchLimit, result.Why);
        Assert.Contains("3 of 3 runs reached 100 scheduling points", result.Reason, StringComparison.Ordinal);
        var report = Assert.IsType<ControlledCounterexample>(result.Counterexample);
        Assert.Equal(ControlledFailure.StepBound, report.Kind);
        Assert.Equal("Termination within 100 steps", report.Property);
        Assert.Contains("task 1 (UncontrolledTests.TasksThatNeverFinishGetALivenessReportAtTheStepBound (lambda) at UncontrolledTests.cs:", report.Details, StringComparison.Ordinal);
        Assert.Contains("body (UncontrolledTests.TasksThatNeverFinishGetALivenessReportAtTheStepBound (lambda)): not finished", report.Details, StringComparison.Ordinal);
    }
}
