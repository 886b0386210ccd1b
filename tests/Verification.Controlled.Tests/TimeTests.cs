namespace Verification.Controlled.Tests;

public sealed class TimeTests
{
    [Fact]
    public void AnHourLongDelayTakesAnHourOfVirtualTimeOnly()
    {
        var observed = new List<TimeSpan>();
        var result = ControlledTest.Run(async () =>
        {
            var clock = ControlledTime.System;
            var before = clock.GetUtcNow();
            await ControlledTask.Delay(TimeSpan.FromHours(1));
            observed.Add(clock.GetUtcNow() - before);
        }, new ControlledOptions { Iterations = 5 });
        result.AssertHolds();
        // Exactly an hour passed on the run's clock each time (a real delay would have kept this test for five hours).
        Assert.Equal(Enumerable.Repeat(TimeSpan.FromHours(1), 5), observed);
    }

    /// <summary>
    /// In every interleaving: a delay never ends before its length of virtual time has passed since it started, and of
    /// two pending delays the one with the earlier deadline completes first (timers fire earliest deadline first).
    /// </summary>
    [Fact]
    public void DelaysEndInDeadlineOrderInEveryInterleaving()
    {
        var runs = 0;
        var result = ControlledTest.Run(async () =>
        {
            var clock = ControlledTime.System;
            async Task<TimeSpan> Sleeper(TimeSpan length)
            {
                var start = clock.GetUtcNow();
                await ControlledTask.Delay(length);
                return clock.GetUtcNow() - start;
            }
            var longer = ControlledTask.Run(() => Sleeper(TimeSpan.FromHours(2)));
            var shorter = ControlledTask.Run(() => Sleeper(TimeSpan.FromHours(1)));
            Assert.True(await longer >= TimeSpan.FromHours(2));
            Assert.True(await shorter >= TimeSpan.FromHours(1));

            var late = ControlledTask.Delay(TimeSpan.FromHours(2));
            var early = ControlledTask.Delay(TimeSpan.FromHours(1));
            Assert.Same(early, await Task.WhenAny(late, early));
            runs++;
        }, new ControlledOptions { Strategy = ControlledStrategy.Dfs, Iterations = 100_000 });
        result.AssertHolds();
        Assert.Contains("depth-first search is complete", string.Join(" ", result.Within), StringComparison.Ordinal);
        Assert.Equal(result.Coverage.Runs, runs);
        Assert.True(runs > 10, $"{runs} interleavings");
    }

    [Fact]
    public void ThreadSleepAndTimeProviderTimersUseTheVirtualClock()
    {
        var log = new List<string>();
        var result = ControlledTest.Run(async () =>
        {
            var clock = ControlledTime.System;
            var start = clock.GetTimestamp();
            var fired = new TaskCompletionSource();
            using var timer = clock.CreateTimer(_ => fired.TrySetResult(), null, TimeSpan.FromMinutes(5), Timeout.InfiniteTimeSpan);
            ControlledThread.Sleep(TimeSpan.FromMinutes(1));
            log.Add($"slept {clock.GetElapsedTime(start)}");
            await fired.Task;
            log.Add($"timer {clock.GetElapsedTime(start)}");
        }, new ControlledOptions { Strategy = ControlledStrategy.Dfs, Iterations = 1000 });
        result.AssertHolds();
        Assert.Contains("slept 00:01:00", log);
        Assert.Contains("timer 00:05:00", log);
    }

    [Fact]
    public void ACancelledDelayEndsCancelledWithoutItsTimer()
    {
        var result = ControlledTest.Run(async () =>
        {
            using var cancel = new CancellationTokenSource();
            var delay = ControlledTask.Delay(TimeSpan.FromDays(1), cancel.Token);
            cancel.Cancel(); // not CancelAsync: it runs the callbacks with Task.Run, an escape the runtime reports
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => delay);
            Assert.Equal(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero), ControlledTime.System.GetUtcNow());
        }, new ControlledOptions { Iterations = 10 });
        result.AssertHolds();
    }

    [Fact]
    public void TheBclsTimeProviderDelayAndPeriodicTimerRunOnTheVirtualClock()
    {
        var ticks = new List<TimeSpan>();
        var result = ControlledTest.Run(async () =>
        {
            var clock = ControlledTime.System;
            var start = clock.GetUtcNow();
            await Task.Delay(TimeSpan.FromMinutes(3), clock);
            ticks.Add(clock.GetUtcNow() - start);
            using var periodic = new PeriodicTimer(TimeSpan.FromMinutes(1), clock);
            for (var i = 0; i < 2; i++)
            {
                await periodic.WaitForNextTickAsync();
                ticks.Add(clock.GetUtcNow() - start);
            }
        }, new ControlledOptions { Iterations = 20 });
        result.AssertHolds();
        // In every run the delay ends at exactly 3 min (nothing else is pending). A tick is seen no earlier than it is
        // due, later when the strategy fired further ticks before the waiting code ran (PeriodicTimer coalesces them).
        Assert.Equal(60, ticks.Count);
        for (var run = 0; run < 20; run++)
        {
            Assert.Equal(TimeSpan.FromMinutes(3), ticks[3 * run]);
            Assert.True(ticks[3 * run + 1] >= TimeSpan.FromMinutes(4), string.Join(", ", ticks));
            Assert.True(ticks[3 * run + 2] > ticks[3 * run + 1], string.Join(", ", ticks));
            Assert.Equal(0, (ticks[3 * run + 2] - TimeSpan.FromMinutes(3)).Ticks % TimeSpan.TicksPerMinute);
        }
    }
}
