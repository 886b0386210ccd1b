using System.Diagnostics;
using Verification.Runtime;
using Verification.Specs;

namespace Verification.Checkers.Systematic;

/// <summary>
/// The systematic concurrency tester: runs the protocol many times under a strategy that owns every choice (message
/// order, timers, faults, nodes' random values), checks the spec's properties on every event, and turns a failing
/// run into a minimised, replayable counterexample. Handlers are watched: one that throws, loops, or breaks the node
/// contract (changes what it was given in place) is reported as a counterexample of its own kind.
/// </summary>
public sealed partial class SystematicTester<TState, TMessage, TTimer, TDurable, TSpecEvent> where TState : class where TMessage : notnull where TTimer : notnull where TDurable : class where TSpecEvent : class
{
    private readonly Protocol<TState, TMessage, TTimer, TDurable, TSpecEvent> protocol;
    private readonly TestOptions options;
    /// <summary>The node objects of sequential work (replay, explanation, exhaustive search); replaced after a hang, whose thread may still be in one of them.</summary>
    private INode<TState, TMessage, TTimer, TDurable>[] nodes;

    /// <summary>A tester of <paramref name="protocol"/> under <paramref name="options"/> (the defaults when null); invalid options throw <see cref="ConfigurationException"/>.</summary>
    public SystematicTester(Protocol<TState, TMessage, TTimer, TDurable, TSpecEvent> protocol, TestOptions? options = null)
    {
        this.protocol = protocol;
        this.options = options ?? new TestOptions();
        this.options.Validate(protocol.Nodes);
        nodes = CreateNodes();
        RequireDetectorHandlers(nodes, this.options.Faults.Detector);
    }

    /// <summary>With a failure-detector oracle, every subscribed node must handle its reports: a node that would ignore them is a configuration error, not a silent no-op.</summary>
    private static void RequireDetectorHandlers(INode<TState, TMessage, TTimer, TDurable>[] nodes, FailureDetector? detector)
    {
        if (detector is null) return;
        var handler = typeof(INode<TState, TMessage, TTimer, TDurable>).GetMethod(nameof(INode<TState, TMessage, TTimer, TDurable>.OnDetector))!;
        for (var i = 0; i < nodes.Length; i++)
        {
            if (detector.Subscribers is { } subscribers && !subscribers.Contains(i)) continue;
            var map = nodes[i].GetType().GetInterfaceMap(typeof(INode<TState, TMessage, TTimer, TDurable>));
            var target = map.TargetMethods[Array.IndexOf(map.InterfaceMethods, handler)];
            if (target.DeclaringType == typeof(INode<TState, TMessage, TTimer, TDurable>))
                throw new ConfigurationException($"the fault model has failure detector {detector.Name}, but {new NodeId(i)} ({nodes[i].GetType().Name}) does not implement OnDetector: implement it, or leave the node out of the detector's Subscribers");
        }
    }

    /// <summary>Single runs (replays, explanations, minimisation) check the node contract at every step unless the checks are off.</summary>
    private bool ChecksContract => options.MutationChecks != MutationCheck.Off;

    /// <summary>A fresh set of node objects (each parallel worker has its own, so a node object's fields are never shared between threads).</summary>
    private INode<TState, TMessage, TTimer, TDurable>[] CreateNodes() => Enumerable.Range(0, protocol.Nodes).Select(i => protocol.NodeFactory(new NodeId(i))).ToArray();

