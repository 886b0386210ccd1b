using System.Diagnostics;
using System.Text;
using Verification.Runtime;
using Verification.Specs;

namespace Verification.Checkers.Systematic;

/// <summary>
/// A livelock: a lasso (a prefix, then a cycle that returns to the same state and can repeat forever) in which a
/// liveness property stays hot and every continuously enabled delivery and timer keeps being taken — so no fairness
/// assumption rescues it — or, with an empty cycle, a hot state with nothing enabled.
/// </summary>
/// <param name="Property">The liveness property that stays hot.</param>
/// <param name="Prefix">The steps from start-up to the cycle, as the trace describes them.</param>
/// <param name="Cycle">The steps that return to the cycle's first state; empty when nothing is enabled there.</param>
/// <param name="UpToSymmetry">Whether states were compared up to the protocol's normalizer, so the cycle returns to an equivalent state rather than the same one.</param>
public sealed record LassoCounterexample(string Property, IReadOnlyList<string> Prefix, IReadOnlyList<string> Cycle, bool UpToSymmetry) : Counterexample(Property)
{
    /// <inheritdoc/>
    public override string Describe()
    {
        var text = new StringBuilder();
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
        return text.ToString().TrimEnd();
    }
}

public sealed partial class SystematicTester<TState, TMessage, TTimer, TDurable, TSpecEvent>
{
    /// <summary>
    /// Searches for a livelock. Every reachable state is explored breadth-first (states compared up to the protocol's
    /// <c>Normalizer</c>, so growing ballots or terms can still close a cycle; every value a node may choose is
    /// branched on) and the state graph is kept. Then, for each liveness property, the graph of states where it is
    /// hot is split into strongly connected components; a component is a livelock when it is fair — every delivery
    /// to a node and every timer that is enabled in all its states is taken on one of its edges — because a cycle
    /// through all its edges then repeats forever under weak fairness with the property hot. A hot state with
    /// nothing enabled is a livelock too. Runs longer than <paramref name="maxDepth"/> steps, states with more than
    /// <paramref name="maxInFlight"/> messages in flight and states past <paramref name="maxStates"/> are not expanded;
    /// the search is then incomplete and says so.
    /// </summary>
    public CheckResult FindLivelock(int maxDepth, int maxInFlight = 16, long maxStates = long.MaxValue)
    {
        if (maxDepth < 1) throw new ConfigurationException($"the depth bound must be at least 1 (got {maxDepth})");
        if (maxStates < 1) throw new ConfigurationException($"the state limit must be at least 1 (got {maxStates})");
        if (protocol.Spec.Properties.All(p => p.Kind != PropertyKind.Liveness))
            throw new ConfigurationException($"{protocol.Name}: the spec '{protocol.Spec.Name}' has no liveness property to search a livelock for");
        var stopwatch = Stopwatch.StartNew();
        var progress = new Transition();
        var report = Guarded(handlerWatch => new LivelockSearch(this, maxDepth, maxInFlight, maxStates, handlerWatch, stopwatch, progress).Run(), out var hang);
        if (hang is null) return report!;
        nodes = CreateNodes();
        var bug = ExplainHang(progress.Decisions(), "livelock search", 0, padWithZeros: true);
        return LivelockResult(bug, complete: false, new Coverage(), stopwatch.Elapsed);
    }

    /// <summary>A livelock search's result: violated (a lasso, or a node failure met on the way), holds when searched completely, else unknown.</summary>
    private CheckResult LivelockResult(Counterexample? found, bool complete, Coverage coverage, TimeSpan elapsed)
    {
        var within = new List<string> { options.Faults.Describe(), "weak fairness: a delivery to a node, or a timer, enabled all along a cycle is taken in it" };
        if (protocol.Normalizer is not null) within.Add("states compared up to the protocol's symmetry");
        return new CheckResult
        {
            Subject = protocol.Name,
            Method = "livelock search (fair cycles of hot states)",
            Verdict = found is not null ? Verdict.Violated : complete ? Verdict.Holds : Verdict.Unknown,
            Why = found is null && !complete ? Inconclusive.SearchLimit : null,
            Reason = found is null && !complete ? "no livelock found within the depth, in-flight or state bounds (not a proof)" : null,
            Coverage = coverage,
            Within = within,
            Counterexample = found,
            Elapsed = elapsed,
        };
    }

