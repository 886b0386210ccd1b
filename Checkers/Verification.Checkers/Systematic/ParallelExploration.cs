using System.Diagnostics;
using Verification.Specs;

namespace Verification.Checkers.Systematic;

public sealed partial class SystematicTester<TState, TMessage, TTimer, TDurable, TSpecEvent>
{
    /// <summary>
    /// The depth-first search of <see cref="Explore(int, long, int, SearchOrder, VisitedStore, bool)"/> on
    /// <see cref="TestOptions.Parallelism"/> workers: each runs DFS from its own stack with its own node objects, scratch
    /// world and key buffers; all share one visited set and one numbering of values, so a state is expanded once
    /// whichever worker reaches it. A worker whose stack runs dry takes the older half of a busy worker's stack.
    /// A complete search covers the same states and transitions as the sequential one; a violation found stops every
    /// worker, and its path (the first any worker found, not necessarily the sequential DFS's) is replayed and
    /// explained as the sequential one's is.
    /// </summary>
    private CheckResult ExploreInParallel(int maxDepth, long maxStates, int maxInFlight, VisitedStore store, Stopwatch watch)
    {
        var search = new ParallelSearch(this, options.Parallelism, maxDepth, maxStates, maxInFlight, store, watch);
        var hung = Watchdog.Run(options.Parallelism, options.StepTimeout, search.Work);
        var method = $"exhaustive search (DFS over distinct states, {options.Parallelism} workers sharing one visited set)";
        if (hung >= 0)
        {
            // The abandoned worker may still be inside one of the old node objects.
            nodes = CreateNodes();
            var bug = ExplainHang(search.Transitions[hung].Decisions(), "dfs", 0, padWithZeros: true);
            return SearchResult(null, bug, new Coverage { Depth = search.Transitions[hung].Depth }, watch.Elapsed, null, 0, 0, SearchOrder.DepthFirst) with { Method = method };
        }
        var result = search.Result();
        return result with
        {
            Method = method,
            Notes = result.Notes + (result.Counterexample is null ? "" : "; the counterexample is the first path any worker found (another run may find another)"),
        };
    }

    /// <summary>The shared state of one parallel search, and each worker's loop.</summary>
    private sealed class ParallelSearch(SystematicTester<TState, TMessage, TTimer, TDurable, TSpecEvent> tester, int workers, int maxDepth, long maxStates, int maxInFlight, VisitedStore store, Stopwatch watch)
    {
        private sealed record Entry(World<TState, TMessage, TTimer, TDurable, TSpecEvent> World, PathNode? Path, int Depth);

        private readonly ConcurrentVisitedStates visited = new(store, workers, tester.options.BitstateBits);
        private readonly SharedValueNumbers numbers = new();
        private readonly object gate = new(); // guards the pool, the idle count and the first violation
        private readonly Stack<Entry[]> pool = new();
        private int pooled; // pool.Count, readable without the lock
        private int idle; // workers waiting for work; all of them waiting with nothing pooled means the search is over
        private volatile bool stopped;
        private SearchLimit? stopLimit; // the state or memory limit that stopped the search
        private (PathNode? Path, int Depth)? violation;
        private readonly Tally[] tallies = new Tally[workers];
        private readonly HandlerMemo?[] memos = new HandlerMemo?[workers]; // each worker's own (its numbers are the shared ones)
        private long lastProgressTicks;
        private readonly IgnoredFirst? ignoredFirst = IgnoredFirst.For(tester.protocol, tester.options, SearchOrder.DepthFirst);

        /// <summary>What one worker counted: an object each worker allocates itself, so workers do not write to one cache line.</summary>
        private sealed class Tally
        {
            public long Transitions, CutByNetwork;
            public int Deepest, Stack;
            public bool CutByDepth;
        }

        /// <summary>Each worker's current transition, read only when a handler hangs in it.</summary>
        public Transition[] Transitions { get; } = Enumerable.Range(0, workers).Select(_ => new Transition()).ToArray();

        public void Work(int worker, HandlerWatch handlerWatch)
        {
            try
            {
                Search(worker, handlerWatch);
            }
            catch
            {
                Stop(null); // an error of one worker (rethrown by the watchdog) must not leave the others waiting for work
                throw;
            }
        }

