using System.Diagnostics;
using System.Text;
using Verification.Specs;

namespace Verification.Checkers.Systematic;

/// <summary>
/// The outcome of a livelock search: a lasso (a prefix, then a cycle that returns to the same state and can repeat
/// forever) in which a liveness property stays hot and every continuously enabled delivery and timer keeps being
/// taken — so no fairness assumption rescues it — or a hot state with nothing enabled; or none within the bounds.
/// </summary>
public sealed record LivelockReport(
    string Protocol,
    string? Property,
    IReadOnlyList<string> Prefix,
    IReadOnlyList<string> Cycle,
    long States,
    bool Complete,
    TimeSpan Elapsed,
    bool UpToSymmetry)
{
    public bool Found => Property is not null;

    public override string ToString()
    {
        var text = new StringBuilder($"{Protocol}: ");
        if (!Found)
        {
            text.Append(Complete
                ? $"no livelock: every fair run makes each liveness property cold ({States} states, searched completely, {Elapsed.TotalSeconds:F1} s)"
                : $"no livelock found within the bounds ({States} states, {Elapsed.TotalSeconds:F1} s; not a proof)");
            return text.ToString();
        }
        text.AppendLine(Cycle.Count == 0
            ? $"liveness violation of {Property}: after {Prefix.Count} steps nothing is enabled and it is still hot"
            : $"liveness violation of {Property}: a fair cycle of {Cycle.Count} steps that repeats forever with it hot");
        text.AppendLine($"  prefix ({Prefix.Count} steps):");
        for (var i = 0; i < Prefix.Count; i++) text.AppendLine($"    {i + 1,3}. {Prefix[i]}");
        if (Cycle.Count > 0)
        {
            text.AppendLine($"  cycle ({Cycle.Count} steps; then the system is back in the same state{(UpToSymmetry ? ", up to the protocol's symmetry" : "")}):");
            for (var i = 0; i < Cycle.Count; i++) text.AppendLine($"    {Prefix.Count + i + 1,3}. {Cycle[i]}");
        }
        text.Append($"  ({States} states searched, {Elapsed.TotalSeconds:F1} s)");
        return text.ToString();
    }
}

public sealed partial class SystematicTester<TState, TMessage, TSpecEvent>
{
    /// <summary>
    /// Searches for a livelock: depth-first over the states where some liveness property is hot (comparing states
    /// up to the protocol's <c>Normalizer</c>, so growing ballots or terms can still close a cycle), looking for a
    /// back edge whose cycle keeps one property hot throughout and is fair: a delivery to a node, or a timer, that is
    /// enabled in every state of the cycle is also taken in it. Runs longer than <paramref name="maxDepth"/> steps and
    /// states with more than <paramref name="maxInFlight"/> messages in flight are not expanded (the search is then
    /// incomplete), nor are states past <paramref name="maxStates"/>. Nodes' random values take their first option.
    /// </summary>
    public LivelockReport FindLivelock(int maxDepth, int maxInFlight = 16, long maxStates = long.MaxValue)
    {
        if (maxDepth < 1) throw new ConfigurationException($"the depth bound must be at least 1 (got {maxDepth})");
        if (protocol.Spec.Properties.All(p => p.Kind != PropertyKind.Liveness))
            throw new ConfigurationException($"{protocol.Name}: the spec '{protocol.Spec.Name}' has no liveness property to search a livelock for");
        var watch = Stopwatch.StartNew();
        var choices = new VectorChoices(NoChoices);
        var start = new World<TState, TMessage, TSpecEvent>(protocol, options.Faults, nodes);
        start.Start(choices);
        var visited = new HashSet<StateKey>();
        var numbering = new ValueNumbering();
        var onStack = new Dictionary<StateKey, int>();
        var frames = new List<Frame>();
        var complete = true;
        var symmetric = protocol.Normalizer is not null;

        LivelockReport Report(string? property, IReadOnlyList<string> prefix, IReadOnlyList<string> cycle) =>
            new(protocol.Name, property, prefix, cycle, visited.Count, complete, watch.Elapsed, symmetric);

        bool Push(World<TState, TMessage, TSpecEvent> world, StateKey key, string? via)
        {
            if (world.Monitor.HotMask == 0) return false; // cold: no livelock of this run from here on this property set
            if (world.InFlightCount > maxInFlight || frames.Count >= maxDepth || visited.Count >= maxStates)
            {
                complete = false;
                return false;
            }
            var enabled = new List<ScheduledAction>();
            world.Enumerate(enabled);
            visited.Add(key);
            onStack[key] = frames.Count;
            frames.Add(new Frame(world, key, [.. enabled], enabled.Select(world.Describe).ToArray(), via));
            return true;
        }

        Push(start, start.Key(numbering), null);
        while (frames.Count > 0)
        {
            var frame = frames[^1];
            if (frame.Actions.Length == 0)
                return Report(HotName(frame.World.Monitor.HotMask), PathTo(frames, frames.Count), []);
            if (frame.Next == frame.Actions.Length)
            {
                frames.RemoveAt(frames.Count - 1);
                onStack.Remove(frame.Key);
                continue;
            }
            var index = frame.Next++;
            var next = frame.World.Clone();
            choices.Reset(NoChoices);
            next.Apply(frame.Actions[index], choices);
            if (next.Violation is not null) continue; // a safety violation is the safety search's business
            var key = next.Key(numbering);
            if (onStack.TryGetValue(key, out var cycleStart))
            {
                var hot = frames.Skip(cycleStart).Aggregate(~0L, (mask, f) => mask & f.World.Monitor.HotMask);
                if (hot != 0 && IsFair(frames, cycleStart))
                {
                    var cycle = frames.Skip(cycleStart).Select(f => f.Descriptions[f.Next - 1]).ToList();
                    return Report(HotName(hot), PathTo(frames, cycleStart + 1), cycle);
                }
                continue;
            }
            if (visited.Contains(key)) continue;
            Push(next, key, frame.Descriptions[index]);
        }
        return Report(null, [], []);
    }

    private string HotName(long mask)
    {
        var liveness = protocol.Spec.Properties.Where(p => p.Kind == PropertyKind.Liveness).ToList();
        for (var bit = 0; bit < liveness.Count; bit++)
            if (((mask >> bit) & 1) == 1) return liveness[bit].Name;
        return liveness[0].Name;
    }

    /// <summary>The steps that lead to frames[count − 1].</summary>
    private static List<string> PathTo(List<Frame> frames, int count) => frames.Take(count).Skip(1).Select(f => f.Via!).ToList();

    /// <summary>Weak fairness on the cycle: a delivery to a node, or a node's timer, enabled in every state of it is taken in it.</summary>
    private static bool IsFair(List<Frame> frames, int cycleStart)
    {
        var cycle = frames.Skip(cycleStart).ToList();
        static IEnumerable<(ActionKind, int, string)> Classes(Frame f) =>
            f.Actions.Select((a, i) => a.Kind == ActionKind.Deliver ? (a.Kind, a.Node, "") : a.Kind == ActionKind.Fire ? (a.Kind, a.Node, f.Descriptions[i]) : (a.Kind, -1, ""))
                .Where(c => c.Item2 >= 0);
        var alwaysEnabled = cycle.Select(f => Classes(f).ToHashSet()).Aggregate((a, b) => { a.IntersectWith(b); return a; });
        var taken = cycle.Select(f =>
        {
            var a = f.Actions[f.Next - 1];
            return (a.Kind, a.Node, a.Kind == ActionKind.Fire ? f.Descriptions[f.Next - 1] : "");
        }).ToHashSet();
        return alwaysEnabled.All(taken.Contains);
    }

    private sealed class Frame(World<TState, TMessage, TSpecEvent> world, StateKey key, ScheduledAction[] actions, string[] descriptions, string? via)
    {
        public World<TState, TMessage, TSpecEvent> World { get; } = world;
        public StateKey Key { get; } = key;
        public ScheduledAction[] Actions { get; } = actions;
        public string[] Descriptions { get; } = descriptions;
        public string? Via { get; } = via;
        public int Next { get; set; }
    }
}
