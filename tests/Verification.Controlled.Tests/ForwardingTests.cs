namespace Verification.Controlled.Tests;

/// <summary>Outside a controlled run every interceptor behaves as the BCL member it stands for (rewritten code must run as before).</summary>
public sealed class ForwardingTests
{
    [Fact]
    public async Task TaskMembersForwardToTheBcl()
    {
        var onPool = await ControlledTask.Run(() => Thread.CurrentThread.IsThreadPoolThread);
        Assert.True(onPool);
        Assert.Equal(42, await ControlledTask.Run(() => Task.FromResult(42)));
        await ControlledTask.Run(() => { });
        await ControlledTask.Run(() => Task.CompletedTask);
        await ControlledTask.Delay(1);
        await ControlledTask.Delay(TimeSpan.FromMilliseconds(1), CancellationToken.None);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ControlledTask.Delay(10_000, new CancellationToken(canceled: true)));
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = ControlledTask.Delay(-2); });

        var pending = new TaskCompletionSource<int>();
        Assert.False(ControlledTask.Wait(pending.Task, 0));
        Assert.False(ControlledTask.Wait(pending.Task, TimeSpan.Zero));
        pending.SetResult(7);
        Assert.Equal(7, ControlledTask.GetResult(pending.Task));
        var awaiter = pending.Task.GetAwaiter();
        Assert.Equal(7, ControlledTask.GetResult(ref awaiter));
        ControlledTask.WaitAll(pending.Task, Task.CompletedTask);
        Assert.Equal(0, ControlledTask.WaitAny(pending.Task));
        Assert.Same(TaskScheduler.Default, ControlledTask.DefaultScheduler);
        Assert.Same(TimeProvider.System, ControlledTime.System);
        var faulted = Task.FromException(new InvalidOperationException("x"));
        Assert.Throws<AggregateException>(() => ControlledTask.Wait(faulted));
        var plainAwaiter = faulted.GetAwaiter();
        Assert.Throws<InvalidOperationException>(() => ControlledTask.GetResult(ref plainAwaiter));
        await ControlledTask.ConfigureAwait(Task.CompletedTask, false);
        Assert.Equal(3, await ControlledTask.ConfigureAwait(Task.FromResult(3), false));
        Assert.Equal(2, (await ControlledTask.WhenAll(Task.FromResult(1), Task.FromResult(2)).ContinueWith(_ => 2, TaskScheduler.Default)));
    }

    [Fact]
    public void MonitorMembersForwardToTheBcl()
    {
        var gate = new object();
        ControlledMonitor.Enter(gate);
        Assert.True(Monitor.IsEntered(gate));
        ControlledMonitor.Exit(gate);
        Assert.False(Monitor.IsEntered(gate));
        var taken = false;
        ControlledMonitor.Enter(gate, ref taken);
        Assert.True(taken);
        ControlledMonitor.Exit(gate);
        Assert.True(ControlledMonitor.TryEnter(gate));
        ControlledMonitor.Exit(gate);
        Assert.True(ControlledMonitor.TryEnter(gate, 0));
        ControlledMonitor.Exit(gate);
        Assert.Throws<SynchronizationLockException>(() => ControlledMonitor.Exit(gate));
        Assert.Throws<SynchronizationLockException>(() => ControlledMonitor.Wait(gate, 0));
        Assert.Throws<SynchronizationLockException>(() => ControlledMonitor.Pulse(gate));

        // Wait and Pulse between two real threads.
        var ready = false;
        var waiter = new Thread(() =>
        {
            lock (gate)
            {
                ready = true;
                while (!ControlledMonitor.Wait(gate, 10_000)) { }
            }
        });
        waiter.Start();
        while (!Volatile.Read(ref ready)) Thread.Sleep(1);
        lock (gate) ControlledMonitor.PulseAll(gate);
        Assert.True(waiter.Join(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task SemaphoreInterlockedAndThreadMembersForwardToTheBcl()
    {
        using var semaphore = new SemaphoreSlim(1);
        ControlledSemaphore.Wait(semaphore);
        Assert.False(ControlledSemaphore.Wait(semaphore, 0));
        Assert.Equal(0, ControlledSemaphore.Release(semaphore));
        Assert.True(await ControlledSemaphore.WaitAsync(semaphore, 0));
        Assert.Equal(0, ControlledSemaphore.Release(semaphore, 1));
        await ControlledSemaphore.WaitAsync(semaphore);
        Assert.False(await ControlledSemaphore.WaitAsync(semaphore, 1));
        ControlledSemaphore.Release(semaphore);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        Assert.Throws<OperationCanceledException>(() => ControlledSemaphore.Wait(semaphore, cancelled.Token));

        int i = 1;
        long l = 1;
        object? o = "a";
        var s = "x";
        Assert.Equal(2, ControlledInterlocked.Increment(ref i));
        Assert.Equal(1, ControlledInterlocked.Decrement(ref i));
        Assert.Equal(2, ControlledInterlocked.Increment(ref l));
        Assert.Equal(1, ControlledInterlocked.Decrement(ref l));
        Assert.Equal(6, ControlledInterlocked.Add(ref i, 5));
        Assert.Equal(6, ControlledInterlocked.Add(ref l, 5));
        Assert.Equal(6, ControlledInterlocked.Exchange(ref i, 9));
        Assert.Equal(6, ControlledInterlocked.Exchange(ref l, 9));
        Assert.Equal("a", ControlledInterlocked.Exchange(ref o, "b"));
        Assert.Equal("x", ControlledInterlocked.Exchange(ref s, "y"));
        Assert.Equal(9, ControlledInterlocked.CompareExchange(ref i, 1, 9));
        Assert.Equal(9, ControlledInterlocked.CompareExchange(ref l, 1, 9));
        Assert.Equal("b", ControlledInterlocked.CompareExchange(ref o, "c", "nope"));
        Assert.Equal("y", ControlledInterlocked.CompareExchange(ref s, "z", "y"));
        Assert.Equal((1, 1L, "b", "z"), (i, l, o, s));

        ControlledThread.Sleep(0);
        ControlledThread.Sleep(TimeSpan.FromMilliseconds(1));
        var ran = new TaskCompletionSource();
        var thread = new Thread(() => ran.SetResult());
        ControlledThread.Start(thread);
        await ran.Task;
        var queued = new TaskCompletionSource();
        Assert.True(ControlledThread.QueueUserWorkItem(_ => queued.SetResult()));
        await queued.Task;
    }
}

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