        private void Search(int worker, HandlerWatch handlerWatch)
        {
            var options = tester.options;
            var protocol = tester.protocol;
            var workerNodes = worker == 0 ? tester.nodes : tester.CreateNodes();
            var checkMutation = options.MutationChecks != MutationCheck.Off;
            var scratch = new World<TState, TMessage, TTimer, TDurable, TSpecEvent>(protocol, options.Faults, workerNodes, options.MaxMessagesInFlight) { CheckMutation = checkMutation, Watch = handlerWatch };
            var numbering = new ValueNumbering(numbers);
            if (options.ReplayHandlerResults) scratch.Memo = memos[worker] = new HandlerMemo(numbering); // each distinct handler input runs once per worker (rechecked on a sample)
            var stack = new List<Entry>();
            var tally = tallies[worker] = new Tally();
            if (worker == 0 && !Begin(scratch, numbering, stack)) return;
            var current = Transitions[worker];
            var enabled = new List<ScheduledAction>();
            var choices = new VectorChoices(NoChoices);
            var nextCheck = 0L;
            while (!stopped)
            {
                if (stack.Count == 0 && !Take(stack, handlerWatch)) return;
                if (tally.Transitions >= nextCheck)
                {
                    nextCheck = tally.Transitions + 1024;
                    tally.Stack = stack.Count;
                    if (handlerWatch.Cancellation.IsCancellationRequested) return;
                    if (!CheckLimits(options)) return;
                }
                var (world, path, depth) = stack[^1];
                stack.RemoveAt(stack.Count - 1);
                if (maxStates != long.MaxValue && visited.Count >= maxStates)
                {
                    Stop(SearchLimit.States);
                    return;
                }
                tally.Deepest = Math.Max(tally.Deepest, depth);
                enabled.Clear();
                world.Enumerate(enabled);
                if (enabled.Count == 0)
                {
                    if (world.Monitor.HotMask != 0)
                    {
                        Found(path, depth);
                        return;
                    }
                    continue;
                }
                if (world.ArrivableInFlightCount > maxInFlight)
                {
                    tally.CutByNetwork++;
                    continue;
                }
                if (depth >= maxDepth)
                {
                    tally.CutByDepth = true;
                    continue;
                }
                var actions = enabled.ToArray();
                var only = ignoredFirst?.Only(world, enabled) ?? -1; // one delivery of a message ignored for ever, or every action
                // The last action is pushed first, so the first is expanded first (as in the sequential search).
                for (var index = actions.Length - 1; index >= 0; index--)
                {
                    if (only >= 0 && index != only) continue;
                    var vector = NoChoices;
                    while (true)
                    {
                        scratch.CopyFrom(world);
                        choices.Reset(vector);
                        (current.From, current.Action, current.Choices, current.Depth) = (path, index, vector, depth + 1);
                        try
                        {
                            scratch.Apply(actions[index], choices);
                        }
                        catch (RunFailure failure) when (failure is { Kind: FailureKind.ModelError, Property: HandlerMemo.Nondeterministic })
                        {
                            // As in the sequential search: seen by comparing two calls of one handler; a replay of the path need not show it.
                            throw new SpecException($"{protocol.Name}: exhaustive search stopped: {failure.Message}");
                        }
                        catch (RunFailure)
                        {
                            Found(new PathNode(path, index, choices.UsedArray()), depth + 1);
                            return;
                        }
                        tally.Transitions++;
                        if (scratch.Violation is not null)
                        {
                            Found(new PathNode(path, index, choices.UsedArray()), depth + 1);
                            return;
                        }
                        scratch.WriteKey(numbering);
                        if (visited.Add(numbering.Writer)) stack.Add(new Entry(scratch.Clone(), new PathNode(path, index, choices.UsedArray()), depth + 1));
                        if (!choices.Advance(out vector)) break;
                    }
                }
                Share(stack);
            }
        }

        /// <summary>Worker 0 starts the system (handlers run here, under the watchdog) and holds the first state; false when the search is already over.</summary>
        private bool Begin(World<TState, TMessage, TTimer, TDurable, TSpecEvent> scratch, ValueNumbering numbering, List<Entry> stack)
        {
            var start = scratch.Clone();
            var startChoices = new VectorChoices([]);
            try
            {
                start.Start(startChoices);
            }
            catch (RunFailure)
            {
                Found(null, 0);
                return false;
            }
            if (startChoices.Branches.Count > 0) throw new ConfigurationException("exhaustive search does not branch on choices made at start-up yet; make them in a handler");
            start.WriteKey(numbering);
            visited.Add(numbering.Writer);
            if (start.Violation is not null)
            {
                Found(null, 0);
                return false;
            }
            stack.Add(new Entry(start, null, 0));
            return true;
        }

        /// <summary>When a worker waits for work and none is pooled: the older half of this stack (the states nearest the start, with the most below them) goes to the pool.</summary>
        private void Share(List<Entry> stack)
        {
            if (stack.Count < 2 || Volatile.Read(ref idle) == 0 || Volatile.Read(ref pooled) > 0) return;
            var half = stack.Count / 2;
            var chunk = stack.GetRange(0, half).ToArray();
            stack.RemoveRange(0, half);
            lock (gate)
            {
                pool.Push(chunk);
                pooled = pool.Count;
                Monitor.Pulse(gate);
            }
        }

