using Verification.Specs;

namespace Verification.Controlled;

/// <summary>How the runs of a controlled test make their choices.</summary>
public enum ControlledStrategy
{
    /// <summary>Rotates random and PCT at depths d−1, d and d+2 across iterations (the protocol tester's default portfolio).</summary>
    Portfolio,

    /// <summary>Uniformly random among the options at every scheduling point.</summary>
    Random,

    /// <summary>Probabilistic concurrency testing at depth ControlledOptions.PctDepth.</summary>
    Pct,

    /// <summary>
    /// Bounded stateless depth-first search over choice sequences: every run replays a prefix of the previous one and
    /// takes the next untried option at its last open choice. Complete (and then a proof for this body) when every
    /// sequence was run within ControlledOptions.Iterations runs of at most ControlledOptions.MaxSteps steps.
    /// </summary>
    Dfs,
}

/// <summary>
/// Makes the choice at each scheduling point. An option is an enabled operation (key = its id, ≥ 0) or the earliest
/// pending virtual timer (key &lt; 0); options come in key order, operations first.
/// </summary>
internal interface IControlledStrategy
{
    string Name { get; }

    /// <param name="options">The option keys.</param>
    /// <param name="actors">For each option, what it belongs to (its task, or itself; a timer is its own), for strategies that prioritise tasks.</param>
    /// <param name="current">The index of the operation that reached the scheduling point when it may continue, else −1.</param>
    /// <param name="step">The scheduling point's number in the run (from 1).</param>
    int Pick(IReadOnlyList<long> options, IReadOnlyList<long> actors, int current, int step);
}

/// <summary>Uniformly random among the options.</summary>
internal sealed class RandomChoices(int seed) : IControlledStrategy
{
    private readonly Random random = new(seed);

    public string Name => "random";

    public int Pick(IReadOnlyList<long> options, IReadOnlyList<long> actors, int current, int step) => random.Next(options.Count);
}

/// <summary>
/// PCT (Burckhardt et al., ASPLOS 2010), as the protocol tester's PctStrategy: each task (and each timer) gets a
/// random priority when first seen, the highest enabled one runs, and at d−1 random steps the one chosen drops below
/// all others. A task keeps its priority across its operations (every await continuation), the "thread" of the
/// paper, which is what makes a preemption of depth d likely (≥ 1/(n·k^(d−1)) per run).
/// </summary>
internal sealed class PctChoices : IControlledStrategy
{
    private readonly Random random;
    private readonly Dictionary<long, int> priority = [];
    private readonly HashSet<int> changePoints = [];
    private int lowest = -1;
    private readonly int depth;

    /// <param name="expectedSteps">The run length the change points are spread over: the longest earlier run (as Coyote does), a point past the run's end being wasted.</param>
    public PctChoices(int seed, int depth, int expectedSteps)
    {
        random = new Random(seed);
        this.depth = depth;
        var span = Math.Max(2, expectedSteps);
        while (changePoints.Count < Math.Min(depth - 1, span - 1)) changePoints.Add(1 + random.Next(span - 1));
    }

    public string Name => $"pct(d={depth})";

    public int Pick(IReadOnlyList<long> options, IReadOnlyList<long> actors, int current, int step)
    {
        var best = 0;
        var bestPriority = int.MinValue;
        for (var i = 0; i < options.Count; i++)
        {
            if (!priority.TryGetValue(actors[i], out var p)) priority[actors[i]] = p = random.Next();
            if (p > bestPriority)
            {
                best = i;
                bestPriority = p;
            }
        }
        if (changePoints.Contains(step)) priority[actors[best]] = lowest--;
        return best;
    }
}

/// <summary>
/// Replays recorded choices by key (an operation's id or a timer's), so a schedule file stays valid however the
/// options are ordered. Strict: a recorded choice that is not an option now means the body is not deterministic.
/// </summary>
internal sealed class ReplayChoices(IReadOnlyList<long> recorded) : IControlledStrategy
{
    private int position;

    public string Name => "replay";

