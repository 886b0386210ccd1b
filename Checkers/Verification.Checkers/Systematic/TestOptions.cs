namespace Verification.Checkers.Systematic;

/// <summary>
/// How often the tester checks that handlers keep the node contract: the state, message and node object a handler
/// is given are hashed (every field reachable from them) before and after the call and must be unchanged.
/// Measured cost: one to a few microseconds per handler call for the shipped protocols (bench/README.md).
/// </summary>
public enum MutationCheck
{
    /// <summary>Every step of one random run in eight, every step of a replay or an explanation, and every transition of an exhaustive search (which shares states between branches, so a change in place would corrupt its verdict).</summary>
    Sampled,

    /// <summary>Every step of every run.</summary>
    EveryStep,

    /// <summary>Never (not recommended: a node that changes its state in place makes an exhaustive search report wrong results).</summary>
    Off,
}

/// <summary>How a systematic test explores: strategy, budget, faults, liveness settings, sharding.</summary>
public sealed record TestOptions
{
    /// <summary>How each run makes its choices; the portfolio of random and PCT by default.</summary>
    public StrategyKind Strategy { get; init; } = StrategyKind.Portfolio;

    /// <summary>The seed every run's own seed is derived from, with the run's iteration number: same seed, same runs.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>How many runs to try; testing stops at the first that fails.</summary>
    public long Iterations { get; init; } = 1000;

    /// <summary>The longest run, in scheduled steps (deliveries, timers, faults); a run also ends when nothing is enabled.</summary>
    public int MaxSteps { get; init; } = 200;

    /// <summary>d, the bug depth PCT aims at (d−1 priority changes per run); the portfolio also tries d−1 and d+2.</summary>
    public int PctDepth { get; init; } = 3;

    /// <summary>The faults the environment may inject, with their budgets; none by default.</summary>
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

    /// <summary>
    /// Worker threads. Random runs split their iterations among them, and the result does not depend on the count; a
    /// depth-first exhaustive search runs on that many workers sharing one visited set (the same states and
    /// transitions when complete; a counterexample is the first any worker found). Breadth-first search stays on one.
    /// </summary>
    public int Parallelism { get; init; } = 1;

    /// <summary>This run takes iterations i with i mod ShardCount = ShardIndex, so shards can run on different machines and be merged.</summary>
    public int ShardIndex { get; init; }

    /// <summary>How many shards share the iterations (see <see cref="ShardIndex"/>).</summary>
    public int ShardCount { get; init; } = 1;

    /// <summary>Where counterexample schedules are written (default: <c>verification-schedules</c> under the working directory).</summary>
    public string? ScheduleDirectory { get; init; }

    /// <summary>The directory schedules are written to.</summary>
    public string ScheduleDirectoryOrDefault => ScheduleDirectory ?? Path.Combine(Directory.GetCurrentDirectory(), "verification-schedules");

    /// <summary>More messages in flight at once than this ends the run with a resource-limit failure (a protocol that floods the network).</summary>
    public int MaxMessagesInFlight { get; init; } = 10_000;

    /// <summary>
    /// How long one handler call may run: a call that makes no progress for longer is reported as a hang (an endless
    /// loop in a node), with the node, the handler and the schedule up to it. The stuck thread cannot be stopped;
    /// it is abandoned and ends with the process.
    /// </summary>
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the node contract (no state, message or node object changed in place; no null state) is checked; see <see cref="MutationCheck"/>.</summary>
    public MutationCheck MutationChecks { get; init; } = MutationCheck.Sampled;

    /// <summary>
    /// A sequential exhaustive search calls a message or timer handler once per distinct input (node, state, sender,
    /// message or timer) and replays its result when the input comes again: the same states, transitions and verdict,
    /// in a fraction of the time. The first call runs under the node contract's checks; the first replay of each input
    /// and one in 32 after it run the handler again and a different answer stops the search as a nondeterministic
    /// handler; a call that chose a value, or whose result holds a class compared by reference, is never replayed.
    /// Off: every handler runs at every transition.
    /// </summary>
    public bool ReplayHandlerResults { get; init; } = true;

    /// <summary>
    /// Exhaustive depth-first searches deliver a message the protocol declares its addressee ignores for ever
    /// (<c>Protocol.IgnoredForever</c>) before any other step from that state — a partial-order reduction that cuts
    /// states (IgnoredFirst.cs says why it is sound). Off: every order is explored; the declaration is still checked.
    /// </summary>
    public bool DeliverIgnoredFirst { get; init; } = true;

    /// <summary>
    /// An exhaustive search stops, with an Unknown verdict and what it covered so far, when the process's managed heap
    /// passes this many bytes; by default three quarters of the memory the runtime may use.
    /// </summary>
    public long MaxSearchMemory { get; init; } = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4 * 3;

    /// <summary>The bit array of a <see cref="VisitedStore.Bitstate"/> search, in bits (a power of two, 2^10 to 2^36; 2^31, 256 MiB, by default; allocated only by a bitstate search, which refuses an array larger than MaxSearchMemory).</summary>
    public long BitstateBits { get; init; } = BitstateVisitedStates.DefaultBits;

    /// <summary>Told what a long exhaustive search has covered so far, every <see cref="ProgressInterval"/> (none by default).</summary>
    public Action<SearchProgress>? Progress { get; init; }

    /// <summary>How often <see cref="Progress"/> is told.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(5);

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

    /// <summary>Checks every setting for a system of <paramref name="nodes"/> nodes; a bad one throws <see cref="ConfigurationException"/> naming it.</summary>
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
        if (MaxMessagesInFlight < 1) throw new ConfigurationException($"MaxMessagesInFlight must be at least 1 (got {MaxMessagesInFlight})");
        if (StepTimeout <= TimeSpan.Zero) throw new ConfigurationException($"StepTimeout must be positive (got {StepTimeout})");
        if (MaxSearchMemory < 1) throw new ConfigurationException($"MaxSearchMemory must be positive (got {MaxSearchMemory})");
        BitstateVisitedStates.CheckSize(BitstateBits);
        if (ProgressInterval <= TimeSpan.Zero) throw new ConfigurationException($"ProgressInterval must be positive (got {ProgressInterval})");
    }
}

/// <summary>What an exhaustive search has covered so far, for progress reports.</summary>
/// <param name="States">Distinct states visited.</param>
/// <param name="StatesPerSecond">Visited states per second since the search began.</param>
/// <param name="Depth">The deepest state reached.</param>
/// <param name="Frontier">States waiting to be expanded.</param>
/// <param name="HeapBytes">The process's managed heap.</param>
/// <param name="Elapsed">Time since the search began.</param>
public sealed record SearchProgress(long States, double StatesPerSecond, int Depth, long Frontier, long HeapBytes, TimeSpan Elapsed)
{
    /// <summary>"1,234,567 states (120,034/s), depth 43, 12,000 waiting, heap 1.2 GiB, 10 s".</summary>
    public override string ToString() =>
        $"{States:N0} states ({StatesPerSecond:N0}/s), depth {Depth}, {Frontier:N0} waiting, heap {HeapBytes / (double)(1L << 30):F1} GiB, {Elapsed.TotalSeconds:F0} s";
}
