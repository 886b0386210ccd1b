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
