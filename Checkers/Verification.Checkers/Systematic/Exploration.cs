using System.Diagnostics;
using Verification.Runtime;
using Verification.Specs;

namespace Verification.Checkers.Systematic;

/// <summary>The order an exhaustive search expands states in.</summary>
public enum SearchOrder
{
    /// <summary>Depth-first: memory grows with the depth; the counterexample is the first path found, not the shortest.</summary>
    DepthFirst,

    /// <summary>Breadth-first, level by level: the first violation found is at the fewest steps from start-up (a shortest counterexample); memory grows with the widest level.</summary>
    BreadthFirst,

    /// <summary>
    /// Depth-first within a depth bound that doubles until a violation is found, then is narrowed by bisection to the
    /// smallest bound that still fails: a shortest counterexample with a depth-first search's memory (the path and the
    /// visited set, which remembers the fewest steps each state was reached in). Several searches instead of one.
    /// </summary>
    IterativeDeepening,
}

public sealed partial class SystematicTester<TState, TMessage, TTimer, TDurable, TSpecEvent>
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
    /// <param name="order">Depth-first (the default) or breadth-first, whose counterexample is a shortest one.</param>
    /// <param name="store">The visited-state set: exact (the default), 64-bit fingerprints (hash compaction, with the chance of a missed state reported), or a bitstate sweep (Unknown unless the states it estimates it missed are negligible).</param>
    /// <param name="partialOrder">Partial-order reduction by sleep sets: a step of one node is not taken again after
    /// an independent step of another node when the other order was already explored; every reachable state is still
    /// visited, so counts and verdicts are those of the full search, with fewer transitions.</param>
    /// <remarks>With <see cref="TestOptions.Parallelism"/> above 1 a depth-first search without reductions runs on that many workers sharing one visited set: the same states and transitions when complete, a violation's path the first any worker found.</remarks>
    public CheckResult Explore(int maxDepth, long maxStates = long.MaxValue, int maxInFlight = int.MaxValue, SearchOrder order = SearchOrder.DepthFirst, VisitedStore store = VisitedStore.Exact, bool partialOrder = false)
    {
        if (!Enum.IsDefined(store)) throw new ConfigurationException($"the visited-state store {(int)store} is not one of {string.Join(", ", Enum.GetNames<VisitedStore>())}");
        if (!Enum.IsDefined(order)) throw new ConfigurationException($"the search order {(int)order} is not one of {string.Join(", ", Enum.GetNames<SearchOrder>())}");
        if (maxDepth < 1) throw new ConfigurationException($"the depth bound must be at least 1 (got {maxDepth})");
        if (maxStates < 1) throw new ConfigurationException($"the state limit must be at least 1 (got {maxStates})");
        if (store == VisitedStore.Bitstate && options.BitstateBits / 8 > options.MaxSearchMemory)
            throw new ConfigurationException($"the bitstate array ({options.BitstateBits / 8:N0} bytes, TestOptions.BitstateBits) is larger than the search's memory limit ({options.MaxSearchMemory:N0} bytes, TestOptions.MaxSearchMemory)");
        var stopwatch = Stopwatch.StartNew();
        if (order == SearchOrder.IterativeDeepening)
        {
            if (partialOrder) throw new ConfigurationException("sleep sets and iterative deepening do not combine (a state reached again in fewer steps is expanded again, with none asleep): ask for one of them");
            return ExploreDeepening(maxDepth, maxStates, maxInFlight, store, stopwatch);
        }
        // On several workers (ParallelExploration.cs); breadth-first stays sequential, so its counterexample stays a shortest one,
        // and so do searches with sleep sets or a node symmetry, which the parallel search does not do.
        if (options.Parallelism > 1 && order == SearchOrder.DepthFirst && !partialOrder && protocol.Symmetry is null) return ExploreInParallel(maxDepth, maxStates, maxInFlight, store, stopwatch);
        var result = ExploreWatched(maxDepth, maxStates, maxInFlight, order, store, partialOrder, stopwatch);
        if (options.Parallelism <= 1) return result;
        // Asked for several workers but searched on one: said, so a reader does not take the time for a parallel search's.
        var why = order == SearchOrder.BreadthFirst ? "breadth-first search stays sequential, so its counterexample is a shortest one"
            : partialOrder ? "sleep sets are not shared between workers"
            : "a node symmetry's canonical keys are not computed by the parallel search yet";
        return result with { Method = $"{result.Method}, on one worker (Parallelism = {options.Parallelism} asked: {why})" };
    }

    /// <summary>One sequential search on a watched thread; when a handler hangs, the result explains the path to it.</summary>
    private CheckResult ExploreWatched(int maxDepth, long maxStates, int maxInFlight, SearchOrder order, VisitedStore store, bool partialOrder, Stopwatch stopwatch)
    {
        var progress = new Transition();
        var report = Guarded(handlerWatch => Explore(maxDepth, maxStates, maxInFlight, order, store, partialOrder, handlerWatch, stopwatch, progress), out var hang);
        if (hang is null) return report!;
        // A handler hung: explain the path to the transition it was on (replayed on a watched thread, it hangs again).
        nodes = CreateNodes();
        var bug = ExplainHang(progress.Decisions(), StrategyName(order), 0, padWithZeros: true);
        return SearchResult(null, bug, new Coverage { Depth = progress.Depth }, stopwatch.Elapsed, null, 0, 0, order);
    }

    /// <summary>An exhaustive search's result: violated (with the bug), holds (nothing cut but by the network bound, which the verdict states), or unknown (a depth or state limit cut it).</summary>
    private CheckResult SearchResult(SearchLimit? limit, RunCounterexample? bug, Coverage coverage, TimeSpan elapsed, int? networkBound, long cutByNetwork, long distinctValues, SearchOrder order, params string?[] caveats)
    {
        var within = new List<string> { options.Faults.Describe() };
        within.AddRange(caveats.OfType<string>());
        if (protocol.Symmetry is { } symmetry) within.Add(SymmetryBound(symmetry));
        if (cutByNetwork > 0) within.Add($"≤ {networkBound} messages in flight ({cutByNetwork:N0} states beyond it not expanded)");
        return new CheckResult
        {
            Subject = protocol.Name,
            Method = order switch
            {
                SearchOrder.BreadthFirst => "exhaustive search (BFS over distinct states; a counterexample is a shortest one)",
                SearchOrder.IterativeDeepening => "exhaustive search (iterative deepening DFS over distinct states; a counterexample is a shortest one)",
                _ => "exhaustive search (DFS over distinct states)",
            },
            Verdict = bug is not null ? Verdict.Violated : limit is null ? Verdict.Holds : Verdict.Unknown,
            Why = bug is null && limit is not null ? limit == SearchLimit.Memory ? Inconclusive.Budget : Inconclusive.SearchLimit : null,
            Reason = bug is not null ? null : limit switch
            {
                SearchLimit.Depth => DepthCut,
                SearchLimit.States => "incomplete: stopped at the state limit",
                SearchLimit.Memory => $"incomplete: stopped when the heap passed the memory limit ({options.MaxSearchMemory / (double)(1L << 30):F1} GiB, TestOptions.MaxSearchMemory)",
                _ => null,
            },
            Coverage = coverage,
            Within = within,
            Counterexample = bug,
            Elapsed = elapsed,
            Notes = $"{coverage.States / Math.Max(elapsed.TotalSeconds, 1e-9):F0} states/s, ~{coverage.BytesPerState} B of visited set per state, {distinctValues:N0} distinct node states and messages",
        };
    }

    private const string DepthCut = "incomplete: the depth bound cut runs off";

    /// <summary>A search whose visited set may have taken new states for visited ones (a bitstate sweep) ends Unknown with what it covered, never Holds.</summary>
    private static CheckResult Swept(CheckResult result, string? incomplete) =>
        incomplete is null || result.Verdict != Verdict.Holds ? result : result with { Verdict = Verdict.Unknown, Why = Inconclusive.Budget, Reason = incomplete };

    private static string StrategyName(SearchOrder order) => order switch { SearchOrder.BreadthFirst => "bfs", SearchOrder.IterativeDeepening => "iddfs", _ => "dfs" };

    /// <summary>
    /// Iterative deepening: depth-first searches within bounds 1, 2, 4, … up to <paramref name="maxDepth"/>; once one
    /// fails, bisection between the last clean bound and the failing path's length finds the smallest bound that fails,
    /// and its counterexample is a shortest one (no bound below it fails). The result covers the last search; its
    /// notes give every bound tried and the transitions of all of them.
    /// </summary>
    private CheckResult ExploreDeepening(int maxDepth, long maxStates, int maxInFlight, VisitedStore store, Stopwatch stopwatch)
    {
        var bounds = new List<int>();
        long transitions = 0;
        CheckResult Search(int bound)
        {
            bounds.Add(bound);
            var report = ExploreWatched(bound, maxStates, maxInFlight, SearchOrder.IterativeDeepening, store, partialOrder: false, stopwatch);
            transitions += report.Coverage.Transitions;
            return report;
        }
        CheckResult Final(CheckResult last, bool shortest) => last with
        {
            Elapsed = stopwatch.Elapsed,
            Notes = $"{last.Notes}; depth bounds searched: {string.Join(", ", bounds)} ({transitions:N0} transitions in all)"
                + (last.Verdict == Verdict.Violated && !shortest ? "; not shown shortest: a search below its length stopped at a limit" : ""),
        };
        static int Length(CheckResult failing) => ((RunCounterexample)failing.Counterexample!).OriginalSteps;

        var clean = 0; // no violation within this many steps
        CheckResult result;
        for (var bound = Math.Min(1, maxDepth); ; bound = Math.Min(bound * 2, maxDepth))
        {
            result = Search(bound);
            if (result.Verdict == Verdict.Violated) break;
            // Complete (nothing cut but the network), or cut by the state or memory limit: deeper bounds cannot say more.
            if (result.Reason != DepthCut || bound == maxDepth) return Final(result, shortest: false);
            clean = bound;
        }
        var failing = result;
        while (clean + 1 < Length(failing))
        {
            var middle = (clean + Length(failing)) / 2;
            result = Search(middle);
            if (result.Verdict == Verdict.Violated) failing = result;
            else if (result.Reason == DepthCut) clean = middle;
            else return Final(failing, shortest: false);
        }
        return Final(failing, shortest: true);
    }

    /// <summary>What cut an exhaustive search short.</summary>
    private enum SearchLimit { Depth, States, Memory }

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
    private CheckResult Explore(int maxDepth, long maxStates, int maxInFlight, SearchOrder order, VisitedStore store, bool partialOrder, HandlerWatch handlerWatch, Stopwatch watch, Transition current)
    {
        var breadthFirst = order == SearchOrder.BreadthFirst;
        // Iterative deepening: the fewest steps each state was reached in, so a state reached again in fewer is expanded again (within a depth bound a first visit may be a long way round).
        var shallowest = order == SearchOrder.IterativeDeepening ? new Dictionary<long, int>() : null;
        SleepSets? sleepSets = null;
        string? reduction = null; // what the result says of the reduction, when one was asked for
        if (partialOrder) sleepSets = SleepSets.Try(protocol.Normalizer is not null, protocol.Symmetry is not null, options, maxInFlight, out reduction);
        var ignoredFirst = IgnoredFirst.For(protocol, options, order, sleepSets: sleepSets is not null);
        var visited = IVisitedStates.Create(store, options.BitstateBits);
        var numbering = new ValueNumbering();
        HandlerMemo? memo = null;
        long transitions = 0, cutByNetwork = 0, slept = 0, woken = 0;
        int? networkBound = maxInFlight == int.MaxValue ? null : maxInFlight;
        SearchLimit? limit = null;
        var deepest = 0;
        var checkMutation = options.MutationChecks != MutationCheck.Off; // states are shared between branches: a change in place would corrupt the search
        var start = new World<TState, TMessage, TTimer, TDurable, TSpecEvent>(protocol, options.Faults, nodes, options.MaxMessagesInFlight) { CheckMutation = checkMutation, Watch = handlerWatch };
        var startChoices = new VectorChoices([]);
        SymmetryReduction? symmetry = null; // made once the system has started (it checks the initial state)
        try
        {
            start.Start(startChoices);
        }
        catch (RunFailure)
        {
            return Found(null, 0);
        }
        if (startChoices.Branches.Count > 0) throw new ConfigurationException("exhaustive search does not branch on choices made at start-up yet; make them in a handler");
        if (protocol.Symmetry is not null) symmetry = new SymmetryReduction(protocol, options.Faults, nodes, start, numbering);
        // Depth-first works on the newest state, one step at a time (a true depth-first search: only the worlds on the
        // current path are held); breadth-first takes the oldest and expands all its steps before the next.
        var frontier = new Deque<Frame>();
        WriteSearchKey(start, numbering, symmetry);
        visited.Add(numbering.Writer, out var startId);
        shallowest?.Add(startId, 0);
        if (start.Violation is not null) return Found(null, 0);
        frontier.AddLast(new Frame(start).Reset(null, 0, startId, null, null));
        var enabled = new List<ScheduledAction>();
        var scratch = start.Clone(); // each transition is tried on this copy; only new states get a world of their own
        if (options.ReplayHandlerResults) scratch.Memo = memo = new HandlerMemo(numbering); // each distinct handler input runs once (rechecked on a sample)
        var noChoices = NoChoices; // a static of a generic class costs a look-up at each use: read once
        var choices = new VectorChoices(noChoices);
        // The frames that were expanded are reused for new states, with their worlds (a copy into one is a clone without allocating).
        var released = new Stack<Frame>();
        Frame Keep(World<TState, TMessage, TTimer, TDurable, TSpecEvent> reached, PathNode path, int depth, long id, SleepEntry[]? awake = null, SleepEntry[]? arrivingSleep = null)
        {
            if (!released.TryPop(out var kept)) return new Frame(reached.Clone()).Reset(path, depth, id, awake, arrivingSleep);
            kept.World.CopyFrom(reached, copiedBack: !breadthFirst); // depth-first expands the new state next
            return kept.Reset(path, depth, id, awake, arrivingSleep);
        }
        var nextCheck = 0L;
        var lastProgress = watch.Elapsed;
        while (frontier.Count > 0)
        {
            // Every 1,024 transitions: the memory limit, and a progress report when one is due.
            if (transitions >= nextCheck)
            {
                nextCheck = transitions + 1024;
                var heap = GC.GetTotalMemory(forceFullCollection: false);
                if (heap > options.MaxSearchMemory)
                {
                    limit = SearchLimit.Memory;
                    break;
                }
                if (options.Progress is { } progress && watch.Elapsed - lastProgress >= options.ProgressInterval)
                {
                    lastProgress = watch.Elapsed;
                    progress(new SearchProgress(visited.Count, visited.Count / Math.Max(watch.Elapsed.TotalSeconds, 1e-9), deepest, frontier.Count, heap, watch.Elapsed));
                }
            }
            var frame = breadthFirst ? frontier.First : frontier.Last;
            var (world, path, depth) = (frame.World, frame.Path, frame.Depth);
            if (frame.ActionCount < 0)
            {
                // First visit to the frame: is the state one to expand?
                if (visited.Count >= maxStates)
                {
                    limit = SearchLimit.States;
                    break;
                }
                deepest = Math.Max(deepest, depth);
                enabled.Clear();
                world.Enumerate(enabled);
                var expand = true;
                if (enabled.Count == 0)
                {
                    if (world.Monitor.HotMask != 0) return Found(path, depth);
                    expand = false;
                }
                else if (maxInFlight != int.MaxValue && world.ArrivableInFlightCount > maxInFlight) // counted only under a bound
                {
                    cutByNetwork++;
                    expand = false;
                }
                else if (depth >= maxDepth)
                {
                    limit = SearchLimit.Depth;
                    expand = false;
                }
                if (!expand)
                {
                    Remove();
                    continue;
                }
                frame.Only = ignoredFirst?.Only(world, enabled) ?? -1;
                frame.TakeUp(enabled);
                // With sleep sets: the steps covered by another order (asleep) are skipped; a state reached again
                // with fewer asleep than it was expanded with takes only the steps that woke up.
                if (sleepSets is not null)
                {
                    frame.Sleep = frame.Awake is not null ? frame.ArrivingSleep! : sleepSets.Expand(frame.Id);
                    frame.Done = [];
                }
            }
            // The next edge: an action (each combination of the values nodes choose while handling it is its own edge).
            if (frame.Vector is null)
            {
                var found = false;
                while (frame.NextAction())
                {
                    frame.Identity = sleepSets is null ? null : world.StepIdentity(frame.Action(frame.Index), numbering);
                    if (frame.Sleep is not null && frame.Identity is { } asleep && (frame.Awake is null ? SleepSets.Contains(frame.Sleep, asleep) : !SleepSets.Contains(frame.Awake, asleep)))
                    {
                        slept++;
                        continue;
                    }
                    if (frame.Awake is not null && frame.Identity is null) continue;
                    found = true;
                    break;
                }
                if (!found)
                {
                    Remove();
                    continue;
                }
                frame.Vector = noChoices;
            }
            var index = frame.Index;
            var action = frame.Action(index);
            var vector = frame.Vector!;
            var next = scratch;
            next.CopyFrom(world);
            choices.Reset(vector);
            (current.From, current.Action, current.Choices, current.Depth) = (path, index, vector, depth + 1);
            try
            {
                next.Apply(action, choices);
            }
            catch (RunFailure failure) when (failure is { Kind: FailureKind.ModelError, Property: HandlerMemo.Nondeterministic })
            {
                // Seen by comparing two calls of one handler (HandlerMemo.cs); a replay of the path need not show it.
                throw new SpecException($"{protocol.Name}: exhaustive search stopped: {failure.Message}");
            }
            catch (RunFailure)
            {
                return Found(new PathNode(path, index, choices.UsedArray()), depth + 1);
            }
            transitions++;
            if (next.Violation is not null) return Found(new PathNode(path, index, choices.UsedArray()), depth + 1);
            frame.Vector = choices.Advance(out var nextVector) ? nextVector : null;
            // The step as the reduction sees it — a node's own step that chose no value: its node, what it sent, and
            // whether it gave the spec events (two such steps do not commute: the spec would see them in another order).
            SleepEntry? step = frame.Identity is { } known && choices.Used.Count == 0
                ? new SleepEntry(known, action.Node, next.InFlightCount - world.InFlightCount + (action.Kind == ActionKind.Deliver ? 1 : 0), next.SpecEventsThisStep > 0)
                : null;
            var childSleep = sleepSets?.After(frame.Sleep!, frame.Done!, step, world.InFlightCount, world.ArrivableInFlightCount);
            if (step is { } taken) frame.Done!.Add(taken); // a step dependent on everything puts nothing to sleep
            WriteSearchKey(next, numbering, symmetry);
            if (visited.Add(numbering.Writer, out var childId))
            {
                shallowest?.Add(childId, depth + 1);
                sleepSets?.Arrive(childId, childSleep!);
                frontier.AddLast(Keep(next, new PathNode(path, index, choices.UsedArray()), depth + 1, childId));
            }
            else if (shallowest is not null && shallowest[childId] > depth + 1)
            {
                shallowest[childId] = depth + 1;
                frontier.AddLast(Keep(next, new PathNode(path, index, choices.UsedArray()), depth + 1, childId));
            }
            else if (sleepSets?.Revisit(childId, childSleep!) is { } woke)
            {
                woken += woke.Length;
                frontier.AddLast(Keep(next, new PathNode(path, index, choices.UsedArray()), depth + 1, childId, woke, childSleep));
            }
            symmetry?.CheckTransition(world, action, vector, next, numbering, transitions, protocol.Name);

            void Remove()
            {
                if (breadthFirst) frontier.RemoveFirst();
                else frontier.RemoveLast();
                // Nothing refers to it any more; what it refers to (its path, sleep sets) is let go until it is reused.
                if (!ReferenceEquals(frame.World, start)) released.Push(frame.Reset(null, 0, 0, null, null));
            }
        }
        return Swept(memo.Noted(SearchResult(limit, null, Coverage(deepest), watch.Elapsed, networkBound, cutByNetwork, numbering.Count, order, visited.Caveat, Reduction())), visited.Incomplete);

        // What the reduction did, in the result's bounds, so a reader knows how the states were reached.
        string? Reduction()
        {
            var sleeping = reduction is null ? null : sleepSets is null ? reduction : $"{reduction}; {slept:N0} steps asleep (covered by another order), {woken:N0} woken on a revisit";
            var said = new[] { sleeping, ignoredFirst?.Describe(), symmetry?.Describe() }.OfType<string>().ToArray();
            return said.Length == 0 ? null : string.Join("; ", said);
        }

        Coverage Coverage(int depth) => new() { States = visited.Count, Transitions = transitions, Depth = depth, BytesPerState = visited.Bytes / Math.Max(1, visited.Count) };

        CheckResult Found(PathNode? last, int depth)
        {
            var path = PathNode.Decisions(last);
            var replayOptions = options with { FairAfterSteps = int.MaxValue, MaxSteps = depth + 1, Strategy = StrategyKind.Random };
            var explainer = new SystematicTester<TState, TMessage, TTimer, TDurable, TSpecEvent>(protocol, replayOptions);
            var bug = explainer.Explain(path, StrategyName(order), 0, depth, padWithZeros: true);
            return memo.Noted(SearchResult(null, bug, Coverage(Math.Max(deepest, depth)), watch.Elapsed, networkBound, cutByNetwork, numbering.Count, order, Reduction()));
        }
    }

    private static readonly List<int> NoChoices = [];

    /// <summary>
    /// A state being expanded: its world and how it was reached, and where its expansion stands — the actions enabled
    /// (none taken up until <see cref="TakeUp"/>), the one being tried and the choice vector to try next. With sleep
    /// sets, the steps asleep and those taken so far; a frame made when a state is reached again holds only the steps
    /// that woke up. A search reuses the frames it has finished with, world and action array included (<see cref="Reset"/>).
    /// </summary>
    private sealed class Frame(World<TState, TMessage, TTimer, TDurable, TSpecEvent> world)
    {
        public World<TState, TMessage, TTimer, TDurable, TSpecEvent> World { get; } = world;
        public PathNode? Path { get; private set; }
        public int Depth { get; private set; }
        public long Id { get; private set; }
        public SleepEntry[]? Awake { get; private set; }
        public SleepEntry[]? ArrivingSleep { get; private set; }
        private ScheduledAction[] actions = [];
        /// <summary>How many actions were enabled, or −1 until the frame is taken up.</summary>
        public int ActionCount { get; private set; } = -1;
        public int Index = -1;
        /// <summary>The one action to take (a delivery of a message ignored for ever: IgnoredFirst.cs), or −1: all.</summary>
        public int Only = -1;
        public List<int>? Vector;
        public long? Identity;
        public SleepEntry[]? Sleep;
        public List<SleepEntry>? Done;

        /// <summary>Makes this frame the state its world now holds, reached by <paramref name="path"/>, not yet taken up.</summary>
        public Frame Reset(PathNode? path, int depth, long id, SleepEntry[]? awake, SleepEntry[]? arrivingSleep)
        {
            (Path, Depth, Id, Awake, ArrivingSleep) = (path, depth, id, awake, arrivingSleep);
            (ActionCount, Index, Only, Vector, Identity, Sleep, Done) = (-1, -1, -1, null, null, null, null);
            return this;
        }

        /// <summary>Takes up the frame with the actions its state enables (copied: the list is the search's scratch).</summary>
        public void TakeUp(List<ScheduledAction> enabled)
        {
            if (actions.Length < enabled.Count) actions = new ScheduledAction[Math.Max(enabled.Count, 2 * actions.Length)];
            enabled.CopyTo(actions);
            ActionCount = enabled.Count;
        }

        public ScheduledAction Action(int index) => actions[index];

        /// <summary>Moves to the next action to try — each in turn, or only <see cref="Only"/> — and says whether there is one.</summary>
        public bool NextAction()
        {
            if (Only < 0) return ++Index < ActionCount;
            if (Index >= Only) return false;
            Index = Only;
            return true;
        }
    }

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
        // Not static: a static of a class nested in a generic class is looked up at each use, and this is read at every transition.
        private readonly List<int> none = [];
        private List<int>? used, branches;

        /// <summary>Starts answering from another vector (one instance serves every transition).</summary>
        public void Reset(List<int> next)
        {
            vector = next;
            used = null;
            branches = null;
        }

        public int[]? UsedArray() => used is null || used.Count == 0 ? null : used.ToArray();

        public List<int> Used => used ?? none;
        public List<int> Branches => branches ?? none;

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
            // A step that chose nothing has no other vector: the common case, answered without allocating.
            if (Used.Count == 0)
            {
                next = none;
                return false;
            }
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