    public int Pick(IReadOnlyList<long> options, IReadOnlyList<long> actors, int current, int step)
    {
        if (position >= recorded.Count)
            throw new SpecException($"the schedule's {recorded.Count} choices ran out at scheduling point {step}, before the run ended: the body did not run as when it was recorded (it reads the clock, a random number, or state left by another test?)");
        var key = recorded[position++];
        for (var i = 0; i < options.Count; i++)
            if (options[i] == key) return i;
        throw new SpecException($"choice {position} of the schedule is {Describe(key)}, which is not an option at scheduling point {step} (options: {string.Join(", ", options.Select(Describe))}): the body did not run as when it was recorded");
    }

    public static string Describe(long key) => key >= 0 ? $"operation {key}" : $"timer {-key}";
}

/// <summary>
/// For minimisation: takes the listed preemptions (at a step, the recorded choice) and otherwise the non-preemptive
/// default — the operation that reached the point continues; when it cannot, the lowest enabled operation; a timer
/// only when no operation is enabled. Lenient: a listed choice that is not an option takes the default.
/// </summary>
internal sealed class GuidedChoices(IReadOnlyDictionary<int, long> preemptions) : IControlledStrategy
{
    public string Name => "replay";

    public int Pick(IReadOnlyList<long> options, IReadOnlyList<long> actors, int current, int step)
    {
        if (preemptions.TryGetValue(step, out var key))
            for (var i = 0; i < options.Count; i++)
                if (options[i] == key) return i;
        return Default(options, current);
    }

    public static int Default(IReadOnlyList<long> options, int current) => current >= 0 ? current : 0;
}

/// <summary>
/// One run of a stateless depth-first search: follows <paramref name="prefix"/> (option indices), then takes option 0,
/// and records how many options each scheduling point had, so the next run can advance the last open choice.
/// </summary>
internal sealed class DfsChoices(IReadOnlyList<int> prefix) : IControlledStrategy
{
    public List<(int Chosen, int Count)> Path { get; } = [];

    public string Name => "dfs";

    public int Pick(IReadOnlyList<long> options, IReadOnlyList<long> actors, int current, int step)
    {
        var position = Path.Count;
        var chosen = position < prefix.Count ? prefix[position] : 0;
        if (chosen >= options.Count)
            throw new SpecException($"the depth-first search's scheduling point {step} has {options.Count} options where an earlier run had more than {chosen}: the body is not deterministic (it reads the clock, a random number, or state left by another run?)");
        Path.Add((chosen, options.Count));
        return chosen;
    }

    /// <summary>The prefix of the next run (the last choice with an untried option, advanced), or null when the tree is exhausted.</summary>
    public static List<int>? Next(List<(int Chosen, int Count)> path)
    {
        for (var i = path.Count - 1; i >= 0; i--)
            if (path[i].Chosen + 1 < path[i].Count) return [.. path.Take(i).Select(p => p.Chosen), path[i].Chosen + 1];
        return null;
    }
}

internal static class StrategyFactory
{
    /// <summary>A per-iteration seed: a fixed mix of the test's seed and the iteration (SplitMix64, as the protocol tester).</summary>
    public static int IterationSeed(int seed, long iteration)
    {
        var z = (ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)iteration + 0x632BE59BD9B4E019UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)(z ^ (z >> 31));
    }

    /// <param name="expectedSteps">How long a run is expected to be (the longest so far), for PCT's change points.</param>
    public static IControlledStrategy Create(ControlledStrategy kind, int seed, long iteration, int expectedSteps, int pctDepth)
    {
        var iterationSeed = IterationSeed(seed, iteration);
        return kind switch
        {
            ControlledStrategy.Random => new RandomChoices(iterationSeed),
            ControlledStrategy.Pct => new PctChoices(iterationSeed, pctDepth, expectedSteps),
            _ => (iteration % 4) switch
            {
                0 => new RandomChoices(iterationSeed),
                1 => new PctChoices(iterationSeed, Math.Max(1, pctDepth - 1), expectedSteps),
                2 => new PctChoices(iterationSeed, pctDepth, expectedSteps),
                _ => new PctChoices(iterationSeed, pctDepth + 2, expectedSteps),
            },
        };
    }
}
