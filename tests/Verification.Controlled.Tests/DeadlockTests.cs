using Xunit.Abstractions;

namespace Verification.Controlled.Tests;

public sealed class DeadlockTests(ITestOutputHelper output)
{
    private static readonly string Schedules = Path.Combine(Path.GetTempPath(), "verification-controlled-tests");

    [Fact]
    public void BoundedBufferWithPulseDeadlocks()
    {
        var result = ControlledTest.Run(BoundedBuffer.ProducersAndConsumers(pulseAll: false), new ControlledOptions { Subject = "BoundedBuffer(Pulse)", Iterations = 2000, ScheduleDirectory = Schedules });
        output.WriteLine(result.ToString());
        var deadlock = Assert.IsType<ControlledCounterexample>(result.AssertViolated("Deadlock"));
        Assert.Equal(ControlledFailure.Deadlock, deadlock.Kind);
        // Every unfinished task is listed: each blocked one waits in Monitor.Wait on the buffer (a lost wake-up), with where.
        var blocked = deadlock.Details.Split('\n').Where(l => l.Contains("blocked on", StringComparison.Ordinal)).ToList();
        Assert.True(blocked.Count >= 2, deadlock.Details);
        Assert.All(blocked, line => Assert.Matches(@"blocked on Monitor\.Wait\(Object\), at BoundedBuffer\.(Put|Take) at Bodies\.cs:\d+", line));
        Assert.Contains("body (BoundedBuffer.ProducersAndConsumers (lambda)): not finished", deadlock.Details, StringComparison.Ordinal);
        Assert.Contains("Bodies.cs:", deadlock.Details, StringComparison.Ordinal);
        ControlledTest.Replay(BoundedBuffer.ProducersAndConsumers(pulseAll: false), deadlock.SchedulePath!).AssertViolated("Deadlock");
    }

