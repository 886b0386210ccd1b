using System.Diagnostics;
using Verification.Runtime;
using Verification.Specs;

namespace Verification.Checkers.Systematic;

/// <summary>Why an exhaustive search did not cover every reachable state (none when it did).</summary>
public enum SearchLimit
{
    None,

    /// <summary>It stopped at the first bug.</summary>
    Bug,

    /// <summary>Some states at the depth bound were not expanded.</summary>
    Depth,

    /// <summary>It stopped at the state limit.</summary>
    States,
}

/// <summary>
/// The outcome of an exhaustive search: distinct states, transitions, whether anything was left unexplored and why
/// (<see cref="StoppedBy"/>: a bug, the depth bound or the state limit), how many states were left unexpanded by the
/// network bound (the search is then complete only for runs that never have more messages in flight), and a bug if
/// one was reached.
/// </summary>
public sealed record ExplorationReport(string Protocol, long States, long Transitions, int MaxDepthReached, SearchLimit StoppedBy, TimeSpan Elapsed, Counterexample? Bug, long ApproximateBytesPerState,
    int? NetworkBound = null, long CutByNetworkBound = 0)
{
    /// <summary>Every reachable state (within the network bound, if any) was explored and no bug was found.</summary>
    public bool Complete => StoppedBy == SearchLimit.None;

    public double StatesPerSecond => States / Math.Max(Elapsed.TotalSeconds, 1e-9);

    public Coverage Coverage => new() { States = States, Transitions = Transitions };

    public override string ToString() =>
        $"{Protocol}: {States} distinct states, {Transitions} transitions, depth {MaxDepthReached}, "
        + StoppedBy switch
        {
            SearchLimit.None => "complete",
            SearchLimit.Bug => "stopped at the first bug",
            SearchLimit.Depth => "incomplete: the depth bound cut runs off",
            _ => "incomplete: stopped at the state limit",
        }
        + (CutByNetworkBound > 0 ? $" within ≤ {NetworkBound} messages in flight ({CutByNetworkBound} states beyond it not expanded)" : "")
        + $", {Elapsed.TotalSeconds:F2} s ({StatesPerSecond:F0} states/s)"
        + (Bug is null ? "" : "\n" + Bug);
}

public sealed partial class SystematicTester<TState, TMessage, TSpecEvent>
{
    /// <summary>
    /// Depth-first search over every choice (each enabled action, and every value a node may choose), with a set of
    /// visited states (node states, persisted states, timers, in-flight messages, fault budgets and the spec's
    /// values), to <paramref name="maxDepth"/> steps. When nothing was cut off, the configuration is checked
    /// exhaustively. Liveness is judged on terminal states only (a run that ends hot).
    /// </summary>
    /// <param name="maxStates">Stop (incomplete) after this many distinct states; by default no limit.</param>
    /// <param name="maxInFlight">States with more messages in flight are not expanded (a bound on the network; the
    /// search is then complete only within it, and the report says it was cut off).</param>
    public ExplorationReport Explore(int maxDepth, long maxStates = long.MaxValue, int maxInFlight = int.MaxValue)
    {
        if (maxDepth < 1) throw new ConfigurationException($"the depth bound must be at least 1 (got {maxDepth})");
        if (maxStates < 1) throw new ConfigurationException($"the state limit must be at least 1 (got {maxStates})");
        var stopwatch = Stopwatch.StartNew();
        var progress = new Transition();
        var report = Guarded(handlerWatch => Explore(maxDepth, maxStates, maxInFlight, handlerWatch, stopwatch, progress), out var hang);
        if (hang is null) return report!;
        // A handler hung: explain the path to the transition it was on (replayed on a watched thread, it hangs again).
        nodes = CreateNodes();
        var bug = ExplainHang(progress.Decisions(), "dfs", 0, padWithZeros: true);
        return new ExplorationReport(protocol.Name, 0, 0, progress.Depth, SearchLimit.Bug, stopwatch.Elapsed, bug, 0);
    }

    /// <summary>The transition a search is running: written before each one (no allocation), read only when a handler hangs in it.</summary>
    private sealed class Transition
    {
        public PathNode? From;
        public int Action;
        public List<int> Choices = [];
        public int Depth;

        public List<int> Decisions() => [.. PathNode.Decisions(From), Action, .. Choices];
    }

