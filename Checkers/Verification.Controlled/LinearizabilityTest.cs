using Verification.Checkers.Linearizability;
using Verification.Specs;

namespace Verification.Controlled;

/// <summary>An event of a concurrent-object test: thread t's operation number k was called, or returned.</summary>
public abstract record OperationEvent(int Thread, int Index);

/// <summary>Thread <paramref name="Thread"/> called its operation number <paramref name="Index"/>.</summary>
public sealed record OperationCalled(int Thread, int Index) : OperationEvent(Thread, Index);

/// <summary>Thread <paramref name="Thread"/>'s operation number <paramref name="Index"/> returned.</summary>
public sealed record OperationReturned(int Thread, int Index) : OperationEvent(Thread, Index);

/// <summary>How much a linearizability test of a concurrent object tries.</summary>
public sealed record LinearizabilityTestOptions
{
    /// <summary>Threads (controlled tasks) calling the object at once.</summary>
    public int Threads { get; init; } = 3;

    /// <summary>Operations each thread calls, one after the other.</summary>
    public int OperationsPerThread { get; init; } = 2;

    /// <summary>Scenarios (operations and arguments per thread, drawn from the seed); each is run under many interleavings.</summary>
    public int Scenarios { get; init; } = 20;

    /// <summary>How each scenario's interleavings are explored (strategy, runs per scenario, seed, bounds).</summary>
    public ControlledOptions Runs { get; init; } = new() { Iterations = 100 };

    /// <summary>Rejects settings no test can use, with a one-line error naming the setting.</summary>
    public void Validate()
    {
        if (Threads is < 1 or > 16) throw new SpecException($"LinearizabilityTestOptions.Threads must be 1..16 (got {Threads})");
        if (OperationsPerThread is < 1 or > 64) throw new SpecException($"LinearizabilityTestOptions.OperationsPerThread must be 1..64 (got {OperationsPerThread})");
        if (Scenarios < 1) throw new SpecException($"LinearizabilityTestOptions.Scenarios must be at least 1 (got {Scenarios})");
        Runs.Validate();
    }
}

/// <summary>
/// Linearizability tests of concurrent objects, as JetBrains' Lincheck does for the JVM: declare how to make the
/// object, how to draw an operation's input, how to apply it, and the object's sequential model. Each scenario gives
/// every thread a few operations; the controlled runtime runs the threads under many interleavings (every
/// Interlocked call, lock, await and Task.Yield in the object a scheduling point, when its assembly is rewritten or it
/// calls the interceptors), records each run's history of calls and returns, and checks it with the linearizability
/// checker. A failure names the scenario, the interleaving, and the history no sequential order explains.
/// </summary>
public static class LinearizabilityTest
{
    /// <summary>Checks a concurrent object whose operations are synchronous.</summary>
    public static CheckResult Check<TObject, TState, TInput, TOutput>(
        Func<TObject> create, Func<Random, TInput> nextInput, Func<TObject, TInput, TOutput> apply,
        ISequentialModel<TState, TInput, TOutput> model, LinearizabilityTestOptions? options = null) where TState : notnull =>
        CheckAsync(create, nextInput, (target, input) => Task.FromResult(apply(target, input)), model, options);

