namespace Verification.Controlled;

/// <summary>Interceptor for TimeProvider.System: under control the run's virtual clock, whose timers are scheduling options and never wait for real.</summary>
public static class ControlledTime
{
    /// <summary>TimeProvider.System, or the run's virtual TimeProvider under control.</summary>
    public static TimeProvider System => ControlledRuntime.TryCurrent(out var runtime, out _) ? runtime.Time : TimeProvider.System;
}
