namespace Verification.Controlled.Tests;

public sealed class ExceptionTests
{
    private static readonly string Schedules = Path.Combine(Path.GetTempPath(), "verification-controlled-tests");

    [Fact]
    public void AnExceptionOfAnAwaitedTaskFailsTheBody()
    {
        var result = ControlledTest.Run(async () =>
        {
            await ControlledTask.Run(() => throw new InvalidOperationException("no account"));
        }, new ControlledOptions { Iterations = 5, ScheduleDirectory = Schedules });
        var bug = Assert.IsType<ControlledCounterexample>(result.AssertViolated("InvalidOperationException"));
        Assert.Equal(ControlledFailure.Exception, bug.Kind);
        Assert.Contains("no account", bug.Details, StringComparison.Ordinal);
        Assert.Contains("ExceptionTests.AnExceptionOfAnAwaitedTaskFailsTheBody (lambda) at ExceptionTests.cs:", bug.Details, StringComparison.Ordinal);
    }

    [Fact]
    public void AFaultedTaskNobodyObservesIsAViolation()
    {
        var result = ControlledTest.Run(() =>
        {
            _ = ControlledTask.Run(() => throw new ArgumentException("fire and forget"));
            return Task.CompletedTask;
        }, new ControlledOptions { Iterations = 5, ScheduleDirectory = Schedules });
        var bug = Assert.IsType<ControlledCounterexample>(result.AssertViolated("ArgumentException"));
        Assert.Equal(ControlledFailure.UnobservedException, bug.Kind);
        Assert.Contains("task 1", bug.Details, StringComparison.Ordinal);
        Assert.Contains("nothing observed it", bug.Details, StringComparison.Ordinal);
    }

    [Fact]
    public void AnExceptionTheBodyCatchesIsNotAViolation()
    {
        var caught = 0;
        var result = ControlledTest.Run(async () =>
        {
            try
            {
                await ControlledTask.Run(() => throw new ArgumentException("handled"));
            }
            catch (ArgumentException)
            {
                caught++;
            }
        }, new ControlledOptions { Iterations = 5 });
        result.AssertHolds();
        Assert.Equal(5, caught);
    }

    [Fact]
    public void ASynchronousThrowOfTheBodyIsReported()
    {
        var result = ControlledTest.Run(() => throw new NotSupportedException("at once"), new ControlledOptions { Iterations = 1, ScheduleDirectory = Schedules });
        result.AssertViolated("NotSupportedException");
    }

    [Fact]
    public void AnAsyncVoidMethodThatThrowsIsAViolation()
    {
        static async void FireAndForget()
        {
            await Task.Yield();
            throw new TimeoutException("from async void");
        }
        var result = ControlledTest.Run(async () =>
        {
            FireAndForget();
            await Task.Yield();
        }, new ControlledOptions { Iterations = 5, ScheduleDirectory = Schedules });
        var bug = Assert.IsType<ControlledCounterexample>(result.AssertViolated("TimeoutException"));
        Assert.Contains("out of a callback (an async void method", bug.Details, StringComparison.Ordinal);
    }
}
