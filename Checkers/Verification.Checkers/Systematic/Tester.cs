using System.Diagnostics;
using System.Text;
using Verification.Runtime;
using Verification.Specs;

namespace Verification.Checkers.Systematic;

public enum FailureKind
{
    /// <summary>An invariant, step property or guard of the spec failed.</summary>
    Safety,

    /// <summary>A liveness monitor stayed hot past the threshold under fair scheduling, or the run ended with it hot.</summary>
    Liveness,

    /// <summary>A node's handler threw.</summary>
    HandlerException,
}

/// <summary>A found bug: what failed, the schedule that reproduces it (minimised), and the readable history of that schedule.</summary>
public sealed record Counterexample(
    FailureKind Kind,
    string Property,
    string Details,
    Schedule Schedule,
    IReadOnlyList<string> Trace,
    int OriginalSteps,
    string? SchedulePath)
{
    public override string ToString()
    {
        var text = new StringBuilder();
        var what = Kind switch { FailureKind.Safety => "safety", FailureKind.Liveness => "liveness", _ => "handler exception" };
        text.AppendLine($"{what} violation of {Property}, found by {Schedule.Strategy} in iteration {Schedule.Iteration} (seed {Schedule.Seed})");
        text.AppendLine($"schedule: {Schedule.Steps.Count} steps{(OriginalSteps != Schedule.Steps.Count ? $" (minimised from {OriginalSteps})" : "")}");
        foreach (var line in Trace) text.AppendLine("  " + line);
        text.AppendLine(Details);
        if (SchedulePath is not null) text.Append($"replay: tester.Replay(Schedule.Load(\"{SchedulePath}\")), or for a shipped system: verify replay {SchedulePath}");
        return text.ToString().TrimEnd();
    }
}

/// <summary>Thrown by the test helpers; its message is the readable counterexample, so xunit shows it as the failure.</summary>
public sealed class SystematicTestException(string message, bool nothingFound = false) : Exception(message)
{
    /// <summary>The run found no violation at all (as opposed to a different one, or one that did not replay).</summary>
    public bool NothingFound { get; } = nothingFound;
}

/// <summary>The outcome of a systematic test.</summary>
public sealed record TestReport(string Protocol, long Iterations, long Steps, TimeSpan Elapsed, Counterexample? Bug)
{
    public double StepsPerSecond => Steps / Math.Max(Elapsed.TotalSeconds, 1e-9);

    /// <summary>For a correct system: fails the test with the minimised counterexample and a replay line.</summary>
    public void AssertNoBug()
    {
        if (Bug is not null) throw new SystematicTestException($"{Protocol}: {Bug}");
    }

    /// <summary>For a planted bug: it must be found, and it must be a violation of <paramref name="property"/>.</summary>
    public Counterexample AssertFound(string property, FailureKind? kind = null) => AssertFound([property], kind);

    /// <summary>For a planted bug that breaks one of several specific rules (whichever a run reaches first).</summary>
    public Counterexample AssertFound(IReadOnlyList<string> anyOf, FailureKind? kind = null)
    {
        var expected = string.Join(" or ", anyOf);
        if (Bug is null) throw new SystematicTestException($"{Protocol}: no violation of {expected} in {Iterations} iterations ({Steps} steps)", nothingFound: true);
        if (!anyOf.Contains(Bug.Property) || (kind is not null && Bug.Kind != kind))
            throw new SystematicTestException($"{Protocol}: expected a violation of {expected}, found another:\n{Bug}");
        return Bug;
    }

    /// <summary>
    /// Combines the reports of shards (ShardIndex 0..n−1 of one configuration): iterations and steps add up, and the
    /// bug reported is the one of the lowest iteration, as a single unsharded run would report.
    /// </summary>
    public static TestReport Merge(IReadOnlyList<TestReport> shards)
    {
        if (shards.Count == 0) throw new ConfigurationException("no shard reports to merge");
        if (shards.Select(s => s.Protocol).Distinct().Count() > 1) throw new ConfigurationException("shard reports of different protocols cannot be merged");
        var bug = shards.Where(s => s.Bug is not null).Select(s => s.Bug!).OrderBy(b => b.Schedule.Iteration).FirstOrDefault();
        return new TestReport(shards[0].Protocol, shards.Sum(s => s.Iterations), shards.Sum(s => s.Steps), shards.Max(s => s.Elapsed), bug);
    }