    /// <param name="current">Told the path and depth of each transition before it runs (read only if a handler hangs in it).</param>
    private ExplorationReport Explore(int maxDepth, long maxStates, int maxInFlight, HandlerWatch handlerWatch, Stopwatch watch, Transition current)
    {
        var visited = new HashSet<StateKey>();
        var numbering = new ValueNumbering();
        long transitions = 0, keyBytes = 0, cutByNetwork = 0;
        int? networkBound = maxInFlight == int.MaxValue ? null : maxInFlight;
        var limit = SearchLimit.None;
        var deepest = 0;
        var checkMutation = options.MutationChecks != MutationCheck.Off; // states are shared between branches: a change in place would corrupt the search
        var start = new World<TState, TMessage, TSpecEvent>(protocol, options.Faults, nodes, options.MaxMessagesInFlight) { CheckMutation = checkMutation, Watch = handlerWatch };
        var startChoices = new VectorChoices([]);
        try
        {
            start.Start(startChoices);
        }
        catch (RunFailure)
        {
            return Found(null, 0);
        }
        if (startChoices.Branches.Count > 0) throw new ConfigurationException("exhaustive search does not branch on choices made at start-up yet; make them in a handler");
        var stack = new Stack<(World<TState, TMessage, TSpecEvent> World, PathNode? Path, int Depth)>();
        var startKey = start.Key(numbering);
        visited.Add(startKey);
        keyBytes += startKey.ApproximateBytes;
        if (start.Violation is not null) return Found(null, 0);
        stack.Push((start, null, 0));
        var enabled = new List<ScheduledAction>();
        var scratch = start.Clone(); // each transition is tried on this copy; only new states get a world of their own
        var choices = new VectorChoices(NoChoices);
        while (stack.Count > 0)
        {
            var (world, path, depth) = stack.Pop();
            if (visited.Count >= maxStates)
            {
                limit = SearchLimit.States;
                break;
            }
            deepest = Math.Max(deepest, depth);
            enabled.Clear();
            world.Enumerate(enabled);
            if (enabled.Count == 0)
            {
                if (world.Monitor.HotMask != 0) return Found(path, depth);
                continue;
            }
            if (world.InFlightCount > maxInFlight)
            {
                cutByNetwork++;
                continue;
            }
            if (depth >= maxDepth)
            {
                limit = SearchLimit.Depth;
                continue;
            }
            var actions = enabled.ToArray();
            for (var index = actions.Length - 1; index >= 0; index--)
            {
                // Every combination of the values nodes choose while handling this action is its own edge.
                var vector = NoChoices;
                while (true)
                {
                    scratch.CopyFrom(world);
                    var next = scratch;
                    choices.Reset(vector);
                    (current.From, current.Action, current.Choices, current.Depth) = (path, index, vector, depth + 1);
                    try
                    {
                        next.Apply(actions[index], choices);
                    }
                    catch (RunFailure)
                    {
                        return Found(new PathNode(path, index, choices.UsedArray()), depth + 1);
                    }
                    transitions++;
                    if (next.Violation is not null) return Found(new PathNode(path, index, choices.UsedArray()), depth + 1);
                    var key = next.Key(numbering);
                    if (visited.Add(key))
                    {
                        keyBytes += key.ApproximateBytes;
                        stack.Push((next.Clone(), new PathNode(path, index, choices.UsedArray()), depth + 1));
                    }
                    if (!choices.Advance(out vector)) break;
                }
            }
        }
        return new ExplorationReport(protocol.Name, visited.Count, transitions, deepest, limit, watch.Elapsed, null, keyBytes / Math.Max(1, visited.Count), networkBound, cutByNetwork);

        ExplorationReport Found(PathNode? last, int depth)
        {
            var path = PathNode.Decisions(last);
            var replayOptions = options with { FairAfterSteps = int.MaxValue, MaxSteps = depth + 1, Strategy = StrategyKind.Random };
            var explainer = new SystematicTester<TState, TMessage, TSpecEvent>(protocol, replayOptions);
            var bug = explainer.Explain(path, "dfs", 0, depth, padWithZeros: true);
            return new ExplorationReport(protocol.Name, visited.Count, transitions, Math.Max(deepest, depth), SearchLimit.Bug, watch.Elapsed, bug, keyBytes / Math.Max(1, visited.Count), networkBound, cutByNetwork);
        }
    }

    private static readonly List<int> NoChoices = [];

    /// <summary>How a state was reached, as a chain back to the start (no copying of whole paths per state).</summary>
    private sealed record PathNode(PathNode? Parent, int Action, int[]? Choices)
    {
        public static List<int> Decisions(PathNode? last)
        {
            var steps = new List<PathNode>();
            for (var node = last; node is not null; node = node.Parent) steps.Add(node);
            steps.Reverse();
            var decisions = new List<int>();
            foreach (var step in steps)
            {
                decisions.Add(step.Action);
                if (step.Choices is not null) decisions.AddRange(step.Choices);
            }
            return decisions;
        }
    }

    /// <summary>Answers choices from a vector (0 past its end) and remembers how many options each had, to enumerate the next vector.</summary>
    private sealed class VectorChoices(List<int> vector) : IChoiceSource
    {
        private static readonly List<int> None = [];
        private List<int>? used, branches;

        /// <summary>Starts answering from another vector (one instance serves every transition).</summary>
        public void Reset(List<int> next)
        {
            vector = next;
            used = null;
            branches = null;
        }

        public int[]? UsedArray() => used is null || used.Count == 0 ? null : used.ToArray();

        public List<int> Used => used ?? None;
        public List<int> Branches => branches ?? None;

        public int Choose(int count)
        {
            used ??= [];
            branches ??= [];
            var value = used.Count < vector.Count ? vector[used.Count] : 0;
            used.Add(value);
            branches.Add(count);
            return value;
        }

        /// <summary>The next vector in odometer order, or false when all were tried.</summary>
        public bool Advance(out List<int> next)
        {
            next = new List<int>(Used);
            for (var i = next.Count - 1; i >= 0; i--)
            {
                if (next[i] + 1 < Branches[i])
                {
                    next[i]++;
                    next.RemoveRange(i + 1, next.Count - i - 1);
                    return true;
                }
            }
            return false;
        }
    }
}