        /// <summary>Fills an empty stack from the pool, waiting while other workers are busy; false when the search is over (every worker waiting, or stopped).</summary>
        private bool Take(List<Entry> stack, HandlerWatch handlerWatch)
        {
            lock (gate)
            {
                while (true)
                {
                    if (stopped || handlerWatch.Cancellation.IsCancellationRequested) return false;
                    if (pool.Count > 0)
                    {
                        stack.AddRange(pool.Pop());
                        pooled = pool.Count;
                        return true;
                    }
                    idle++;
                    if (idle == workers)
                    {
                        // No worker holds a state to expand and none is pooled: every reachable state was expanded.
                        stopped = true;
                        Monitor.PulseAll(gate);
                        return false;
                    }
                    // Timed, so a worker also notices cancellation by the watchdog (which does not pulse).
                    Monitor.Wait(gate, TimeSpan.FromMilliseconds(50));
                    idle--;
                }
            }
        }

        /// <summary>The memory limit and, when one is due, a progress report (one worker at a time); false when the memory limit stopped the search.</summary>
        private bool CheckLimits(TestOptions options)
        {
            var heap = GC.GetTotalMemory(forceFullCollection: false);
            if (heap > options.MaxSearchMemory)
            {
                Stop(SearchLimit.Memory);
                return false;
            }
            if (options.Progress is not { } progress) return true;
            var now = watch.Elapsed.Ticks;
            var last = Interlocked.Read(ref lastProgressTicks);
            if (now - last < options.ProgressInterval.Ticks || Interlocked.CompareExchange(ref lastProgressTicks, now, last) != last) return true;
            // Read while the workers run: the frontier and depth are a moment's approximation.
            var frontier = Started.Sum(t => (long)t.Stack) + Volatile.Read(ref pooled);
            progress(new SearchProgress(visited.Count, visited.Count / Math.Max(watch.Elapsed.TotalSeconds, 1e-9), Started.Max(t => t.Deepest), frontier, heap, watch.Elapsed));
            return true;
        }

        private void Stop(SearchLimit? limit)
        {
            lock (gate)
            {
                if (!stopped && limit is not null) stopLimit = limit;
                stopped = true;
                Monitor.PulseAll(gate);
            }
        }

        /// <summary>The first violation any worker found stops them all; later ones (found before they noticed) are dropped.</summary>
        private void Found(PathNode? path, int depth)
        {
            lock (gate)
            {
                violation ??= (path, depth);
                stopped = true;
                Monitor.PulseAll(gate);
            }
        }

        /// <summary>The result once every worker has stopped: the violation replayed and explained, or the coverage and what cut it.</summary>
        public CheckResult Result()
        {
            var networkBound = maxInFlight == int.MaxValue ? (int?)null : maxInFlight;
            var depthReached = Started.Max(t => t.Deepest);
            if (violation is { } found)
            {
                var path = PathNode.Decisions(found.Path);
                var replayOptions = tester.options with { FairAfterSteps = int.MaxValue, MaxSteps = found.Depth + 1, Strategy = StrategyKind.Random };
                var explainer = new SystematicTester<TState, TMessage, TTimer, TDurable, TSpecEvent>(tester.protocol, replayOptions);
                var bug = explainer.Explain(path, "dfs", 0, found.Depth, padWithZeros: true);
                return HandlerMemoNotes.Noted(memos, tester.SearchResult(null, bug, Coverage(Math.Max(depthReached, found.Depth)), watch.Elapsed, networkBound, Started.Sum(t => t.CutByNetwork), numbers.Count, SearchOrder.DepthFirst, ignoredFirst?.Describe()));
            }
            var limit = stopLimit ?? (Started.Any(t => t.CutByDepth) ? SearchLimit.Depth : null);
            return Swept(HandlerMemoNotes.Noted(memos, tester.SearchResult(limit, null, Coverage(depthReached), watch.Elapsed, networkBound, Started.Sum(t => t.CutByNetwork), numbers.Count, SearchOrder.DepthFirst, visited.Caveat, ignoredFirst?.Describe())), visited.Incomplete);
        }

        /// <summary>The tallies of the workers that have started (one may not have, when the search ended at once).</summary>
        private IEnumerable<Tally> Started => tallies.Where(t => t is not null).DefaultIfEmpty(new Tally());

        private Coverage Coverage(int depth) => new() { States = visited.Count, Transitions = Started.Sum(t => t.Transitions), Depth = depth, BytesPerState = visited.Bytes / Math.Max(1, visited.Count) };
    }
}