    [Fact]
    public void BoundedBufferWithPulseAllHoldsUnderABudget()
    {
        var result = ControlledTest.Run(BoundedBuffer.ProducersAndConsumers(pulseAll: true), new ControlledOptions { Subject = "BoundedBuffer(PulseAll)", Iterations = 300 });
        output.WriteLine(result.ToString());
        result.AssertHolds();
        Assert.Equal(300, result.Coverage.Runs);
        Assert.True(result.Coverage.Steps > 300 * 10, result.Summary);
        Assert.Contains("scheduling points/s", result.Notes, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoTasksAwaitingEachOthersCompletionSourceDeadlock()
    {
        static async Task Body()
        {
            var first = new TaskCompletionSource();
            var second = new TaskCompletionSource();
            var a = ControlledTask.Run(async () =>
            {
                await first.Task;
                second.SetResult();
            });
            var b = ControlledTask.Run(async () =>
            {
                await second.Task;
                first.SetResult();
            });
            await Task.WhenAll(a, b);
        }
        var result = ControlledTest.Run(Body, new ControlledOptions { Iterations = 10, ScheduleDirectory = Schedules });
        var deadlock = Assert.IsType<ControlledCounterexample>(result.AssertViolated("Deadlock"));
        Assert.Contains("the body has not finished", deadlock.Details, StringComparison.Ordinal);
        var tasks = deadlock.Details.Split('\n').Where(l => l.Contains("not finished, suspended at an await", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, tasks.Count); // the body and both tasks
        Assert.Contains(tasks, l => l.StartsWith("  task 1", StringComparison.Ordinal) && l.Contains("TaskCompletionSource", StringComparison.Ordinal));
        Assert.Contains(tasks, l => l.StartsWith("  task 2", StringComparison.Ordinal) && l.Contains("TaskCompletionSource", StringComparison.Ordinal));
    }

    [Fact]
    public void LocksTakenInOppositeOrderDeadlockAndNameTheHolders()
    {
        static async Task Body()
        {
            object left = new(), right = new();
            void Both(object first, object second)
            {
                ControlledMonitor.Enter(first);
                ControlledMonitor.Enter(second);
                ControlledMonitor.Exit(second);
                ControlledMonitor.Exit(first);
            }
            await Task.WhenAll(ControlledTask.Run(() => Both(left, right)), ControlledTask.Run(() => Both(right, left)));
        }
        var result = ControlledTest.Run(Body, new ControlledOptions { Strategy = ControlledStrategy.Dfs, Iterations = 1000, ScheduleDirectory = Schedules });
        var deadlock = Assert.IsType<ControlledCounterexample>(result.AssertViolated("Deadlock"));
        Assert.Contains("task 1", deadlock.Details, StringComparison.Ordinal);
        Assert.Contains("blocked on lock on Object (held by task 2", deadlock.Details, StringComparison.Ordinal);
        Assert.Contains("blocked on lock on Object (held by task 1", deadlock.Details, StringComparison.Ordinal);
    }

    [Fact]
    public void SemaphoresAwaitedInOppositeOrderDeadlockAndNameTheWaits()
    {
        static async Task Body()
        {
            using var first = new SemaphoreSlim(1);
            using var second = new SemaphoreSlim(1);
            async Task Both(SemaphoreSlim a, SemaphoreSlim b)
            {
                await ControlledSemaphore.WaitAsync(a);
                await ControlledSemaphore.WaitAsync(b);
                ControlledSemaphore.Release(b);
                ControlledSemaphore.Release(a);
            }
            await Task.WhenAll(ControlledTask.Run(() => Both(first, second)), ControlledTask.Run(() => Both(second, first)));
        }
        var result = ControlledTest.Run(Body, new ControlledOptions { Strategy = ControlledStrategy.Dfs, Iterations = 10_000, ScheduleDirectory = Schedules });
        var deadlock = Assert.IsType<ControlledCounterexample>(result.AssertViolated("Deadlock"));
        var waits = deadlock.Details.Split('\n').Where(l => l.Contains("blocked on SemaphoreSlim.WaitAsync (count 0)", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, waits.Count);
        Assert.Contains(waits, l => l.StartsWith("  task 1", StringComparison.Ordinal));
        Assert.Contains(waits, l => l.StartsWith("  task 2", StringComparison.Ordinal));
    }

    [Fact]
    public void SyncOverAsyncOnATaskThatNeedsTheCallerDeadlocks()
    {
        static Task Body()
        {
            var signal = new TaskCompletionSource();
            var worker = ControlledTask.Run(async () => await signal.Task);
            ControlledTask.Wait(worker); // blocks the body, which was to complete the signal afterwards
            signal.SetResult();
            return Task.CompletedTask;
        }
        var result = ControlledTest.Run(Body, new ControlledOptions { Iterations = 5, ScheduleDirectory = Schedules });
        var deadlock = Assert.IsType<ControlledCounterexample>(result.AssertViolated("Deadlock"));
        Assert.Contains("body (DeadlockTests.Body): blocked on Task.Wait on task 1", deadlock.Details, StringComparison.Ordinal);
        Assert.Matches(@"task 1 \(DeadlockTests\.Body at DeadlockTests\.cs:\d+\): not finished, suspended at an await", deadlock.Details);
    }

    [Fact]
    public void AfterTheBodyFinishesAThreadBlockedForeverIsADeadlockButAnAsyncWaitIsNot()
    {
        var semaphore = new SemaphoreSlim(0);
        var asyncWaiter = ControlledTest.Run(() =>
        {
            _ = ControlledTask.Run(() => ControlledSemaphore.WaitAsync(semaphore)); // a listener nobody serves: like an await of a task nobody completes
            return Task.CompletedTask;
        }, new ControlledOptions { Iterations = 20 });
        asyncWaiter.AssertHolds();

        var blockedThread = ControlledTest.Run(() =>
        {
            _ = ControlledTask.Run(() => ControlledSemaphore.Wait(semaphore)); // a thread parked forever
            return Task.CompletedTask;
        }, new ControlledOptions { Iterations = 20, ScheduleDirectory = Schedules });
        var deadlock = Assert.IsType<ControlledCounterexample>(blockedThread.AssertViolated("Deadlock"));
        Assert.Contains("but operations are blocked", deadlock.Details, StringComparison.Ordinal);
        Assert.Contains("blocked on SemaphoreSlim (count 0)", deadlock.Details, StringComparison.Ordinal);
        semaphore.Dispose();
    }

    [Theory]
    [InlineData(ControlledStrategy.Random)]
    [InlineData(ControlledStrategy.Pct)]
    public void EachStrategyOfThePortfolioFindsThePulseDeadlockAlone(ControlledStrategy strategy)
    {
        var result = ControlledTest.Run(BoundedBuffer.ProducersAndConsumers(pulseAll: false), new ControlledOptions { Strategy = strategy, Iterations = 5000, Minimize = false, ScheduleDirectory = Schedules });
        output.WriteLine(result.Summary);
        result.AssertViolated("Deadlock");
    }

    [Fact]
    public void ABlockedOperationInsideNestedAsyncCallsShowsItsAsyncCallers()
    {
        static async Task Outer(object gate)
        {
            await Task.Yield();
            await Inner(gate);
        }
        static async Task Inner(object gate)
        {
            await Task.Yield();
            ControlledMonitor.Enter(gate);
            ControlledMonitor.Wait(gate); // nobody pulses
            ControlledMonitor.Exit(gate);
        }
        var result = ControlledTest.Run(async () => await ControlledTask.Run(() => Outer(new object())), new ControlledOptions { Iterations = 3, ScheduleDirectory = Schedules });
        var deadlock = Assert.IsType<ControlledCounterexample>(result.AssertViolated("Deadlock"));
        Assert.Contains("blocked on Monitor.Wait(Object), at DeadlockTests.Inner at DeadlockTests.cs:", deadlock.Details, StringComparison.Ordinal);
        Assert.Contains("async stack: DeadlockTests.Outer awaiting DeadlockTests.Inner", deadlock.Details, StringComparison.Ordinal);
    }
}