    /// <summary>
    /// Runs this shard's iterations; stops at the first failing iteration (the lowest index, whatever the parallelism).
    /// Holds within the runs' bounds (their number and length, the fault model) when no run fails.
    /// </summary>
    public CheckResult Run()
    {
        var watch = Stopwatch.StartNew();
        long bestIteration = long.MaxValue, steps = 0, iterations = 0;
        (Failure Failure, List<int> Decisions, string Strategy, int Steps, INode<TState, TMessage, TTimer, TDurable>[] Nodes)? best = null;
        var gate = new object();
        var workers = options.Parallelism;
        var running = new (long Iteration, Recorder? Recorder, INode<TState, TMessage, TTimer, TDurable>[]? Nodes)[workers];
        var hung = Watchdog.Run(workers, options.StepTimeout, (worker, handlerWatch) =>
        {
            var workerNodes = worker == 0 ? nodes : CreateNodes();
            var enabled = new List<ScheduledAction>();
            for (var k = (long)worker; k < options.Iterations; k += workers)
            {
                if (handlerWatch.Cancellation.IsCancellationRequested) break;
                var iteration = options.ShardIndex + k * options.ShardCount;
                if (iteration > Interlocked.Read(ref bestIteration)) break;
                var recorder = new Recorder(StrategyFactory.Create(options.Strategy, options.Seed, iteration, options.MaxSteps, options.PctDepth));
                running[worker] = (iteration, recorder, workerNodes);
                var mode = new Mode(CheckMutation: options.MutationChecks == MutationCheck.EveryStep || (options.MutationChecks == MutationCheck.Sampled && iteration % 8 == 0));
                var result = Execute(workerNodes, new StrategySource(recorder, options.FairAfterSteps), enabled, mode, handlerWatch);
                Interlocked.Add(ref steps, result.Steps);
                Interlocked.Increment(ref iterations);
                if (result.Failure is null) continue;
                lock (gate)
                {
                    if (iteration < bestIteration)
                    {
                        bestIteration = iteration;
                        best = (result.Failure, recorder.Decisions, recorder.Name, result.Steps, workerNodes);
                    }
                }
                break;
            }
        });
        RunCounterexample? bug;
        if (hung >= 0)
        {
            nodes = CreateNodes(); // the abandoned thread may still be inside one of the old ones
            var (iteration, recorder, _) = running[hung];
            bug = ExplainHang(recorder!.Decisions, recorder.Name, iteration, padWithZeros: false);
        }
        else bug = best is { } found ? Explain(found.Decisions, found.Strategy, bestIteration, found.Steps) : null;
        var coverage = new Coverage { Runs = Interlocked.Read(ref iterations), Steps = Interlocked.Read(ref steps) };
        return new CheckResult
        {
            Subject = protocol.Name,
            Method = $"{options.Strategy.ToString().ToLowerInvariant()} runs",
            Verdict = bug is null ? Verdict.Holds : Verdict.Violated,
            Coverage = coverage,
            Within = RunBounds(),
            Counterexample = bug,
            Elapsed = watch.Elapsed,
            Notes = $"{coverage.Steps / Math.Max(watch.Elapsed.TotalSeconds, 1e-9):F0} steps/s",
        };
    }

    /// <summary>What a verdict of random runs holds within: their length, the fault model, how liveness was judged.</summary>
    private IReadOnlyList<string> RunBounds()
    {
        var bounds = new List<string> { $"runs of ≤ {options.MaxSteps} steps", options.Faults.Describe() };
        if (options.CheckLiveness && protocol.Spec.Properties.Any(p => p.Kind == PropertyKind.Liveness))
            bounds.Add($"liveness: hot for ≤ {options.LivenessThreshold} fair steps after step {options.FairAfterSteps}{(options.SynchronousAfterFairPoint ? ", messages beating timeouts after it" : "")}");
        else bounds.Add("safety only");
        return bounds;
    }

    /// <summary>
    /// The helper for planted-bug tests: the run must find a violation of <paramref name="property"/>, and the saved
    /// schedule must replay to the same failure with the same history, line for line.
    /// </summary>
    public RunCounterexample AssertFindsAndReplays(string property, FailureKind? kind = null) => AssertFindsAndReplays([property], kind);

    /// <summary>As above, for a bug that breaks one of several specific properties.</summary>
    public RunCounterexample AssertFindsAndReplays(IReadOnlyList<string> anyOf, FailureKind? kind = null)
    {
        var result = Run();
        var bug = result.AssertFound(anyOf, kind);
        var schedule = bug.SchedulePath is not null ? Schedule.Load(bug.SchedulePath) : bug.Schedule;
        var replay = Replay(schedule);
        if (replay.Divergence is not null)
            throw new CheckFailedException($"{protocol.Name}: the counterexample did not replay:\n{bug}\n--- replay ---\n{replay.Divergence}", result);
        if (replay.Property != bug.Property || replay.Kind != bug.Kind || !replay.Trace.SequenceEqual(bug.Trace))
            throw new CheckFailedException($"{protocol.Name}: the counterexample did not replay to the same history:\n{bug}\n--- replayed ---\n{string.Join("\n", replay.Trace)}", result);
        return bug;
    }