    public override string ToString() =>
        $"{Protocol}: {Iterations} iterations, {Steps} steps in {Elapsed.TotalSeconds:F2} s ({StepsPerSecond:F0} steps/s): " + (Bug is null ? "no bug found" : Bug.ToString());
}

/// <summary>
/// The systematic concurrency tester: runs the protocol many times under a strategy that owns every choice (message
/// order, timers, faults, nodes' random values), checks the spec's properties on every event, and turns a failing
/// run into a minimised, replayable counterexample.
/// </summary>
public sealed partial class SystematicTester<TState, TMessage, TSpecEvent> where TState : class where TMessage : notnull where TSpecEvent : class
{
    private readonly Protocol<TState, TMessage, TSpecEvent> protocol;
    private readonly TestOptions options;
    private readonly INode<TState, TMessage>[] nodes;

    public SystematicTester(Protocol<TState, TMessage, TSpecEvent> protocol, TestOptions? options = null)
    {
        this.protocol = protocol;
        this.options = options ?? new TestOptions();
        this.options.Validate(protocol.Nodes);
        nodes = Enumerable.Range(0, protocol.Nodes).Select(i => protocol.NodeFactory(new NodeId(i))).ToArray();
    }

    /// <summary>Runs this shard's iterations; stops at the first failing iteration (the lowest index, whatever the parallelism).</summary>
    public TestReport Run()
    {
        var watch = Stopwatch.StartNew();
        long bestIteration = long.MaxValue, steps = 0, iterations = 0;
        (RunResult Result, List<int> Decisions, string Strategy)? best = null;
        var gate = new object();
        var workers = options.Parallelism;
        try
        {
            RunIterations();
        }
        catch (AggregateException aggregate) when (aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions[0] is SpecException)
        {
            // A problem of the system's definition (an observed event outside the spec's alphabet, say): report it as such.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(aggregate.InnerExceptions[0]).Throw();
        }
        Counterexample? bug = null;
        if (best is { } found) bug = Explain(found.Decisions, found.Strategy, bestIteration, found.Result.Steps);
        return new TestReport(protocol.Name, iterations, steps, watch.Elapsed, bug);

        void RunIterations() => Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, worker =>
        {
            var enabled = new List<ScheduledAction>();
            for (var k = (long)worker; k < options.Iterations; k += workers)
            {
                var iteration = options.ShardIndex + k * options.ShardCount;
                if (iteration > Interlocked.Read(ref bestIteration)) break;
                var recorder = new Recorder(StrategyFactory.Create(options.Strategy, options.Seed, iteration, options.MaxSteps, options.PctDepth));
                var result = Execute(new StrategySource(recorder, options.FairAfterSteps), enabled, trace: false, recordSteps: false);
                Interlocked.Add(ref steps, result.Steps);
                Interlocked.Increment(ref iterations);
                if (result.Failure is null) continue;
                lock (gate)
                {
                    if (iteration < bestIteration)
                    {
                        bestIteration = iteration;
                        best = (result, recorder.Decisions, recorder.Name);
                    }
                }
                break;
            }
        });
    }

    /// <summary>
    /// The helper for planted-bug tests: the run must find a violation of <paramref name="property"/>, and the saved
    /// schedule must replay to the same failure with the same history, line for line.
    /// </summary>
    public Counterexample AssertFindsAndReplays(string property, FailureKind? kind = null) => AssertFindsAndReplays([property], kind);

    /// <summary>As above, for a bug that breaks one of several specific properties.</summary>
    public Counterexample AssertFindsAndReplays(IReadOnlyList<string> anyOf, FailureKind? kind = null)
    {
        var bug = Run().AssertFound(anyOf, kind);
        var schedule = bug.SchedulePath is not null ? Schedule.Load(bug.SchedulePath) : bug.Schedule;
        var replay = Replay(schedule);
        if (replay.Property != bug.Property || replay.Kind != bug.Kind || !replay.Trace.SequenceEqual(bug.Trace))
            throw new SystematicTestException($"{protocol.Name}: the counterexample did not replay to the same history:\n{bug}\n--- replayed ---\n{string.Join("\n", replay.Trace)}");
        return bug;
    }

    /// <summary>Replays a schedule exactly; the result's trace is the history it produces, step by step.</summary>
    public ReplayResult Replay(Schedule schedule)
    {
        // A schedule recorded under other settings (faults, steps, liveness) is replayed under its own.
        if (schedule.Settings is { } settings && !settings.SameAs(ReplaySettings.From(options)))
            return new SystematicTester<TState, TMessage, TSpecEvent>(protocol, settings.ApplyTo(options)).Replay(schedule);
        var probe = Execute(new ScheduleSource(schedule, lenient: false), [], trace: false, recordSteps: false);
        var result = Execute(new ScheduleSource(schedule, lenient: false), [], trace: true, recordSteps: false, watch: probe.Failure?.Property);
        return new ReplayResult(result.Failure?.Kind, result.Failure?.Property, result.Failure?.Details, result.Trace!);
    }

    /// <summary>From a failing run's decisions: its schedule, minimised, with the trace of the minimised run.</summary>
    internal Counterexample Explain(List<int> decisions, string strategy, long iteration, int originalSteps)
    {
        var recorded = Execute(new StrategySource(new DecisionReplay(decisions), options.FairAfterSteps), [], trace: false, recordSteps: true);
        var failure = recorded.Failure ?? throw new SpecException($"{protocol.Name}: replaying the failing run's decisions did not fail: the nodes are not deterministic (a clock, unseeded randomness, or shared mutable state?)");
        var schedule = new Schedule(protocol.Name, strategy, options.Seed, iteration, recorded.StartChoices, recorded.RecordedSteps!) { Settings = ReplaySettings.From(options) };
        if (options.Minimize) schedule = Minimize(schedule, failure);
        var final = Execute(new ScheduleSource(schedule, lenient: false), [], trace: true, recordSteps: false, watch: failure.Property);
        var finalFailure = final.Failure ?? throw new SpecException($"{protocol.Name}: the minimised schedule no longer fails: the nodes are not deterministic");
        string? path = null;
        try
        {
            var directory = options.ScheduleDirectory ?? Path.Combine(Path.GetTempPath(), "verification-schedules");
            Directory.CreateDirectory(directory);
            path = Path.Combine(directory, $"{Safe(protocol.Name)}-{Safe(finalFailure.Property)}-seed{options.Seed}-iteration{iteration}.schedule.json");
            schedule.Save(path);
        }
        catch (IOException)
        {
            path = null; // the counterexample is still reported in full
        }
        return new Counterexample(finalFailure.Kind, finalFailure.Property, finalFailure.Details, schedule, final.Trace!, recorded.RecordedSteps!.Count, path);
    }

    private static string Safe(string name) => string.Concat(name.Select(c => char.IsLetterOrDigit(c) ? c : '_'));

    /// <summary>
    /// Delta debugging (ddmin) over the steps: the smallest schedule found that still fails the same way. A liveness
    /// failure needs a long fair suffix to exceed its threshold, so a candidate is continued by fair random steps
    /// (seeded, and recorded into the result) until the run ends; what shrinks is the part that matters.
    /// </summary>
    private Schedule Minimize(Schedule schedule, Failure failure)
    {
        bool StillFails(IReadOnlyList<ScheduleStep> steps, out List<ScheduleStep> applied)
        {
            var continuation = failure.Kind == FailureKind.Liveness ? new Random(options.Seed) : null;
            var result = Execute(new ScheduleSource(schedule with { Steps = steps }, lenient: true, continuation), [], trace: false, recordSteps: true);
            applied = result.RecordedSteps!;
            return result.Failure is { } f && f.Kind == failure.Kind && f.Property == failure.Property;
        }

        var current = schedule.Steps.ToList();
        var granularity = 2;
        while (current.Count >= 2)
        {
            var chunk = (int)Math.Ceiling(current.Count / (double)granularity);
            var reduced = false;
            for (var start = 0; start < current.Count && !reduced; start += chunk)
            {
                var subset = current.Skip(start).Take(chunk).ToList();
                var complement = current.Take(start).Concat(current.Skip(start + chunk)).ToList();
                // Only a strictly shorter applied schedule counts (a liveness candidate's continuation can make it longer).
                if ((StillFails(subset, out var applied) && applied.Count < current.Count) || (StillFails(complement, out applied) && applied.Count < current.Count))
                {
                    current = applied;
                    granularity = Math.Max(granularity - 1, 2);
                    reduced = true;
                }
            }
            if (reduced) continue;
            if (granularity >= current.Count) break;
            granularity = Math.Min(granularity * 2, current.Count);
        }
        // Steps a lenient replay skipped are gone from `applied`; the result replays strictly.
        return schedule with { Steps = current };
    }

    internal sealed record Failure(FailureKind Kind, string Property, string Details);

    private sealed record RunResult(Failure? Failure, int Steps, List<string>? Trace, IReadOnlyList<int> StartChoices, List<ScheduleStep>? RecordedSteps);

    /// <summary>One run. The step source decides each action (or ends the run); every choice goes through it.</summary>
    /// <param name="watch">With a trace: after each step, show the current values of the variables this property reads.</param>
    private RunResult Execute(IStepSource source, List<ScheduledAction> enabled, bool trace, bool recordSteps, string? watch = null)
    {
        var world = new World<TState, TMessage, TSpecEvent>(protocol, options.Faults, nodes) { Trace = trace ? [] : null };
        var choices = new RecordingChoices(source);
        var recorded = recordSteps ? new List<ScheduleStep>() : null;
        var temperature = new int[options.CheckLiveness ? world.Monitor.LivenessProperties.Count : 0];
        var watched = trace && watch is not null ? protocol.Spec.Properties.FirstOrDefault(p => p.Name == watch || watch.StartsWith(p.Name + "[", StringComparison.Ordinal)) : null;
        string? lastValues = null;
        var step = 0;
        try
        {
            world.Start(choices);
            var startChoices = choices.Take();
            if (world.Violation is { } atStart) return Fail(new Failure(FailureKind.Safety, atStart.Instance, atStart.ToString()), startChoices);
            var quiescent = false;
            while (step < options.MaxSteps)
            {
                if (step == options.FairAfterSteps) world.FaultsEnabled = false;
                enabled.Clear();
                world.Enumerate(enabled);
                if (enabled.Count == 0)
                {
                    quiescent = true;
                    break;
                }
                if (options.SynchronousAfterFairPoint && step >= options.FairAfterSteps && enabled.Exists(a => a.Kind == ActionKind.Deliver))
                    enabled.RemoveAll(a => a.Kind == ActionKind.Fire);
                var index = source.Next(world, enabled, step);
                if (index < 0) break;
                var action = enabled[index];
                var description = recordSteps || trace ? world.Describe(action) : null;
                var traceStart = world.Trace?.Count ?? 0;
                world.Apply(action, choices);
                if (world.Trace is not null)
                {
                    world.Trace[traceStart] = $"{step + 1,4}. {world.Trace[traceStart]}";
                    if (watched is not null && world.Violation is null && string.Join(", ", world.Monitor.ValuesReadBy(watched)) is var values && values != lastValues)
                    {
                        world.Trace.Add($"          {values}");
                        lastValues = values;
                    }
                }
                if (recorded is not null) recorded.Add(new ScheduleStep(description!, choices.Take()));
                else choices.Forget();
                step++;
                if (world.Violation is { } violation)
                    return Fail(new Failure(FailureKind.Safety, violation.Instance, violation.ToString()), startChoices);
                if (temperature.Length > 0 && Liveness(world, temperature, step) is { } hot)
                    return Fail(hot, startChoices);
            }
            if (protocol.HistoryCheck is { } historyCheck && historyCheck.Violation(world.Observed) is { } why)
                return Fail(new Failure(FailureKind.Safety, historyCheck.Property, $"{historyCheck.Property} fails on the run's history:\n{why}"), startChoices);
            if (quiescent && temperature.Length > 0 && world.Monitor.HotMask is var mask and not 0)
            {
                var property = world.Monitor.LivenessProperties[System.Numerics.BitOperations.TrailingZeroCount(mask)];
                return Fail(new Failure(FailureKind.Liveness, property.Name,
                    $"liveness property {property.Name} is hot when the run ends (no action is enabled):\n{world.Monitor.DescribeHot(property)}\nsystem state:\n{world.Describe()}"), startChoices);
            }
            return new RunResult(null, step, world.Trace, startChoices, recorded);
        }
        catch (Exception ex) when (ex is not SpecException)
        {
            return Fail(new Failure(FailureKind.HandlerException, ex.GetType().Name, $"a node's handler threw {ex.GetType().Name}: {ex.Message}"), []);
        }

        RunResult Fail(Failure failure, IReadOnlyList<int> startChoices) => new(failure, step, world.Trace, startChoices, recorded);
    }

    private Failure? Liveness(World<TState, TMessage, TSpecEvent> world, int[] temperature, int step)
    {
        var mask = world.Monitor.HotMask;
        for (var bit = 0; bit < temperature.Length; bit++)
        {
            var hot = ((mask >> bit) & 1) == 1;
            temperature[bit] = hot && step > options.FairAfterSteps ? temperature[bit] + 1 : 0;
            if (temperature[bit] > options.LivenessThreshold)
            {
                var property = world.Monitor.LivenessProperties[bit];
                return new Failure(FailureKind.Liveness, property.Name,
                    $"liveness property {property.Name} stayed hot for {temperature[bit]} steps of fair scheduling (threshold {options.LivenessThreshold}):\n{world.Monitor.DescribeHot(property)}\nsystem state:\n{world.Describe()}");
            }
        }
        return null;
    }

    private interface IStepSource : IChoiceSource
    {
        /// <summary>Index of the next action among <paramref name="enabled"/>, or −1 to end the run.</summary>
        int Next(World<TState, TMessage, TSpecEvent> world, List<ScheduledAction> enabled, int step);
    }

    /// <summary>The strategy decides the unfair prefix; after it, every pick is uniformly random (fair), still recorded through the strategy.</summary>
    private sealed class StrategySource(IStrategy strategy, int fairAfterSteps) : IStepSource
    {
        private World<TState, TMessage, TSpecEvent>? current;
        private Func<ScheduledAction, long>? actorOf;

        public int Next(World<TState, TMessage, TSpecEvent> world, List<ScheduledAction> enabled, int step)
        {
            if (strategy is DecisionReplay { Exhausted: true }) return -1;
            if (step >= fairAfterSteps) return strategy.Choose(enabled.Count);
            if (!ReferenceEquals(current, world))
            {
                current = world;
                actorOf = world.ActorOf;
            }
            return strategy.Pick(enabled, actorOf!, step);
        }

        public int Choose(int count) => strategy.Choose(count);
    }

    /// <summary>Follows a schedule by action descriptions. Lenient (for minimisation): a step whose action is not enabled is skipped.</summary>
    private sealed class ScheduleSource(Schedule schedule, bool lenient, Random? continuation = null) : IStepSource
    {
        private int position = -1;
        private int choice;
        private bool starting = true;
        private bool continuing;

        public int Next(World<TState, TMessage, TSpecEvent> world, List<ScheduledAction> enabled, int step)
        {
            starting = false;
            if (continuing) return continuation!.Next(enabled.Count);
            while (++position < schedule.Steps.Count)
            {
                choice = 0;
                var wanted = schedule.Steps[position].Action;
                for (var i = 0; i < enabled.Count; i++)
                    if (world.Describe(enabled[i]) == wanted) return i;
                if (!lenient)
                    throw new SpecException($"schedule step {position + 1} ('{wanted}') is not enabled; enabled: {string.Join("; ", enabled.Select(world.Describe))}");
            }
            if (continuation is null) return -1;
            continuing = true;
            return continuation.Next(enabled.Count);
        }

        public int Choose(int count)
        {
            if (continuing) return continuation!.Next(count);
            var list = starting ? schedule.StartChoices : schedule.Steps[position].Choices;
            if (choice < list.Count && list[choice] < count) return list[choice++];
            if (!lenient) throw new SpecException($"schedule step {position + 1}: a node asked for a choice the schedule does not have");
            choice++;
            return 0;
        }
    }

    /// <summary>Passes choices through and remembers those made since the last <see cref="Take"/>.</summary>
    private sealed class RecordingChoices(IChoiceSource inner) : IChoiceSource
    {
        private List<int> made = [];

        public int Choose(int count)
        {
            var value = inner.Choose(count);
            made.Add(value);
            return value;
        }

        public void Forget() => made.Clear();

        public List<int> Take()
        {
            var taken = made;
            made = [];
            return taken;
        }
    }
}

/// <summary>What a replayed schedule did: its failure, if any, and its history as text, step by step.</summary>
public sealed record ReplayResult(FailureKind? Kind, string? Property, string? Details, IReadOnlyList<string> Trace);