    /// <summary>The depth-first exploration that keeps the state graph, and the search for fair hot components in it.</summary>
    private sealed class LivelockSearch(
        SystematicTester<TState, TMessage, TTimer, TDurable, TSpecEvent> tester, int maxDepth, int maxInFlight, long maxStates, HandlerWatch handlerWatch, Stopwatch watch, Transition current)
    {
        private readonly Dictionary<StateKey, int> ids = [];
        private readonly ValueNumbering numbering = new();
        // Per state (by id): hot mask, set of fairness classes enabled, how it was reached, its first edge (−1: none).
        private readonly List<long> hotMask = [];
        private readonly List<int> enabledSet = [];
        private readonly List<PathNode?> reachedBy = [];
        private readonly List<int> depthOf = [];
        private readonly List<int> firstEdge = [];
        // Edges as linked lists per state: target, fairness class, next edge of the same state.
        private readonly List<int> edgeTarget = [];
        private readonly List<int> edgeClass = [];
        private readonly List<int> edgeNext = [];
        // Fairness classes: "deliver to n", "timer t of n"; and the distinct sets of them, interned.
        private readonly Dictionary<string, int> classes = [];
        private readonly Dictionary<string, int> setIds = [];
        private readonly List<int[]> sets = [];
        private bool complete = true;
        /// <summary>Handler results replayed per distinct input, as in the safety search (null: off).</summary>
        private HandlerMemo? memo;

        private Protocol<TState, TMessage, TTimer, TDurable, TSpecEvent> Protocol => tester.protocol;

        /// <summary>A state on the search stack: its world, its enabled actions and the one being tried.</summary>
        private sealed class Frame(World<TState, TMessage, TTimer, TDurable, TSpecEvent> world, int id, ScheduledAction[] actions, int[] actionClasses)
        {
            public World<TState, TMessage, TTimer, TDurable, TSpecEvent> World { get; } = world;
            public int Id { get; } = id;
            public ScheduledAction[] Actions { get; } = actions;
            public int[] ActionClasses { get; } = actionClasses;
            public int Next { get; set; }
            public List<int> Vector { get; set; } = NoChoices;
            public bool VectorPending { get; set; }
            public List<int> TakenChoices { get; set; } = NoChoices;
        }

        public CheckResult Run()
        {
            var start = NewWorld();
            var startChoices = new VectorChoices([]);
            try
            {
                start.Start(startChoices);
            }
            catch (RunFailure)
            {
                return Failed(null);
            }
            if (startChoices.Branches.Count > 0) throw new ConfigurationException("the livelock search does not branch on choices made at start-up yet; make them in a handler");
            var frames = new List<Frame>();
            var onStack = new Dictionary<int, int>(); // state id → frame index
            var choices = new VectorChoices(NoChoices);
            CheckResult? Push(World<TState, TMessage, TTimer, TDurable, TSpecEvent> world, int id)
            {
                var enabled = new List<ScheduledAction>();
                world.Enumerate(enabled);
                enabledSet[id] = Intern(world, enabled);
                if (enabled.Count == 0)
                    return hotMask[id] != 0 ? Lasso(FirstBit(hotMask[id]), id, [], []) : null;
                if (world.ArrivableInFlightCount > maxInFlight || depthOf[id] >= maxDepth)
                {
                    complete = false;
                    return null;
                }
                onStack[id] = frames.Count;
                frames.Add(new Frame(world, id, [.. enabled], enabled.Select(a => ClassOf(world, a)).ToArray()));
                return null;
            }
            if (Push(start, Add(start.Key(numbering), start, null, 0)) is { } atStart) return atStart;
            var scratch = start.Clone(); // each transition is tried on this copy; only new states get a world of their own
            if (tester.options.ReplayHandlerResults) scratch.Memo = memo = new HandlerMemo(numbering); // each distinct handler input runs once (rechecked on a sample)
            while (frames.Count > 0)
            {
                var frame = frames[^1];
                if (!frame.VectorPending)
                {
                    if (frame.Next == frame.Actions.Length)
                    {
                        frames.RemoveAt(frames.Count - 1);
                        onStack.Remove(frame.Id);
                        continue;
                    }
                    frame.Next++;
                    frame.Vector = NoChoices;
                }
                var index = frame.Next - 1;
                scratch.CopyFrom(frame.World);
                var next = scratch;
                choices.Reset(frame.Vector);
                (current.From, current.Action, current.Choices, current.Depth) = (reachedBy[frame.Id], index, frame.Vector, depthOf[frame.Id] + 1);
                try
                {
                    next.Apply(frame.Actions[index], choices);
                }
                catch (RunFailure failure) when (failure is { Kind: FailureKind.ModelError, Property: HandlerMemo.Nondeterministic })
                {
                    // As in the safety search: seen by comparing two calls of one handler; a replay of the path need not show it.
                    throw new SpecException($"{Protocol.Name}: livelock search stopped: {failure.Message}");
                }
                catch (RunFailure)
                {
                    return Failed(new PathNode(reachedBy[frame.Id], index, choices.UsedArray()));
                }
                frame.TakenChoices = choices.Used.Count == 0 ? NoChoices : [.. choices.Used];
                frame.VectorPending = choices.Advance(out var following);
                frame.Vector = following;
                // A safety violation is the safety search's business; its successors are not part of any run.
                if (next.Violation is not null) continue;
                var key = next.Key(numbering);
                if (ids.TryGetValue(key, out var target))
                {
                    AddEdge(frame.Id, target, frame.ActionClasses[index]);
                    // The fast path: a cycle closed on the stack that is hot and fair is a livelock, reported at once.
                    if (onStack.TryGetValue(target, out var cycleStart) && FairStackCycle(frames, cycleStart) is { } bit)
                        return StackLasso(frames, cycleStart, bit);
                    continue;
                }
                if (ids.Count >= maxStates)
                {
                    complete = false;
                    continue;
                }
                var id = Add(key, next, new PathNode(reachedBy[frame.Id], index, choices.UsedArray()), depthOf[frame.Id] + 1);
                AddEdge(frame.Id, id, frame.ActionClasses[index]);
                if (Push(next.Clone(), id) is { } terminal) return terminal;
            }
            return FairComponent() ?? Report(null, [], []);
        }

        /// <summary>The first liveness property hot in every state of the stack from <paramref name="cycleStart"/> on, when that cycle (closed by the last action) is fair.</summary>
        private int? FairStackCycle(List<Frame> frames, int cycleStart)
        {
            var hot = ~0L;
            HashSet<int>? alwaysEnabled = null;
            var taken = new HashSet<int>();
            for (var i = cycleStart; i < frames.Count; i++)
            {
                hot &= hotMask[frames[i].Id];
                if (alwaysEnabled is null) alwaysEnabled = [.. sets[enabledSet[frames[i].Id]]];
                else alwaysEnabled.IntersectWith(sets[enabledSet[frames[i].Id]]);
                taken.Add(frames[i].ActionClasses[frames[i].Next - 1]);
            }
            return hot != 0 && alwaysEnabled!.All(taken.Contains) ? FirstBit(hot) : null;
        }

        /// <summary>The lasso of a fair cycle on the stack, in the concrete steps the search took.</summary>
        private CheckResult StackLasso(List<Frame> frames, int cycleStart, int bit)
        {
            string Step(Frame f)
            {
                var action = f.Actions[f.Next - 1];
                return f.World.Describe(action) + (f.TakenChoices.Count > 0 ? $" (choosing {string.Join(", ", f.TakenChoices)})" : "");
            }
            var prefix = frames.Take(cycleStart).Select(Step).ToList();
            var cycle = frames.Skip(cycleStart).Select(Step).ToList();
            return Report(LivenessName(bit), prefix, cycle);
        }

        private string LivenessName(int bit) => Protocol.Spec.Properties.Where(p => p.Kind == PropertyKind.Liveness).ElementAt(bit).Name;

        private void AddEdge(int from, int to, int cls)
        {
            edgeTarget.Add(to);
            edgeClass.Add(cls);
            edgeNext.Add(firstEdge[from]);
            firstEdge[from] = edgeTarget.Count - 1;
        }

        private World<TState, TMessage, TTimer, TDurable, TSpecEvent> NewWorld() =>
            new(Protocol, tester.options.Faults, tester.nodes, tester.options.MaxMessagesInFlight) { CheckMutation = tester.options.MutationChecks != MutationCheck.Off, Watch = handlerWatch };

        private int Add(StateKey key, World<TState, TMessage, TTimer, TDurable, TSpecEvent> world, PathNode? path, int depth)
        {
            var id = ids.Count;
            ids.Add(key, id);
            hotMask.Add(world.Monitor.HotMask);
            enabledSet.Add(-1);
            reachedBy.Add(path);
            if (path is not null) parentIds[path] = id;
            depthOf.Add(depth);
            firstEdge.Add(-1);
            return id;
        }

        /// <summary>The fairness class of an action: deliveries to one node, or one timer of one node; −1 for faults, which no fairness obliges.</summary>
        private int ClassOf(World<TState, TMessage, TTimer, TDurable, TSpecEvent> world, ScheduledAction action)
        {
            var name = action.Kind switch
            {
                ActionKind.Deliver => $"deliver to n{action.Node}",
                ActionKind.Fire => world.Describe(action),
                _ => null,
            };
            if (name is null) return -1;
            if (!classes.TryGetValue(name, out var id)) classes.Add(name, id = classes.Count);
            return id;
        }

        private int Intern(World<TState, TMessage, TTimer, TDurable, TSpecEvent> world, List<ScheduledAction> enabled)
        {
            var set = enabled.Select(a => ClassOf(world, a)).Where(c => c >= 0).Distinct().Order().ToArray();
            var signature = string.Join(",", set);
            if (!setIds.TryGetValue(signature, out var id))
            {
                setIds.Add(signature, id = sets.Count);
                sets.Add(set);
            }
            return id;
        }

        private IEnumerable<(int Target, int Class)> Edges(int state, Func<int, bool> inside)
        {
            for (var e = firstEdge[state]; e >= 0; e = edgeNext[e])
                if (inside(edgeTarget[e])) yield return (edgeTarget[e], edgeClass[e]);
        }

        /// <summary>For each liveness property, the fair strongly connected components of its hot states; the lasso to the first one reached.</summary>
        private CheckResult? FairComponent()
        {
            (int Bit, List<int> Component, int Entry)? best = null;
            for (var bit = 0; bit < tester.protocol.Spec.Properties.Count(p => p.Kind == PropertyKind.Liveness); bit++)
            {
                var b = bit;
                bool Hot(int s) => ((hotMask[s] >> b) & 1) == 1;
                foreach (var component in Components(Hot))
                {
                    var members = component.ToHashSet();
                    if (!component.Any(s => Edges(s, members.Contains).Any())) continue; // a single state with no self-loop: no cycle
                    if (!IsFair(component, members)) continue;
                    var entry = component.MinBy(s => depthOf[s]);
                    if (best is null || depthOf[entry] < depthOf[best.Value.Entry]) best = (bit, component, entry);
                }
            }
            if (best is not { } found) return null;
            var cycle = CycleThrough(found.Component.ToHashSet(), found.Entry);
            return Lasso(found.Bit, found.Entry, cycle.States, cycle.Classes);
        }

        /// <summary>Weak fairness: every class enabled in all states of the component is taken on an edge inside it.</summary>
        private bool IsFair(List<int> component, HashSet<int> members)
        {
            var alwaysEnabled = new HashSet<int>(sets[enabledSet[component[0]]]);
            foreach (var s in component) alwaysEnabled.IntersectWith(sets[enabledSet[s]]);
            var taken = component.SelectMany(s => Edges(s, members.Contains)).Select(e => e.Class).ToHashSet();
            return alwaysEnabled.All(taken.Contains);
        }

        /// <summary>Tarjan's strongly connected components of the states satisfying <paramref name="inside"/> (iterative).</summary>
        private List<List<int>> Components(Func<int, bool> inside)
        {
            var index = new int[ids.Count];
            var low = new int[ids.Count];
            Array.Fill(index, -1);
            var onStack = new bool[ids.Count];
            var stack = new Stack<int>();
            var result = new List<List<int>>();
            var counter = 0;
            for (var root = 0; root < ids.Count; root++)
            {
                if (!inside(root) || index[root] >= 0) continue;
                var work = new Stack<(int State, IEnumerator<(int Target, int Class)> Edges)>();
                void Open(int s)
                {
                    index[s] = low[s] = counter++;
                    stack.Push(s);
                    onStack[s] = true;
                    work.Push((s, Edges(s, inside).GetEnumerator()));
                }
                Open(root);
                while (work.Count > 0)
                {
                    var (s, edges) = work.Peek();
                    if (edges.MoveNext())
                    {
                        var t = edges.Current.Target;
                        if (index[t] < 0) Open(t);
                        else if (onStack[t]) low[s] = Math.Min(low[s], index[t]);
                        continue;
                    }
                    work.Pop();
                    if (work.Count > 0) low[work.Peek().State] = Math.Min(low[work.Peek().State], low[s]);
                    if (low[s] != index[s]) continue;
                    var component = new List<int>();
                    int member;
                    do
                    {
                        member = stack.Pop();
                        onStack[member] = false;
                        component.Add(member);
                    } while (member != s);
                    result.Add(component);
                }
            }
            return result;
        }

        /// <summary>
        /// A cycle from <paramref name="entry"/> back to it inside a fair component that is fair itself: for every class
        /// enabled somewhere in the component, it takes an edge of that class, or passes a state where the class is
        /// disabled. Returned as the states after each step and the class of each step.
        /// </summary>
        private (List<int> States, List<int> Classes) CycleThrough(HashSet<int> component, int entry)
        {
            var states = new List<int>();
            var classesTaken = new List<int>();
            var at = entry;
            void Walk(IReadOnlyList<(int Target, int Class)> path)
            {
                foreach (var (target, cls) in path)
                {
                    states.Add(target);
                    classesTaken.Add(cls);
                    at = target;
                }
            }
            var everywhere = component.SelectMany(s => sets[enabledSet[s]]).ToHashSet();
            foreach (var cls in everywhere.Order())
            {
                if (classesTaken.Contains(cls)) continue;
                // An edge of this class inside the component, reached from where we are; or else a state where it is disabled.
                var viaEdge = ShortestPath(component, at, s => Edges(s, component.Contains).Any(e => e.Class == cls));
                if (viaEdge is not null)
                {
                    Walk(viaEdge);
                    var edge = Edges(at, component.Contains).First(e => e.Class == cls);
                    Walk([edge]);
                }
                else if (!states.Append(entry).Any(s => !sets[enabledSet[s]].Contains(cls)))
                    Walk(ShortestPath(component, at, s => !sets[enabledSet[s]].Contains(cls))!);
            }
            if (states.Count == 0) Walk([Edges(entry, component.Contains).First()]);
            Walk(ShortestPath(component, at, s => s == entry, atLeastOneStep: false)!);
            return (states, classesTaken);
        }

        /// <summary>Breadth-first, inside the component: the edges from <paramref name="from"/> to the nearest state satisfying <paramref name="goal"/>.</summary>
        private List<(int Target, int Class)>? ShortestPath(HashSet<int> component, int from, Func<int, bool> goal, bool atLeastOneStep = false)
        {
            if (!atLeastOneStep && goal(from)) return [];
            var previous = new Dictionary<int, (int From, int Class)> { [from] = (-1, -1) };
            var queue = new Queue<int>([from]);
            while (queue.Count > 0)
            {
                var s = queue.Dequeue();
                foreach (var (target, cls) in Edges(s, component.Contains))
                {
                    if (previous.ContainsKey(target)) continue;
                    previous[target] = (s, cls);
                    if (goal(target))
                    {
                        var path = new List<(int, int)>();
                        for (var t = target; t != from; t = previous[t].From) path.Add((t, previous[t].Class));
                        path.Reverse();
                        return path;
                    }
                    queue.Enqueue(target);
                }
            }
            return null;
        }

        /// <summary>
        /// The lasso in concrete steps: the prefix to <paramref name="entry"/> along the tree of first visits, then the
        /// cycle, each step found again from the concrete state by the key of the state it must reach (states are
        /// compared up to symmetry, so the concrete steps show the real numbers of one pass around the cycle).
        /// </summary>
        private CheckResult Lasso(int bit, int entry, List<int> cycleStates, List<int> cycleClasses)
        {
            var prefixStates = new List<int>();
            for (var s = entry; reachedBy[s] is not null; s = ParentOf(s)) prefixStates.Add(s);
            prefixStates.Reverse();
            var world = NewWorld();
            world.Start(new VectorChoices([]));
            var prefix = new List<string>();
            foreach (var s in prefixStates) prefix.Add(Step(ref world, s, null));
            var cycle = new List<string>();
            for (var i = 0; i < cycleStates.Count; i++) cycle.Add(Step(ref world, cycleStates[i], cycleClasses[i]));
            return Report(LivenessName(bit), prefix, cycle);
        }

        private int ParentOf(int state)
        {
            // The parent is the state the path to this one passes last: replay its decisions' prefix by key.
            var parentPath = reachedBy[state]!.Parent;
            return parentPath is null ? 0 : parentIds[parentPath];
        }

        private readonly Dictionary<PathNode, int> parentIds = new(ReferenceEqualityComparer.Instance);

        /// <summary>From the concrete <paramref name="world"/>, the action (with the choices) that reaches state <paramref name="target"/> (of class <paramref name="cls"/> when given): its description; <paramref name="world"/> becomes the successor.</summary>
        private string Step(ref World<TState, TMessage, TTimer, TDurable, TSpecEvent> world, int target, int? cls)
        {
            var enabled = new List<ScheduledAction>();
            world.Enumerate(enabled);
            var choices = new VectorChoices(NoChoices);
            foreach (var action in enabled)
            {
                if (cls is { } wanted && ClassOf(world, action) != wanted) continue;
                var vector = NoChoices;
                while (true)
                {
                    var next = world.Clone();
                    choices.Reset(vector);
                    next.Apply(action, choices);
                    if (next.Violation is null && ids.TryGetValue(next.Key(numbering), out var reached) && reached == target)
                    {
                        var description = world.Describe(action) + (choices.Used.Count > 0 ? $" (choosing {string.Join(", ", choices.Used)})" : "");
                        world = next;
                        return description;
                    }
                    if (!choices.Advance(out vector)) break;
                }
            }
            throw new InvalidOperationException("a step of the lasso could not be found again from its concrete state");
        }

        private CheckResult Failed(PathNode? path)
        {
            var explainer = new SystematicTester<TState, TMessage, TTimer, TDurable, TSpecEvent>(Protocol, tester.options with { FairAfterSteps = int.MaxValue, MaxSteps = maxDepth + 1, Strategy = StrategyKind.Random });
            var bug = explainer.Explain(PathNode.Decisions(path), "livelock search", 0, 0, padWithZeros: true);
            return memo.Noted(tester.LivelockResult(bug, complete: false, new Coverage { States = ids.Count }, watch.Elapsed));
        }

        private CheckResult Report(string? property, IReadOnlyList<string> prefix, IReadOnlyList<string> cycle) =>
            memo.Noted(tester.LivelockResult(property is null ? null : new LassoCounterexample(property, prefix, cycle, Protocol.Normalizer is not null), complete,
                new Coverage { States = ids.Count, Transitions = edgeTarget.Count }, watch.Elapsed));

        private static int FirstBit(long mask) => System.Numerics.BitOperations.TrailingZeroCount(mask);
    }
}
