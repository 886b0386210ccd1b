namespace Verification.Controlled;

/// <summary>
/// The run's clock as a TimeProvider: time starts at 2000-01-01 UTC and moves only when the strategy fires a
/// virtual timer. A timer created here is a pending option of the scheduler; its callback runs as an operation.
/// </summary>
internal sealed class VirtualTimeProvider(ControlledRuntime runtime) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => runtime.UtcNow;

    public override long GetTimestamp() => runtime.Now;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new VirtualTimerHandle(runtime, callback, state, ExecutionContext.Capture());
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>An ITimer over virtual timers: at most one pending at a time; a periodic one re-arms when it fires. The callback runs in the execution context captured at creation, as System.Threading.Timer's does.</summary>
    private sealed class VirtualTimerHandle(ControlledRuntime runtime, TimerCallback callback, object? state, ExecutionContext? context) : ITimer
    {
        private readonly object gate = new();
        private VirtualTimer? pending;
        private TimeSpan period = Timeout.InfiniteTimeSpan;
        private bool disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (gate)
            {
                if (disposed) return false;
                if (pending is not null) runtime.CancelTimer(pending);
                pending = null;
                this.period = period;
                if (dueTime != Timeout.InfiniteTimeSpan) Arm(dueTime);
                return true;
            }
        }

        private void Arm(TimeSpan due) => pending = runtime.AddCallbackTimer(due, $"timer {CallSites.Describe(callback.Method)}", () =>
        {
            lock (gate)
            {
                pending = null;
                if (disposed) return;
                if (period != Timeout.InfiniteTimeSpan && period > TimeSpan.Zero) Arm(period);
            }
            if (context is null) callback(state);
            else ExecutionContext.Run(context, s => callback(s), state);
        });

        public void Dispose()
        {
            lock (gate)
            {
                disposed = true;
                if (pending is not null) runtime.CancelTimer(pending);
                pending = null;
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
