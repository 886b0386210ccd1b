namespace Verification.Checkers.Systematic;

/// <summary>How a systematic test explores: strategy, budget, faults, liveness settings, sharding.</summary>
public sealed record TestOptions
{
    public StrategyKind Strategy { get; init; } = StrategyKind.Portfolio;
    public int Seed { get; init; } = 1;
    public long Iterations { get; init; } = 1000;
    public int MaxSteps { get; init; } = 200;
    public int PctDepth { get; init; } = 3;
    public FaultModel Faults { get; init; } = FaultModel.None;

    /// <summary>After this many steps no new fault is injected (the unfair prefix ends), so liveness can be judged.</summary>
    public int FairAfterSteps { get; init; } = 100;

    /// <summary>A liveness monitor hot for more than this many consecutive steps of the fair suffix is a violation.</summary>
    public int LivenessThreshold { get; init; } = 80;

    /// <summary>
    /// Partial synchrony after the fair point (GST): a timer fires only when no message can be delivered, i.e. every
    /// message is faster than every timeout. Liveness of timeout-driven protocols (leader election) needs this; before
    /// the fair point timers stay adversarial.
    /// </summary>
    public bool SynchronousAfterFairPoint { get; init; }

    /// <summary>Judge the spec's liveness properties (off for safety-only runs of protocols that need not terminate, e.g. bounded retries).</summary>
    public bool CheckLiveness { get; init; } = true;

    /// <summary>Worker threads; iterations are split among them and the result does not depend on the count.</summary>
    public int Parallelism { get; init; } = 1;

    /// <summary>This run takes iterations i with i mod ShardCount = ShardIndex, so shards can run on different machines and be merged.</summary>
    public int ShardIndex { get; init; }

    public int ShardCount { get; init; } = 1;

    /// <summary>Where counterexample schedules are written (default: the system's temporary directory).</summary>
    public string? ScheduleDirectory { get; init; }

    /// <summary>Shrink a found counterexample by delta debugging over its steps.</summary>
    public bool Minimize { get; init; } = true;

    /// <summary>"i/n", e.g. from a command line; rejects anything else with a clear error.</summary>
    public static (int Index, int Count) ParseShard(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out var index) || !int.TryParse(parts[1], out var count) || count < 1 || index < 0 || index >= count)
            throw new ConfigurationException($"shard '{text}' is not of the form i/n with 0 ≤ i < n");
        return (index, count);
    }

    public void Validate(int nodes)
    {
        Faults.Validate(nodes);
        if (Iterations < 1) throw new ConfigurationException($"Iterations must be at least 1 (got {Iterations})");
        if (MaxSteps < 1) throw new ConfigurationException($"MaxSteps must be at least 1 (got {MaxSteps})");
        if (PctDepth < 1) throw new ConfigurationException($"PctDepth must be at least 1 (got {PctDepth})");
        if (Parallelism < 1) throw new ConfigurationException($"Parallelism must be at least 1 (got {Parallelism})");
        if (ShardCount < 1 || ShardIndex < 0 || ShardIndex >= ShardCount)
            throw new ConfigurationException($"shard {ShardIndex}/{ShardCount} is not valid (need 0 ≤ index < count)");
        if (LivenessThreshold < 1) throw new ConfigurationException($"LivenessThreshold must be at least 1 (got {LivenessThreshold})");
        if (FairAfterSteps < 0) throw new ConfigurationException($"FairAfterSteps cannot be negative (got {FairAfterSteps})");
    }
}
