namespace Verification.Controlled.Tests;

/// <summary>Timers adversarial (the default) or partially synchronous (TimersOnlyWhenIdle): the same body, both ways.</summary>
public sealed class TimingTests
{
    private static readonly string Schedules = Path.Combine(Path.GetTempPath(), "verification-controlled-tests");

    /// <summary>A worker needs five turns; a 10 ms timeout expects it done. Only an adversarial timer can beat it.</summary>
    private static async Task WorkerBeatsTheTimeout()
    {
        var done = false;
        var worker = ControlledTask.Run(async () =>
        {
            for (var i = 0; i < 5; i++) await ControlledTask.Yield();
            done = true;
        });
        await ControlledTask.Delay(10);
        Assert.True(done, "the timeout fired before the worker finished");
        await worker;
    }

    [Fact]
    public void ByDefault_ATimerMayFireBeforeRunnableWorkIsDone()
    {
        var result = ControlledTest.Run(WorkerBeatsTheTimeout, new ControlledOptions { Iterations = 200, ScheduleDirectory = Schedules });
        result.AssertViolated("TrueException");
        Assert.DoesNotContain(result.Within, w => w.Contains("partially synchronous", StringComparison.Ordinal));
    }

    [Fact]
    public void WithTimersOnlyWhenIdle_ATimerWaitsForEveryRunnableOperation_AndTheResultSaysSo()
    {
        var result = ControlledTest.Run(WorkerBeatsTheTimeout, new ControlledOptions { Iterations = 200, TimersOnlyWhenIdle = true, ScheduleDirectory = Schedules });
        result.AssertHolds();
        Assert.Contains(result.Within, w => w.Contains("partially synchronous", StringComparison.Ordinal));
    }
}
