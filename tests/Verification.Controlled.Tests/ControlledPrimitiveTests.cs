namespace Verification.Controlled.Tests;

/// <summary>Under control the blocking and timed primitives are cooperative: the caller blocks, the others run, nothing hangs.</summary>
public sealed class ControlledPrimitiveTests
{
    private static readonly ControlledOptions Exhaustive = new() { Strategy = ControlledStrategy.Dfs, Iterations = 20_000 };

    private static Func<Task> RacyUnder(Action enter, Action exit, Bodies.Counter counter) => () =>
    {
        void Increment()
        {
            enter();
            var read = counter.Value;
            ControlledThread.Sleep(0);
            counter.Value = read + 1;
            exit();
        }
        counter.Value = 0;
        ControlledTask.WaitAll(ControlledTask.Run(Increment), ControlledTask.Run(Increment));
        Assert.Equal(2, counter.Value);
        return Task.CompletedTask;
    };

    [Fact]
    public void SemaphoreWaitIsMutualExclusionInEveryInterleaving()
    {
        var semaphore = new SemaphoreSlim(1);
        var result = ControlledTest.Run(RacyUnder(() => ControlledSemaphore.Wait(semaphore), () => ControlledSemaphore.Release(semaphore), new Bodies.Counter()), Exhaustive);
        result.AssertHolds();
        Assert.Contains("depth-first search is complete", string.Join(" ", result.Within), StringComparison.Ordinal);
    }

    [Fact]
    public void SemaphoreWaitAsyncIsMutualExclusionInEveryInterleaving()
    {
        var result = ControlledTest.Run(async () =>
        {
            var semaphore = new SemaphoreSlim(1);
            var counter = new Bodies.Counter();
            async Task Increment()
            {
                await ControlledSemaphore.WaitAsync(semaphore);
                try
                {
                    await Bodies.RacyIncrement(counter);
                }
                finally
                {
                    ControlledSemaphore.Release(semaphore);
                }
            }
            await Task.WhenAll(ControlledTask.Run(Increment), ControlledTask.Run(Increment));
            Assert.Equal(2, counter.Value);
        }, Exhaustive);
        result.AssertHolds();
        Assert.Contains("depth-first search is complete", string.Join(" ", result.Within), StringComparison.Ordinal);
    }

    [Fact]
    public void SyncOverAsyncWaitsBlockOnlyTheCaller()
    {
        var result = ControlledTest.Run(() =>
        {
            var answer = ControlledTask.Run(async () =>
            {
                await Task.Yield();
                return 5;
            });
            Assert.Equal(5, ControlledTask.GetResult(answer));
            var awaiter = ControlledTask.Run(async () => await ControlledTask.Delay(100)).GetAwaiter();
            ControlledTask.GetResult(ref awaiter);
            Assert.False(ControlledTask.Wait(ControlledTask.Delay(TimeSpan.FromMinutes(1)), TimeSpan.FromSeconds(1))); // times out in virtual time
            return Task.CompletedTask;
        }, Exhaustive);
        result.AssertHolds();
    }

    [Fact]
    public void TimedWaitsTimeOutInVirtualTime()
    {
        var result = ControlledTest.Run(async () =>
        {
            var clock = ControlledTime.System;
            var start = clock.GetUtcNow();
            var gate = new object();
            ControlledMonitor.Enter(gate);
            Assert.False(ControlledMonitor.Wait(gate, 1000)); // nobody pulses
            ControlledMonitor.Exit(gate);
            var semaphore = new SemaphoreSlim(0);
            Assert.False(ControlledSemaphore.Wait(semaphore, 1000));
            Assert.False(await ControlledSemaphore.WaitAsync(semaphore, 1000));
            Assert.Equal(TimeSpan.FromSeconds(3), clock.GetUtcNow() - start);
        }, Exhaustive);
        result.AssertHolds();
    }

    [Fact]
    public void ConfigureAwaitFalseAndTheDefaultSchedulerStayControlled()
    {
        var result = ControlledTest.Run(async () =>
        {
            await ControlledTask.ConfigureAwait(ControlledTask.Delay(10), false);
            var counter = 0;
            await Task.Factory.StartNew(() => counter++, CancellationToken.None, TaskCreationOptions.None, ControlledTask.DefaultScheduler);
            await ControlledTask.ConfigureAwait(ControlledTask.Run(() => counter++), false);
            Assert.Equal(2, counter);
        }, Exhaustive);
        result.AssertHolds();
    }

    [Fact]
    public void WhenAllOverTasksCompletedAsynchronouslyStaysControlled()
    {
        // A TaskCompletionSource with RunContinuationsAsynchronously: the BCL's WhenAll would finish on the thread pool.
        var result = ControlledTest.Run(async () =>
        {
            var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var setter = ControlledTask.Run(() =>
            {
                first.SetResult();
                second.SetResult();
            });
            await ControlledTask.WhenAll(first.Task, second.Task, setter);
            Assert.Same(first.Task, await ControlledTask.WhenAny(first.Task, second.Task));
        }, Exhaustive);
        result.AssertHolds();
    }

    [Fact]
    public void TasksOfTheProgramsOwnStartNewAndContinueWithAreControlled()
    {
        var result = ControlledTest.Run(() =>
        {
            var counter = new Bodies.Counter();
            void Increment()
            {
                var read = counter.Value;
                ControlledThread.Sleep(0);
                counter.Value = read + 1;
            }
            var first = Task.Factory.StartNew(Increment); // TaskScheduler.Current: the run's scheduler
            var second = first.ContinueWith(_ => Increment()).ContinueWith(_ => { });
            var third = Task.Factory.StartNew(Increment);
            Assert.InRange(ControlledTask.WaitAny(second, third), 0, 1);
            ControlledTask.WaitAll(second, third);
            Assert.Equal(3, counter.Value);
            return Task.CompletedTask;
        }, new ControlledOptions { Strategy = ControlledStrategy.Dfs, Iterations = 10_000, ScheduleDirectory = Path.Combine(Path.GetTempPath(), "verification-controlled-tests") });
        var bug = Assert.IsType<ControlledCounterexample>(result.AssertViolated("EqualException"));
        Assert.Contains("StartNew/ContinueWith at", string.Join("\n", bug.Trace), StringComparison.Ordinal);
    }
}