    /// <summary>Checks a concurrent object whose operations are asynchronous.</summary>
    public static CheckResult CheckAsync<TObject, TState, TInput, TOutput>(
        Func<TObject> create, Func<Random, TInput> nextInput, Func<TObject, TInput, Task<TOutput>> apply,
        ISequentialModel<TState, TInput, TOutput> model, LinearizabilityTestOptions? options = null) where TState : notnull
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(nextInput);
        ArgumentNullException.ThrowIfNull(apply);
        ArgumentNullException.ThrowIfNull(model);
        options ??= new LinearizabilityTestOptions();
        options.Validate();
        var spec = HistorySpec.Value;
        Coverage? covered = null;
        var elapsed = TimeSpan.Zero;
        var subject = $"{model.Name}: {typeof(TObject).Name} linearizable";
        for (var scenario = 0; scenario < options.Scenarios; scenario++)
        {
            var inputs = Scenario(options, nextInput, scenario);
            var run = new ScenarioRun<TObject, TInput, TOutput>(inputs);
            var result = ControlledTest.Run(spec, BodyOf(run, create, apply), options.Runs with { Subject = $"{subject}, scenario {scenario}" },
                history => run.Check(model, history));
            covered = covered is null ? result.Coverage : covered.Plus(result.Coverage);
            elapsed += result.Elapsed;
            if (result.Verdict != Verdict.Holds)
                return result with
                {
                    Subject = subject,
                    Coverage = covered,
                    Elapsed = elapsed,
                    Notes = $"scenario {scenario} (of {options.Scenarios}, seed {options.Runs.Seed}):\n{Describe(inputs)}" + (result.Notes is null ? "" : $"\n{result.Notes}"),
                };
        }
        return new CheckResult
        {
            Subject = subject,
            Method = $"linearizability checked on every run of controlled interleavings ({options.Runs.Strategy.ToString().ToLowerInvariant()})",
            Verdict = Verdict.Holds,
            Coverage = covered!,
            Within = [$"{options.Scenarios} scenarios of {options.Threads} threads × {options.OperationsPerThread} operations", $"{options.Runs.Iterations} runs per scenario", $"runs of ≤ {options.Runs.MaxSteps} scheduling points"],
            Elapsed = elapsed,
        };
    }

    /// <summary>
    /// Replays a failing run saved by <see cref="Check{TObject, TState, TInput, TOutput}"/> (its schedule file names
    /// the scenario): the same object, inputs, model and options give the same interleaving and the same verdict.
    /// </summary>
    public static CheckResult Replay<TObject, TState, TInput, TOutput>(
        Func<TObject> create, Func<Random, TInput> nextInput, Func<TObject, TInput, TOutput> apply,
        ISequentialModel<TState, TInput, TOutput> model, string schedulePath, LinearizabilityTestOptions? options = null) where TState : notnull
    {
        options ??= new LinearizabilityTestOptions();
        options.Validate();
        var schedule = ControlledSchedule.Load(schedulePath);
        var named = System.Text.RegularExpressions.Regex.Match(schedule.Subject, @", scenario (\d+)$");
        if (!named.Success || !int.TryParse(named.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture, out var scenario) || scenario >= options.Scenarios)
            throw new SpecException($"{schedulePath}: not a schedule of this linearizability test (its subject '{schedule.Subject}' names no scenario below {options.Scenarios})");
        var run = new ScenarioRun<TObject, TInput, TOutput>(Scenario(options, nextInput, scenario));
        return ControlledTest.Replay(HistorySpec.Value, BodyOf(run, create, (target, input) => Task.FromResult(apply(target, input))), schedulePath, options.Runs,
            history => run.Check(model, history));
    }

    /// <summary>One body for a search and its replay, so both name it alike in their traces.</summary>
    private static Func<Task> BodyOf<TObject, TInput, TOutput>(ScenarioRun<TObject, TInput, TOutput> run, Func<TObject> create, Func<TObject, TInput, Task<TOutput>> apply) =>
        () => run.Body(create, apply);

    /// <summary>The operations each thread calls in scenario number <paramref name="scenario"/>: a function of the seed and that number alone.</summary>
    private static TInput[][] Scenario<TInput>(LinearizabilityTestOptions options, Func<Random, TInput> nextInput, int scenario)
    {
        var random = new Random(unchecked(options.Runs.Seed * 1_000_003 + scenario)); // not HashCode.Combine: it is seeded per process
        return Enumerable.Range(0, options.Threads).Select(_ => Enumerable.Range(0, options.OperationsPerThread).Select(_ => nextInput(random)).ToArray()).ToArray();
    }

    private static string Describe<TInput>(TInput[][] inputs) =>
        string.Join("\n", inputs.Select((operations, thread) => $"  thread {thread}: {string.Join("; ", operations.Select(input => $"{input}"))}"));

    /// <summary>The events carry only (thread, index); the history check holds the typed inputs and outputs.</summary>
    private static readonly Lazy<Spec<OperationEvent>> HistorySpec = new(() =>
    {
        var spec = new SpecBuilder<OperationEvent>("OperationHistory");
        var events = spec.Variable<int>("events");
        spec.Define(events, 0, e => events.Now + 1);
        return spec.Build();
    });

    /// <summary>One scenario's body and the outputs of its current run (runs are sequential, so one slot suffices).</summary>
    private sealed class ScenarioRun<TObject, TInput, TOutput>(TInput[][] inputs)
    {
        private TOutput[][] outputs = [];

        public async Task Body(Func<TObject> create, Func<TObject, TInput, Task<TOutput>> apply)
        {
            var target = create();
            outputs = inputs.Select(ops => new TOutput[ops.Length]).ToArray();
            var results = outputs;
            var threads = inputs.Select((operations, thread) => ControlledTask.Run(async () =>
            {
                for (var k = 0; k < operations.Length; k++)
                {
                    ControlledSpec.Observe(new OperationCalled(thread, k));
                    results[thread][k] = await apply(target, operations[k]);
                    ControlledSpec.Observe(new OperationReturned(thread, k));
                }
            })).ToArray();
            await ControlledTask.WhenAll(threads);
        }

        public CheckResult Check<TState>(ISequentialModel<TState, TInput, TOutput> model, IReadOnlyList<OperationEvent> history) where TState : notnull
        {
            var calls = new Dictionary<(int, int), long>();
            var operations = new List<Operation<TInput, TOutput>>();
            for (var at = 0; at < history.Count; at++)
                switch (history[at])
                {
                    case OperationCalled called:
                        calls[(called.Thread, called.Index)] = at;
                        break;
                    case OperationReturned returned:
                        operations.Add(new(returned.Thread, inputs[returned.Thread][returned.Index], outputs[returned.Thread][returned.Index], calls[(returned.Thread, returned.Index)], at, (int)calls[(returned.Thread, returned.Index)] + 1)); // "line": the call's place in the history
                        break;
                }
            return LinearizabilityChecker.Check(model, operations);
        }
    }
}