    /// <summary>
    /// Replays a schedule exactly; the result's trace is the history it produces, step by step. A schedule recorded
    /// on another system or configuration is refused; a step that behaves differently than when it was recorded (its
    /// fingerprint differs) ends the replay with <see cref="ReplayResult.Divergence"/> saying where and why.
    /// </summary>
    public ReplayResult Replay(Schedule schedule)
    {
        schedule.Validate("schedule");
        CheckRecordedOnThisSystem(schedule);
        // A schedule recorded under other settings (faults, steps, liveness) is replayed under its own.
        if (schedule.Settings is { } settings && !settings.SameAs(ReplaySettings.From(options)))
            return new SystematicTester<TState, TMessage, TTimer, TDurable, TSpecEvent>(protocol, settings.ApplyTo(options)).Replay(schedule with { Settings = null });
        var probeLog = new ExecutionLog(trace: true, recordSteps: true);
        var run = Guarded(handlerWatch =>
        {
            var probe = Execute(nodes, new ScheduleSource(schedule, lenient: false), [], new Mode(CheckMutation: ChecksContract, CompareFingerprints: true), handlerWatch, probeLog);
            if (probe.Divergence is not null) return probe;
            // Again, now showing after each step the values the failing property reads.
            return Execute(nodes, new ScheduleSource(schedule, lenient: false), [], new Mode(CheckMutation: ChecksContract, Watch: probe.Failure?.Property, CompareFingerprints: true), handlerWatch, new ExecutionLog(trace: true, recordSteps: false));
        }, out var hang, probeLog);
        if (hang is not null)
        {
            nodes = CreateNodes();
            return new ReplayResult(FailureKind.HandlerTimeout, hang.Property, hang.Details, [.. probeLog.Trace!], null);
        }
        var runLog = run!.Log;
        if (run.Divergence is not null) return new ReplayResult(null, null, null, runLog.Trace ?? [], run.Divergence);
        if (run.Failure is not null && run.Steps < schedule.Steps.Count)
            throw new SpecException($"the schedule's run fails ({run.Failure.Property}) at step {run.Steps}, but the file has {schedule.Steps.Count} steps: steps after a failure were added by hand");
        return new ReplayResult(run.Failure?.Kind, run.Failure?.Property, run.Failure?.Details, runLog.Trace!, null);
    }

    /// <summary>Refuses a schedule recorded on another system, or on the same system in another configuration.</summary>
    private void CheckRecordedOnThisSystem(Schedule schedule)
    {
        if (schedule.System is { } recorded && protocol.Identity is { } current)
        {
            if (!recorded.Matches(current))
                throw new ConfigurationException($"the schedule was recorded on {recorded}, but this tester runs {current}: replay it on the system it was recorded on");
        }
        else if (schedule.Protocol != protocol.Name)
            throw new ConfigurationException($"the schedule was recorded on '{schedule.Protocol}', but this tester runs '{protocol.Name}'");
    }

    /// <summary>From a failing run's decisions: its schedule, minimised, with the trace of the minimised run.</summary>
    internal RunCounterexample Explain(List<int> decisions, string strategy, long iteration, int originalSteps, bool padWithZeros = false)
    {
        var result = Guarded(handlerWatch => ExplainOnThisThread(decisions, strategy, iteration, originalSteps, padWithZeros, handlerWatch), out var hang);
        if (hang is null) return result!;
        nodes = CreateNodes();
        return ExplainHang(decisions, strategy, iteration, padWithZeros);
    }

