using System.Diagnostics;
using Verification.Specs;

namespace Verification.Controlled;

/// <summary>
/// Systematic testing of an async body under the controlled runtime: many runs, each with every scheduling point a
/// choice of the strategy; the first failing run is minimised, explained (call sites, stacks) and saved as a
/// replayable schedule. The result is the toolkit's <see cref="CheckResult"/>, so <c>AssertHolds()</c> and
/// <c>AssertViolated("Deadlock")</c> work as for the protocol tester.
/// </summary>
public static class ControlledTest
{
    /// <summary>
    /// Runs <paramref name="body"/> under <paramref name="options"/> (the defaults when null). Violated: the body threw,
    /// a started task faulted unobserved, or a deadlock. Unknown: concurrency the runtime does not control, a stuck
    /// operation (watchdog), runs cut by the step bound, or an incomplete depth-first search. Holds otherwise, within
    /// the runs made.
    /// </summary>
    public static CheckResult Run(Func<Task> body, ControlledOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Run(new ProgramUnderTest(body, null), options);
    }

    /// <summary>
    /// As <see cref="Run(Func{Task}, ControlledOptions?)"/>, with every run's events checked against <paramref name="spec"/>:
    /// the code calls <see cref="ControlledSpec.Observe"/>, each run has a fresh monitor, and a property that fails on
    /// a prefix (or a liveness monitor hot when the run ends, or <paramref name="historyCheck"/> violated on the whole
    /// history, e.g. a linearizability check) is a violation named by the property, minimised and replayable.
    /// </summary>
    public static CheckResult Run<TEvent>(Spec<TEvent> spec, Func<Task> body, ControlledOptions? options = null, Func<IReadOnlyList<TEvent>, CheckResult>? historyCheck = null) where TEvent : class
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(body);
        return Run(new ProgramUnderTest(body, () => new SpecRunObserver<TEvent>(spec, historyCheck, options?.CheckLiveness ?? true)), options);
    }

    private static CheckResult Run(ProgramUnderTest body, ControlledOptions? options)
    {
        options ??= new ControlledOptions();
        options.Validate();
        EscapeListener.EnsureStarted();
        var watch = Stopwatch.StartNew();
        var coverage = new Tally();
        (RunRecord Run, long Iteration, string Strategy)? bounded = null;
        long boundedRuns = 0;
        var dfsComplete = false;
        List<int>? prefix = [];
        for (long iteration = 0; iteration < options.Iterations; iteration++)
        {
            var strategy = options.Strategy == ControlledStrategy.Dfs
                ? new DfsChoices(prefix!)
                : StrategyFactory.Create(options.Strategy, options.Seed, iteration, ExpectedSteps(options, coverage), options.PctDepth);
            var run = Execute(body, strategy, options.MaxSteps, explain: false, options);
            coverage.Add(run);
            switch (run.Outcome.End)
            {
                case RunEnd.Exception or RunEnd.UnobservedException or RunEnd.Deadlock or RunEnd.SpecViolation:
                    return Found(body, options, run, iteration, strategy.Name, coverage, watch);
                case RunEnd.Uncontrolled or RunEnd.Hang or RunEnd.ReplayMismatch:
                    return Unresolved(options, run, iteration, strategy.Name, coverage, watch);
                case RunEnd.StepBound:
                    boundedRuns++;
                    bounded ??= (run, iteration, strategy.Name);
                    break;
            }
            if (strategy is DfsChoices dfs)
            {
                prefix = DfsChoices.Next(dfs.Path);
                if (prefix is null)
                {
                    dfsComplete = true;
                    break;
                }
            }
        }
        var method = options.Strategy == ControlledStrategy.Dfs ? "controlled depth-first search" : $"controlled runs ({options.Strategy.ToString().ToLowerInvariant()})";
        var within = new List<string>
        {
            $"runs of ≤ {options.MaxSteps} scheduling points",
            options.TimersOnlyWhenIdle
                ? "virtual time, partially synchronous (a timer fires only when no operation can run, earliest deadline first)"
                : "virtual time (a pending timer may fire at any scheduling point, earliest deadline first)",
        };
        // A "holds" that did not judge liveness says so.
        if (body.Observers is not null && !options.CheckLiveness) within.Add("safety only: the spec's liveness properties not judged (CheckLiveness off)");
        if (options.Strategy == ControlledStrategy.Dfs && dfsComplete) within.Insert(0, $"every interleaving of the body ({coverage.Runs} runs: the depth-first search is complete)");
        var result = new CheckResult
        {
            Subject = options.Subject,
            Method = method,
            Verdict = Verdict.Holds,
            Coverage = coverage.ToCoverage(),
            Within = within,
            Elapsed = watch.Elapsed,
            Notes = coverage.Rates(watch.Elapsed),
        };
        if (bounded is { } cut)
        {
            // Unknown, not violated: PCT starves low-priority operations on purpose, so a body that ends under every
            // fair schedule (a spin-wait on Task.Yield) can still run out of steps under it. The report says where the
            // tasks were, for the reader to judge.
            var report = Explain(body, options, cut.Run, cut.Iteration, cut.Strategy, ControlledFailure.StepBound, minimize: false);
            return result with
            {
                Verdict = Verdict.Unknown,
                Why = Inconclusive.SearchLimit,
                Reason = $"{boundedRuns} of {coverage.Runs} runs reached {options.MaxSteps} scheduling points with tasks unfinished (a livelock, or a body longer than the bound: raise MaxSteps)",
                Counterexample = report,
                Elapsed = watch.Elapsed,
            };
        }
        if (options.Strategy == ControlledStrategy.Dfs && !dfsComplete)
            return result with
            {
                Verdict = Verdict.Unknown,
                Why = Inconclusive.SearchLimit,
                Reason = $"the depth-first search stopped at {options.Iterations} runs (Iterations) with interleavings unexplored",
            };
        return result;
    }

    /// <summary>PCT spreads its change points over the longest run so far (100 steps, within the bound, before the first run).</summary>
    private static int ExpectedSteps(ControlledOptions options, Tally coverage) =>
        (int)Math.Min(options.MaxSteps, coverage.Runs == 0 ? 100 : Math.Max(2, coverage.Depth));

    /// <summary>Replays a schedule file on <paramref name="body"/>: the same choices, so the same run (a failing one reports the same counterexample).</summary>
    public static CheckResult Replay(Func<Task> body, string schedulePath, ControlledOptions? options = null) =>
        Replay(new ProgramUnderTest(body, null), ControlledSchedule.Load(schedulePath), options, schedulePath);

    /// <summary>Replays <paramref name="schedule"/> on <paramref name="body"/>; a body that does not follow it throws <see cref="SpecException"/> saying where it differed.</summary>
    public static CheckResult Replay(Func<Task> body, ControlledSchedule schedule, ControlledOptions? options = null) => Replay(new ProgramUnderTest(body, null), schedule, options, null);

    /// <summary>Replays a schedule file recorded by <see cref="Run{TEvent}"/>, with the same spec (and history check).</summary>
    public static CheckResult Replay<TEvent>(Spec<TEvent> spec, Func<Task> body, string schedulePath, ControlledOptions? options = null, Func<IReadOnlyList<TEvent>, CheckResult>? historyCheck = null) where TEvent : class =>
        Replay(new ProgramUnderTest(body, () => new SpecRunObserver<TEvent>(spec, historyCheck, options?.CheckLiveness ?? true)), ControlledSchedule.Load(schedulePath), options, schedulePath);

    private static CheckResult Replay(ProgramUnderTest body, ControlledSchedule schedule, ControlledOptions? options, string? path)
    {
        ArgumentNullException.ThrowIfNull(body.Body);
        options ??= new ControlledOptions();
        options.Validate();
        EscapeListener.EnsureStarted();
        var watch = Stopwatch.StartNew();
        var replay = new ReplayChoices(schedule.Decisions);
        var run = Execute(body, replay, schedule.MaxSteps, explain: true, options);
        if (run.Outcome.End == RunEnd.ReplayMismatch) throw new SpecException($"{path ?? "schedule"}: {run.Outcome.Details}");
        if (run.Decisions.Count < schedule.Decisions.Count && run.Outcome.End != RunEnd.Hang)
            throw new SpecException($"{path ?? "schedule"}: the run ended after {run.Decisions.Count} of the schedule's {schedule.Decisions.Count} choices: the body did not run as when it was recorded");
        var coverage = new Tally();
        coverage.Add(run);
        var kind = KindOf(run.Outcome.End);
        return new CheckResult
        {
            Subject = options.Subject,
            Method = "controlled replay",
            Verdict = run.Outcome.IsBug ? Verdict.Violated : kind is null ? Verdict.Holds : Verdict.Unknown,
            Why = kind switch
            {
                ControlledFailure.Uncontrolled => Inconclusive.Uncontrolled,
                ControlledFailure.Hang => Inconclusive.Budget,
                ControlledFailure.StepBound => Inconclusive.SearchLimit,
                _ => null,
            },
            Reason = run.Outcome.IsBug || kind is null ? null : FirstLine(run.Outcome.Details),
            Coverage = coverage.ToCoverage(),
            Within = [$"the replayed schedule ({schedule.Decisions.Count} scheduling points)"],
            Counterexample = kind is null ? null : new ControlledCounterexample(kind.Value, run.Outcome.Property, run.Outcome.Details, schedule with { Trace = run.Trace }, run.Trace, path)
            {
                OriginalSteps = schedule.Decisions.Count,
                Preemptions = Preemptions(run).Count,
                OriginalPreemptions = Preemptions(run).Count,
            },
            Elapsed = watch.Elapsed,
        };
    }

    private static ControlledFailure? KindOf(RunEnd end) => end switch
    {
        RunEnd.Exception => ControlledFailure.Exception,
        RunEnd.UnobservedException => ControlledFailure.UnobservedException,
        RunEnd.Deadlock => ControlledFailure.Deadlock,
        RunEnd.SpecViolation => ControlledFailure.SpecViolation,
        RunEnd.StepBound => ControlledFailure.StepBound,
        RunEnd.Uncontrolled or RunEnd.ReplayMismatch => ControlledFailure.Uncontrolled,
        RunEnd.Hang => ControlledFailure.Hang,
        _ => null,
    };

    private static string FirstLine(string text) => text.Split('\n')[0];

    /// <summary>A failing run: minimised, explained by a replay that captures call sites, saved; the result is Violated.</summary>
    private static CheckResult Found(ProgramUnderTest body, ControlledOptions options, RunRecord run, long iteration, string strategy, Tally coverage, Stopwatch watch)
    {
        var bug = Explain(body, options, run, iteration, strategy, KindOf(run.Outcome.End)!.Value, options.Minimize);
        return new CheckResult
        {
            Subject = options.Subject,
            Method = options.Strategy == ControlledStrategy.Dfs ? "controlled depth-first search" : $"controlled runs ({options.Strategy.ToString().ToLowerInvariant()})",
            Verdict = Verdict.Violated,
            Coverage = coverage.ToCoverage(),
            Within = [$"runs of ≤ {options.MaxSteps} scheduling points"],
            Counterexample = bug,
            Elapsed = watch.Elapsed,
            Notes = coverage.Rates(watch.Elapsed),
        };
    }

    /// <summary>
    /// Concurrency out of control, or a stuck operation: reported from the run as it was (re-running would escape or
    /// hang again), with the trace so far and, for an escape, the stack where it happened.
    /// </summary>
    private static CheckResult Unresolved(ControlledOptions options, RunRecord run, long iteration, string strategy, Tally coverage, Stopwatch watch)
    {
        var kind = KindOf(run.Outcome.End)!.Value;
        var schedule = new ControlledSchedule(options.Subject, strategy, options.Seed, iteration, options.MaxSteps, run.Decisions) { Property = run.Outcome.Property, Trace = run.Trace };
        var preemptions = Preemptions(run).Count;
        return new CheckResult
        {
            Subject = options.Subject,
            Method = $"controlled runs ({options.Strategy.ToString().ToLowerInvariant()})",
            Verdict = Verdict.Unknown,
            Why = kind == ControlledFailure.Hang ? Inconclusive.Budget : Inconclusive.Uncontrolled,
            Reason = $"{run.Outcome.Property}: {FirstLine(run.Outcome.Details)}",
            Coverage = coverage.ToCoverage(),
            Within = [$"runs of ≤ {options.MaxSteps} scheduling points"],
            Counterexample = new ControlledCounterexample(kind, run.Outcome.Property, run.Outcome.Details, schedule, run.Trace, null)
            {
                OriginalSteps = run.Decisions.Count,
                OriginalPreemptions = preemptions,
                Preemptions = preemptions,
            },
            Elapsed = watch.Elapsed,
            Notes = coverage.Rates(watch.Elapsed),
        };
    }

    private static ControlledCounterexample Explain(ProgramUnderTest body, ControlledOptions options, RunRecord run, long iteration, string strategy, ControlledFailure kind, bool minimize)
    {
        var shortest = minimize ? Minimize(body, options, run) : run;
        var explained = Execute(body, new ReplayChoices(shortest.Decisions), options.MaxSteps, explain: true, options);
        var same = explained.Outcome.End == run.Outcome.End && explained.Outcome.Property == run.Outcome.Property;
        var shown = same ? explained : shortest;
        var details = same ? shown.Outcome.Details
            : $"{shortest.Outcome.Details}\n(the explaining replay ended differently — {explained.Outcome.Property}: {FirstLine(explained.Outcome.Details)} — so the body is not deterministic under the same choices; call sites are missing)";
        var schedule = new ControlledSchedule(options.Subject, strategy, options.Seed, iteration, options.MaxSteps, shortest.Decisions) { Property = run.Outcome.Property, Trace = shown.Trace };
        string? path;
        try
        {
            path = schedule.SaveIn(options.ScheduleDirectoryOrDefault);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            path = null;
            details += $"\n(the schedule could not be saved in {options.ScheduleDirectoryOrDefault}: {ex.Message})";
        }
        return new ControlledCounterexample(kind, run.Outcome.Property, details, schedule, shown.Trace, path)
        {
            OriginalSteps = run.Decisions.Count,
            OriginalPreemptions = Preemptions(run).Count,
            Preemptions = Preemptions(shortest).Count,
        };
    }

    /// <summary>
    /// Delta debugging over the failing run's preemptions (choices other than the non-preemptive default): a candidate
    /// keeps some of them and takes the default everywhere else; it is kept when it fails the same way with fewer
    /// preemptions (or as many and fewer steps). What remains is the few context switches the bug needs.
    /// </summary>
    private static RunRecord Minimize(ProgramUnderTest body, ControlledOptions options, RunRecord failing)
    {
        var best = failing;
        var current = Preemptions(failing);
        bool Better(RunRecord candidate) =>
            candidate.Outcome.End == failing.Outcome.End && candidate.Outcome.Property == failing.Outcome.Property
            && (Preemptions(candidate).Count < current.Count || (Preemptions(candidate).Count == current.Count && candidate.Decisions.Count < best.Decisions.Count));
        var granularity = 2;
        while (current.Count > 0)
        {
            var chunk = (int)Math.Ceiling(current.Count / (double)Math.Min(granularity, current.Count));
            var reduced = false;
            for (var start = 0; start < current.Count && !reduced; start += chunk)
            {
                var keep = current.Where((_, i) => i < start || i >= start + chunk).ToDictionary(p => p.Step, p => p.Key);
                var candidate = Execute(body, new GuidedChoices(keep), options.MaxSteps, explain: false, options);
                if (!Better(candidate)) continue;
                best = candidate;
                current = Preemptions(candidate);
                granularity = Math.Max(granularity - 1, 2);
                reduced = true;
            }
            if (reduced) continue;
            if (granularity >= current.Count) break;
            granularity = Math.Min(granularity * 2, current.Count);
        }
        return best;
    }

    private static List<(int Step, long Key)> Preemptions(RunRecord run) =>
        [.. run.Points.Select((point, index) => (Step: index + 1, point)).Where(p => p.point.Chosen != p.point.Default).Select(p => (p.Step, p.point.Chosen))];

    private static RunRecord Execute(ProgramUnderTest body, IControlledStrategy strategy, int maxSteps, bool explain, ControlledOptions options)
    {
        var runtime = new ControlledRuntime(strategy, maxSteps, explain, body.Observers?.Invoke(), options.TimersOnlyWhenIdle);
        var outcome = runtime.Run(body.Body, options.Watchdog);
        return new RunRecord(outcome, [.. runtime.Decisions], [.. runtime.Points], runtime.TraceLines(), runtime.Steps);
    }

    /// <summary>The program under test: its body, and what checks each run's observed events (a fresh observer per run).</summary>
    private sealed record ProgramUnderTest(Func<Task> Body, Func<IRunObserver>? Observers);

    /// <summary>What a run left: how it ended, its choices (and the default at each point), and its trace.</summary>
    private sealed record RunRecord(RunOutcome Outcome, List<long> Decisions, List<(long Chosen, long Default)> Points, List<string> Trace, int Steps);

    /// <summary>Coverage over the runs made.</summary>
    private sealed class Tally
    {
        public long Runs { get; private set; }
        public long Depth => depth;
        private long steps;
        private long depth;

        public void Add(RunRecord run)
        {
            Runs++;
            steps += run.Decisions.Count;
            depth = Math.Max(depth, run.Decisions.Count);
        }

        public Coverage ToCoverage() => new() { Runs = Runs, Steps = steps, Depth = depth };

        public string Rates(TimeSpan elapsed)
        {
            var seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
            return $"{steps / seconds:F0} scheduling points/s, {Runs / seconds:F1} runs/s, longest run {depth} scheduling points";
        }
    }
}
