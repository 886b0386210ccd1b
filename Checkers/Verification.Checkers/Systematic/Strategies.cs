using Verification.Runtime;

namespace Verification.Checkers.Systematic;

/// <summary>
/// Makes every nondeterministic choice of one run: which enabled action comes next, and every random value a node
/// asks for. Created per iteration from (seed, iteration), so any run can be reproduced from those two numbers.
/// </summary>
public interface IStrategy : IChoiceSource
{
    /// <summary>The strategy as a counterexample names it: "random", "pct(d=3)".</summary>
    string Name { get; }

    /// <summary>Index into <paramref name="enabled"/>. <paramref name="actorOf"/> gives an action's actor (node, or the environment) for priority-based strategies.</summary>
    int Pick(IReadOnlyList<ScheduledAction> enabled, Func<ScheduledAction, long> actorOf, int step);
}

/// <summary>Uniformly random among the enabled actions.</summary>
/// <param name="seed">The run's seed; the same seed gives the same run.</param>
public sealed class RandomStrategy(int seed) : IStrategy
{
    private readonly Random random = new(seed);

    /// <inheritdoc/>
    public string Name => "random";

    /// <inheritdoc/>
    public int Pick(IReadOnlyList<ScheduledAction> enabled, Func<ScheduledAction, long> actorOf, int step) => random.Next(enabled.Count);

    /// <inheritdoc/>
    public int Choose(int count) => random.Next(count);
}

/// <summary>
/// Probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010) for message passing: every operation — each
/// message delivery, each node's timers, the environment's faults — gets a random priority when it first appears;
/// the enabled action of the highest priority runs; at d−1 random steps the running operation drops below all others.
/// A bug of depth d is found with probability at least 1/(n·k^(d−1)) per run.
/// </summary>
public sealed class PctStrategy : IStrategy
{
    private readonly Random random;
    private readonly Dictionary<long, int> priority = [];
    private readonly HashSet<int> changePoints;
    private int lowest;

    /// <summary>A PCT strategy for one run, its d−1 priority change points drawn from <paramref name="seed"/>.</summary>
    /// <param name="seed">The run's seed; the same seed gives the same run.</param>
    /// <param name="depth">d, the bug depth aimed at: d−1 priority changes per run.</param>
    /// <param name="maxSteps">The run's length, over which the change points are spread.</param>
    public PctStrategy(int seed, int depth, int maxSteps)
    {
        random = new Random(seed);
        changePoints = [];
        while (changePoints.Count < Math.Min(depth - 1, Math.Max(0, maxSteps - 1))) changePoints.Add(1 + random.Next(Math.Max(1, maxSteps - 1)));
        lowest = -1;
        Depth = depth;
    }

    /// <summary>d, the bug depth this strategy aims at.</summary>
    public int Depth { get; }

    /// <inheritdoc/>
    public string Name => $"pct(d={Depth})";

    /// <inheritdoc/>
    public int Pick(IReadOnlyList<ScheduledAction> enabled, Func<ScheduledAction, long> actorOf, int step)
    {
        var best = 0;
        var bestPriority = int.MinValue;
        for (var i = 0; i < enabled.Count; i++)
        {
            var actor = actorOf(enabled[i]);
            if (!priority.TryGetValue(actor, out var p)) priority[actor] = p = random.Next();
            if (p > bestPriority)
            {
                best = i;
                bestPriority = p;
            }
        }
        if (changePoints.Contains(step)) priority[actorOf(enabled[best])] = lowest--;
        return best;
    }

    /// <inheritdoc/>
    public int Choose(int count) => random.Next(count);
}

/// <summary>Replays a recorded list of decisions (action indices and chosen values, in the order they were made).</summary>
internal sealed class DecisionReplay(IReadOnlyList<int> decisions, bool padWithZeros = false) : IStrategy
{
    private int position;

    public string Name => "replay";
    public bool Exhausted => position >= decisions.Count;

    public int Pick(IReadOnlyList<ScheduledAction> enabled, Func<ScheduledAction, long> actorOf, int step) => Next(enabled.Count);

    public int Choose(int count) => Next(count);

    private int Next(int count)
    {
        if (position >= decisions.Count)
        {
            if (padWithZeros) return 0; // an exhaustive search answers choices past its vector with 0
            throw new ChoiceSourceException($"the recorded decisions ran out before the run ended: the nodes are not deterministic. {Determinism.LikelyCauses}");
        }
        var value = decisions[position++];
        if (value >= count) throw new ChoiceSourceException($"recorded decision {value} is out of range (only {count} options): the nodes are not deterministic. {Determinism.LikelyCauses}");
        return value;
    }
}

/// <summary>A replayed run asked for a decision its record does not have (or out of range): the tester's own error, never blamed on a handler.</summary>
internal sealed class ChoiceSourceException(string message) : VerificationException(message);

/// <summary>
/// Wraps a strategy and records every decision it makes, for replay and minimisation. Another thread may read the
/// decisions (a hang report) while this one appends: the array is replaced, never changed below the published count.
/// </summary>
internal sealed class Recorder(IStrategy inner) : IStrategy
{
    private int[] decisions = new int[64];
    private int count;
    public string Name => inner.Name;

    public List<int> Decisions
    {
        get
        {
            var published = Volatile.Read(ref count);
            return [.. Volatile.Read(ref decisions).AsSpan(0, published)];
        }
    }

    public int Pick(IReadOnlyList<ScheduledAction> enabled, Func<ScheduledAction, long> actorOf, int step) => Record(inner.Pick(enabled, actorOf, step));

    public int Choose(int count) => Record(inner.Choose(count));

    private int Record(int choice)
    {
        if (count == decisions.Length) Volatile.Write(ref decisions, [.. decisions, .. new int[decisions.Length]]);
        decisions[count] = choice;
        Volatile.Write(ref count, count + 1);
        return choice;
    }
}

/// <summary>Which strategy an iteration uses.</summary>
public enum StrategyKind
{
    /// <summary>Uniformly random among the enabled actions (<see cref="RandomStrategy"/>).</summary>
    Random,

    /// <summary>Probabilistic concurrency testing at depth <see cref="TestOptions.PctDepth"/> (<see cref="PctStrategy"/>).</summary>
    Pct,

    /// <summary>Rotates random and PCT at depths PctDepth − 1, PctDepth and PctDepth + 2 across iterations, as Coyote's default portfolio does.</summary>
    Portfolio,
}

internal static class StrategyFactory
{
    /// <summary>A per-iteration seed: a fixed mix of the run's seed and the iteration index (SplitMix64).</summary>
    public static int IterationSeed(int seed, long iteration)
    {
        var z = (ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)iteration + 0x632BE59BD9B4E019UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)(z ^ (z >> 31));
    }

    public static IStrategy Create(StrategyKind kind, int seed, long iteration, int maxSteps, int pctDepth)
    {
        var iterationSeed = IterationSeed(seed, iteration);
        return kind switch
        {
            StrategyKind.Random => new RandomStrategy(iterationSeed),
            StrategyKind.Pct => new PctStrategy(iterationSeed, pctDepth, maxSteps),
            _ => (iteration % 4) switch
            {
                0 => new RandomStrategy(iterationSeed),
                1 => new PctStrategy(iterationSeed, Math.Max(1, pctDepth - 1), maxSteps),
                2 => new PctStrategy(iterationSeed, pctDepth, maxSteps),
                _ => new PctStrategy(iterationSeed, pctDepth + 2, maxSteps),
            },
        };
    }
}