    private RunCounterexample ExplainOnThisThread(List<int> decisions, string strategy, long iteration, int originalSteps, bool padWithZeros, HandlerWatch handlerWatch)
    {
        var everyStep = new Mode(CheckMutation: ChecksContract);
        var log = new ExecutionLog(trace: false, recordSteps: true);
        var recorded = Execute(nodes, new StrategySource(new DecisionReplay(decisions, padWithZeros), options.FairAfterSteps), [], everyStep with { Fingerprints = true }, handlerWatch, log);
        var failure = recorded.Failure ?? throw new SpecException(NotReproduced(decisions, padWithZeros, iteration, handlerWatch));
        var schedule = new Schedule(protocol.Name, strategy, options.Seed, iteration, log.StartChoices, log.Steps!)
        {
            Settings = ReplaySettings.From(options),
            System = protocol.Identity,
            Assembly = protocol.Identity is null ? null : protocol.DefinedIn?.Location,
            StartFingerprint = log.StartFingerprint,
        };
        if (options.Minimize) schedule = Minimize(schedule, failure, handlerWatch);
        var finalLog = new ExecutionLog(trace: true, recordSteps: false);
        var final = Execute(nodes, new ScheduleSource(schedule, lenient: false), [], everyStep with { Watch = failure.Property, CompareFingerprints = true }, handlerWatch, finalLog);
        if (final.Divergence is not null) throw new SpecException($"{protocol.Name}: the counterexample does not replay the same way twice in one process:\n{final.Divergence}");
        var finalFailure = final.Failure ?? throw new SpecException($"{protocol.Name}: the minimised schedule no longer fails: the nodes are not deterministic. {LikelyCauses}");
        return new RunCounterexample(Kind: finalFailure.Kind, Property: finalFailure.Property, Details: finalFailure.Details, Schedule: schedule,
            Trace: finalLog.Trace!, OriginalSteps: originalSteps, SchedulePath: Save(schedule, finalFailure.Property));
    }

    /// <summary>Why a failing run's decisions did not fail again: where two replays of them part ways, when they do.</summary>
    private string NotReproduced(List<int> decisions, bool padWithZeros, long iteration, HandlerWatch handlerWatch)
    {
        var text = $"{protocol.Name}: iteration {iteration} failed, but replaying its decisions did not fail again: the nodes are not deterministic.";
        var first = new ExecutionLog(trace: false, recordSteps: true);
        var second = new ExecutionLog(trace: false, recordSteps: true);
        var mode = new Mode(CheckMutation: ChecksContract, Fingerprints: true);
        try
        {
            Execute(nodes, new StrategySource(new DecisionReplay(decisions, padWithZeros), options.FairAfterSteps), [], mode, handlerWatch, first);
            Execute(nodes, new StrategySource(new DecisionReplay(decisions, padWithZeros), options.FairAfterSteps), [], mode, handlerWatch, second);
        }
        catch (ChoiceSourceException ex)
        {
            return $"{text} ({ex.Message}) {LikelyCauses}";
        }
        if (first.StartFingerprint != second.StartFingerprint) return $"{text} Two replays already differ at start-up. {LikelyCauses}";
        for (var i = 0; i < Math.Min(first.Steps!.Count, second.Steps!.Count); i++)
            if (first.Steps[i] != second.Steps[i] && first.Steps[i].Fingerprint != second.Steps[i].Fingerprint)
                return $"{text} Two replays of the same decisions first differ at step {i + 1} ({first.Steps[i].Action}). {LikelyCauses}";
        return $"{text} {LikelyCauses}";
    }

    private const string LikelyCauses = Determinism.LikelyCauses;

    /// <summary>A hung handler: the schedule up to and including the step that hangs (it is replayed once more, on a watched thread, to record it).</summary>
    private RunCounterexample ExplainHang(List<int> decisions, string strategy, long iteration, bool padWithZeros)
    {
        var log = new ExecutionLog(trace: true, recordSteps: true);
        Guarded(handlerWatch =>
        {
            Execute(CreateNodes(), new StrategySource(new DecisionReplay(decisions, padWithZeros), options.FairAfterSteps), [], new Mode(CheckMutation: false, Fingerprints: true), handlerWatch, log);
            return 0;
        }, out var hang, log);
        var schedule = new Schedule(protocol.Name, strategy, options.Seed, iteration, log.StartChoices, [.. log.Steps!])
        {
            Settings = ReplaySettings.From(options),
            System = protocol.Identity,
            Assembly = protocol.Identity is null ? null : protocol.DefinedIn?.Location,
            StartFingerprint = log.StartFingerprint,
        };
        var property = hang?.Property ?? "HandlerTimeout";
        var details = hang?.Details ?? $"a handler ran longer than {options.StepTimeout.TotalSeconds:F1} s in iteration {iteration}, but not when its decisions were replayed: the nodes are not deterministic. {LikelyCauses}";
        return new RunCounterexample(Kind: FailureKind.HandlerTimeout, Property: property, Details: details + "\n  (not minimised: every attempt would wait for the step budget)",
            Schedule: schedule, Trace: [.. log.Trace!], OriginalSteps: schedule.Steps.Count, SchedulePath: Save(schedule, property));
    }

