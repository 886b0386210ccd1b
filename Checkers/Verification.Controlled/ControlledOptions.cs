using Verification.Specs;

namespace Verification.Controlled;

/// <summary>How a controlled test explores: strategy, budget, bounds, watchdog, where failing schedules go.</summary>
public sealed record ControlledOptions
{
    /// <summary>What the result names as its subject ("AccountService.CreateIfAbsent").</summary>
    public string Subject { get; init; } = "controlled test";

    /// <summary>How each run makes its choices; the portfolio of random and PCT by default.</summary>
    public ControlledStrategy Strategy { get; init; } = ControlledStrategy.Portfolio;

    /// <summary>How many runs to try (for <see cref="ControlledStrategy.Dfs"/>: at most); testing stops at the first that fails.</summary>
    public long Iterations { get; init; } = 100;

    /// <summary>The seed every run's own seed is derived from, with the run's iteration number: same seed, same runs.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The longest run, in scheduling points; a run that reaches it with work left is reported (see <see cref="ControlledFailure.StepBound"/>).</summary>
    public int MaxSteps { get; init; } = 10_000;

    /// <summary>d, the bug depth PCT aims at (d−1 priority changes per run); the portfolio also tries d−1 and d+2.</summary>
    public int PctDepth { get; init; } = 3;

    /// <summary>
    /// Wall time an operation may run without reaching a scheduling point before the run is given up as stuck (an OS
    /// wait the runtime does not control, an endless loop): the result is unknown, naming the operation. Generous by
    /// default, because a loaded machine can pause a thread for a long time.
    /// </summary>
    public TimeSpan Watchdog { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Partial synchrony: every operation is faster than every timeout, so a timer fires only when no operation can
    /// run (earliest deadline first). Off by default: a pending timer may fire at any scheduling point, which is the
    /// adversary a safety check wants — and under which a protocol that re-arms timeouts (elections, retries) need
    /// not make progress. On, it can: use it to check that a fix also gets its work done. Replay with the same setting.
    /// </summary>
    public bool TimersOnlyWhenIdle { get; init; }

    /// <summary>
    /// Judge a spec's liveness properties when a run ends (a monitor still hot is a violation). Turn it off for bodies
    /// that stop on a deadline of virtual time: a timer may fire at any scheduling point, so a run can be cut before
    /// the program had the chance to finish what it owes — that is the schedule's doing, not a bug. Safety properties
    /// are judged on every prefix either way.
    /// </summary>
    public bool CheckLiveness { get; init; } = true;

    /// <summary>Shrink a failing schedule (fewer preemptions, re-run to confirm) before reporting it.</summary>
    public bool Minimize { get; init; } = true;

    /// <summary>Where failing schedules are saved; null for "verification-schedules" under the current directory.</summary>
    public string? ScheduleDirectory { get; init; }

    /// <summary>The directory schedules are written to.</summary>
    public string ScheduleDirectoryOrDefault => ScheduleDirectory ?? Path.Combine(Directory.GetCurrentDirectory(), "verification-schedules");

    /// <summary>Rejects settings no run can use, with a one-line error naming the setting.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Strategy)) throw new SpecException($"ControlledOptions.Strategy is {(int)Strategy}, not one of {string.Join(", ", Enum.GetNames<ControlledStrategy>())}");
        if (Iterations < 1) throw new SpecException($"ControlledOptions.Iterations must be at least 1 (got {Iterations})");
        if (MaxSteps < 1) throw new SpecException($"ControlledOptions.MaxSteps must be at least 1 (got {MaxSteps})");
        if (PctDepth < 1) throw new SpecException($"ControlledOptions.PctDepth must be at least 1 (got {PctDepth})");
        if (Watchdog <= TimeSpan.Zero) throw new SpecException($"ControlledOptions.Watchdog must be positive (got {Watchdog})");
    }
}