    private string? Save(Schedule schedule, string property)
    {
        try
        {
            return schedule.SaveIn(options.ScheduleDirectoryOrDefault, property);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // the counterexample is still reported in full
        }
    }

    /// <summary>A handler that did not return within the step budget: which one, and where the run had got to.</summary>
    private sealed record Hang(string Property, string Details, ExecutionLog Log);

    /// <summary>
    /// Runs <paramref name="body"/> on a watched thread. When a handler hangs, the result is default and
    /// <paramref name="hang"/> says which node and handler, with what <paramref name="log"/> (if given) had recorded.
    /// </summary>
    private T? Guarded<T>(Func<HandlerWatch, T> body, out Hang? hang, ExecutionLog? log = null)
    {
        if (Watchdog.TryRun(options.StepTimeout, body, out var result, out var handlerWatch))
        {
            hang = null;
            return result;
        }
        var node = new NodeId(handlerWatch.CurrentNode);
        var at = log?.Steps is { Count: > 0 } steps ? $"step {steps.Count} ({steps[^1].Action})" : "start-up";
        hang = new Hang($"{handlerWatch.CurrentHandler}Timeout",
            $"{node}'s {handlerWatch.CurrentHandler} did not return within {options.StepTimeout.TotalSeconds:F1} s (TestOptions.StepTimeout), at {at}: an endless loop or a blocking call in the node. "
            + "The thread running it cannot be stopped and is abandoned (it ends with the process).",
            log ?? new ExecutionLog(trace: false, recordSteps: false));
        return default;
    }

    /// <summary>
    /// Delta debugging (ddmin) over the steps: the smallest schedule found that still fails the same way. A liveness
    /// failure needs a long fair suffix to exceed its threshold, so a candidate is continued by fair random steps
    /// (seeded, and recorded into the result) until the run ends; what shrinks is the part that matters.
    /// </summary>
    private Schedule Minimize(Schedule schedule, Failure failure, HandlerWatch handlerWatch)
    {
        bool StillFails(IReadOnlyList<ScheduleStep> steps, out List<ScheduleStep> applied)
        {
            var continuation = failure.Kind == FailureKind.Liveness ? new Random(options.Seed) : null;
            var log = new ExecutionLog(trace: false, recordSteps: true);
            var result = Execute(nodes, new ScheduleSource(schedule with { Steps = steps }, lenient: true, continuation), [], new Mode(CheckMutation: ChecksContract, Fingerprints: true), handlerWatch, log);
            applied = log.Steps!;
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
                var subset = Keeping(current, i => i >= start && i < start + chunk);
                var complement = Keeping(current, i => i < start || i >= start + chunk);
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

    /// <summary>
    /// The steps at the positions <paramref name="keep"/> accepts, with each step's message origin renumbered to the
    /// kept steps; a message sent by a removed step can no longer be delivered (step −1 matches no message).
    /// </summary>
    private static List<ScheduleStep> Keeping(List<ScheduleStep> steps, Func<int, bool> keep)
    {
        var renumbered = new int[steps.Count + 1]; // old step number → new one, −1 when removed; start-up stays 0
        var kept = new List<ScheduleStep>();
        for (var i = 0; i < steps.Count; i++)
        {
            if (!keep(i))
            {
                renumbered[i + 1] = -1;
                continue;
            }
            var step = steps[i];
            kept.Add(step.Origin is { } origin ? step with { Origin = origin with { Step = renumbered[origin.Step] } } : step);
            renumbered[i + 1] = kept.Count;
        }
        return kept;
    }

    internal sealed record Failure(FailureKind Kind, string Property, string Details);

    /// <summary>What one execution checks and records besides running: see each member.</summary>
    /// <param name="CheckMutation">Check the node contract around every handler call (<see cref="World{TState, TMessage, TTimer, TDurable, TSpecEvent}.CheckMutation"/>).</param>
    /// <param name="Watch">With a trace: after each step, show the current values of the variables this property reads.</param>
    /// <param name="Fingerprints">Record each step's fingerprint (needs a log that records steps).</param>
    /// <param name="CompareFingerprints">With a strict schedule source: compare each step's fingerprint with the recorded one.</param>
    private readonly record struct Mode(bool CheckMutation, string? Watch = null, bool Fingerprints = false, bool CompareFingerprints = false);

    /// <summary>What an execution wrote down as it went (read after it ends, or by the caller when a handler hung in it).</summary>
    private sealed class ExecutionLog(bool trace, bool recordSteps)
    {
        public List<string>? Trace { get; } = trace ? [] : null;
        public List<ScheduleStep>? Steps { get; } = recordSteps ? [] : null;
        public IReadOnlyList<int> StartChoices { get; set; } = [];
        public string? StartFingerprint { get; set; }
    }

    private sealed record RunResult(Failure? Failure, int Steps, ExecutionLog Log, string? Divergence = null);

    /// <summary>One run. The step source decides each action (or ends the run); every choice goes through it.</summary>
    private RunResult Execute(INode<TState, TMessage, TTimer, TDurable>[] runNodes, IStepSource source, List<ScheduledAction> enabled, Mode mode, HandlerWatch handlerWatch, ExecutionLog? log = null)
    {
        log ??= new ExecutionLog(trace: false, recordSteps: false);
        var fingerprints = mode.Fingerprints || mode.CompareFingerprints;
        var world = new World<TState, TMessage, TTimer, TDurable, TSpecEvent>(protocol, options.Faults, runNodes, options.MaxMessagesInFlight)
        {
            Trace = log.Trace, CheckMutation = mode.CheckMutation, Watch = handlerWatch, Fingerprinting = fingerprints,
        };
        var choices = new RecordingChoices(source);
        var recorded = log.Steps;
        var temperature = new int[options.CheckLiveness ? world.Monitor.LivenessProperties.Count : 0];
        var watched = log.Trace is not null && mode.Watch is { } watch ? protocol.Spec.Properties.FirstOrDefault(p => p.Name == watch || watch.StartsWith(p.Name + "[", StringComparison.Ordinal)) : null;
        var expected = mode.CompareFingerprints ? source as ScheduleSource : null;
        var origins = recorded is not null ? new MessageOrigins() : null; // which step sent each message, for the recorded steps' Origin
        string? lastValues = null;
        var step = 0;
        var applying = false;
        try
        {
            world.Start(choices);
            log.StartChoices = choices.Take();
            origins?.SentBy(0, world.SentCount);
            if (fingerprints) log.StartFingerprint = world.StepFingerprint.ToString("x16");
            if (expected?.Schedule.StartFingerprint is { } recordedStart && recordedStart != log.StartFingerprint)
                return Diverged("start-up", Enumerable.Range(0, protocol.Nodes).Select(world.DescribeNode));
            if (world.Violation is { } atStart) return Fail(Safety(atStart, world));
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
                var traceStart = world.Trace?.Count ?? 0;
                // The step is written down before it runs, so a handler that throws or hangs in it still has it in the schedule.
                var description = recorded is not null || expected is not null ? world.Describe(action) : null;
                ScheduleStep? entry = null;
                if (recorded is not null)
                {
                    entry = new ScheduleStep(description!, []) { Origin = action.Kind is ActionKind.Deliver or ActionKind.Drop or ActionKind.Duplicate ? origins!.Of(world.EnvelopeId(action)) : null };
                    recorded.Add(entry);
                }
                applying = true;
                try
                {
                    world.Apply(action, choices);
                }
                finally
                {
                    if (recorded is not null)
                        recorded[^1] = entry! with { Choices = choices.Take(), Fingerprint = fingerprints ? world.StepFingerprint.ToString("x16") : null };
                    else choices.Forget();
                    if (world.Trace is not null && world.Trace.Count > traceStart) world.Trace[traceStart] = $"{step + 1,4}. {world.Trace[traceStart]}";
                }
                applying = false;
                origins?.SentBy(recorded!.Count, world.SentCount);
                if (world.Trace is not null)
                {
                    if (watched is not null && world.Violation is null && string.Join(", ", world.Monitor.ValuesReadBy(watched)) is var values && values != lastValues)
                    {
                        world.Trace.Add($"          {values}");
                        lastValues = values;
                    }
                }
                step++;
                if (expected?.ExpectedFingerprint is { } recordedStep && recordedStep != world.StepFingerprint.ToString("x16"))
                    return Diverged($"step {step} ({description})", [world.DescribeNode(action.Node)]);
                if (world.Violation is { } violation) return Fail(Safety(violation, world));
                if (temperature.Length > 0 && Liveness(world, temperature, step) is { } hot) return Fail(hot);
            }
            if (protocol.HistoryCheck is { } historyCheck && historyCheck.Violation(world.Observed) is { } why)
                return Fail(new Failure(FailureKind.Safety, historyCheck.Property, $"{historyCheck.Property} fails on the run's history:\n{why}\nsystem state when the run ended:\n{world.Describe()}"));
            if (quiescent && temperature.Length > 0 && world.Monitor.HotMask is var mask and not 0)
            {
                var hotNow = world.Monitor.HotProperties;
                var property = hotNow[0];
                return Fail(new Failure(FailureKind.Liveness, property.Name,
                    $"liveness property {property.Name} is hot when the run ends (no action is enabled){(hotNow.Count > 1 ? $"; also hot: {string.Join(", ", hotNow.Skip(1).Select(p => p.Name))}" : "")}:\n"
                    + $"{DescribeHot(world, property)}\nsystem state:\n{world.Describe()}"));
            }
            return new RunResult(null, step, log);
        }
        catch (RunFailure failure)
        {
            if (applying) step++; // the failing step counts as taken
            return Fail(new Failure(failure.Kind, failure.Property, failure.Message + $"\nsystem state:\n{world.Describe()}"));
        }

        RunResult Fail(Failure failure) => new(failure, step, log);

        RunResult Diverged(string where, IEnumerable<string> nodeStates) => new(null, step, log,
            $"the replay diverged at {where}: the node did something else than when the schedule was recorded (its effects, observed events or new state differ).\n"
            + $"now:\n  {string.Join("\n  ", nodeStates)}\n{LikelyCauses}");
    }

    /// <summary>A safety violation, with the system state when it happened (as liveness reports have).</summary>
    private static Failure Safety(Violation violation, World<TState, TMessage, TTimer, TDurable, TSpecEvent> world) =>
        new(FailureKind.Safety, violation.Instance, $"{violation}\nsystem state:\n{world.Describe()}");

    /// <summary>A liveness property that is hot: its values, said as such (not as a failing event).</summary>
    private static string DescribeHot(World<TState, TMessage, TTimer, TDurable, TSpecEvent> world, Property property)
    {
        var values = world.Monitor.ValuesReadBy(property);
        return $"  {property.Name} is still owed after {world.Monitor.Length} events; the values it reads:\n" + string.Join("\n", values.Select(v => $"    {v}"));
    }

    private Failure? Liveness(World<TState, TMessage, TTimer, TDurable, TSpecEvent> world, int[] temperature, int step)
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
                    $"liveness property {property.Name} stayed hot for {temperature[bit]} steps of fair scheduling (threshold {options.LivenessThreshold}):\n{DescribeHot(world, property)}\nsystem state:\n{world.Describe()}");
            }
        }
        return null;
    }

    private interface IStepSource : IChoiceSource
    {
        /// <summary>Index of the next action among <paramref name="enabled"/>, or −1 to end the run.</summary>
        int Next(World<TState, TMessage, TTimer, TDurable, TSpecEvent> world, List<ScheduledAction> enabled, int step);
    }

    /// <summary>The strategy decides the unfair prefix; after it, every pick is uniformly random (fair), still recorded through the strategy.</summary>
    private sealed class StrategySource(IStrategy strategy, int fairAfterSteps) : IStepSource
    {
        private World<TState, TMessage, TTimer, TDurable, TSpecEvent>? current;
        private Func<ScheduledAction, long>? actorOf;

        public int Next(World<TState, TMessage, TTimer, TDurable, TSpecEvent> world, List<ScheduledAction> enabled, int step)
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
        private readonly MessageOrigins origins = new(); // by schedule position: the messages each applied step sent
        private int lastApplied; // the position (from 1) of the step applied last; 0 before any: start-up's sends
        private int position = -1;
        private int choice;
        private bool starting = true;
        private bool continuing;

        public Schedule Schedule => schedule;

        /// <summary>The recorded fingerprint of the step being run (strict replays only).</summary>
        public string? ExpectedFingerprint => lenient || continuing || position < 0 || position >= schedule.Steps.Count ? null : schedule.Steps[position].Fingerprint;

        public int Next(World<TState, TMessage, TTimer, TDurable, TSpecEvent> world, List<ScheduledAction> enabled, int step)
        {
            starting = false;
            if (continuing) return continuation!.Next(enabled.Count);
            origins.SentBy(lastApplied, world.SentCount);
            while (++position < schedule.Steps.Count)
            {
                choice = 0;
                var wanted = schedule.Steps[position];
                for (var i = 0; i < enabled.Count; i++)
                {
                    if (!Matches(world, enabled[i], wanted)) continue;
                    lastApplied = position + 1;
                    return i;
                }
                if (!lenient)
                    throw new SpecException($"schedule step {position + 1} ('{wanted.Action}'{(wanted.Origin is { } origin ? $", the message sent by {(origin.Step == 0 ? "start-up" : $"step {origin.Step}")}" : "")}) is not enabled: the schedule was edited, or recorded on other nodes, or the nodes are not deterministic ({LikelyCauses})\n  enabled: {string.Join("; ", enabled.Select(world.Describe))}");
            }
            if (continuation is null) return -1;
            continuing = true;
            return continuation.Next(enabled.Count);
        }

        /// <summary>
        /// Whether <paramref name="candidate"/> is the recorded step: the same text, and when the step names its message's
        /// origin, the same message. A lenient replay (minimisation) matches a message by origin alone: the step that
        /// sent it may now have sent other content, and that must not make the step vanish.
        /// </summary>
        private bool Matches(World<TState, TMessage, TTimer, TDurable, TSpecEvent> world, ScheduledAction candidate, ScheduleStep wanted)
        {
            if (wanted.Origin is not { } origin || candidate.Kind is not (ActionKind.Deliver or ActionKind.Drop or ActionKind.Duplicate))
                return world.Describe(candidate) == wanted.Action;
            if (origins.Of(world.EnvelopeId(candidate)) != origin) return false;
            return lenient ? wanted.Action.StartsWith(candidate.Kind.ToString().ToLowerInvariant() + " ", StringComparison.Ordinal) : world.Describe(candidate) == wanted.Action;
        }

        public int Choose(int count)
        {
            if (continuing) return continuation!.Next(count);
            var list = starting ? schedule.StartChoices : schedule.Steps[position].Choices;
            if (choice < list.Count && list[choice] < count) return list[choice++];
            if (!lenient)
                throw new ChoiceSourceException(choice < list.Count
                    ? $"schedule {(starting ? "start-up" : $"step {position + 1}")}: recorded choice {list[choice]} is out of range (a node offered only {count} options)"
                    : $"schedule {(starting ? "start-up" : $"step {position + 1}")}: a node asked for a choice the schedule does not have");
            choice++;
            return 0;
        }
    }

    /// <summary>Where each message of one run was sent, by envelope Id: the step that sent it (0 = start-up) and its position among that step's sends.</summary>
    private sealed class MessageOrigins
    {
        private readonly Dictionary<long, MessageOrigin> byEnvelope = [];
        private long seen;

        /// <summary>Every message sent since the last call (envelope Ids are given out in sending order) was sent by step <paramref name="step"/>.</summary>
        public void SentBy(int step, long sentCount)
        {
            for (var id = seen; id < sentCount; id++) byEnvelope[id] = new MessageOrigin(step, (int)(id - seen));
            seen = sentCount;
        }

        public MessageOrigin? Of(long envelopeId) => byEnvelope.GetValueOrDefault(envelopeId);
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

/// <summary>What the tester says when a node does not behave the same on the same schedule.</summary>
internal static class Determinism
{
    public const string LikelyCauses =
        "Likely causes: randomness (new Random(), Random.Shared, Guid.NewGuid — ask effects.Choose instead), the clock (DateTime.Now, Stopwatch), "
        + "hash codes (string.GetHashCode and object.GetHashCode differ between processes: iterate in a fixed order instead of over a HashSet or Dictionary of such keys), "
        + "or state shared between nodes or runs (static fields, a mutable node object).";
}
