using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Verification.Specs;

namespace Verification.Bench;

/// <summary>Incremental evaluation of a 10-variable spec over 10M events: events per second and bytes allocated per event.</summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class IncrementalEvaluationBenchmarks
{
    private const int Events = 10_000_000;
    private Spec<MeterEvent> spec = null!;
    private MeterEvent[] history = null!;

    [GlobalSetup]
    public void Setup()
    {
        spec = MeterSpec.Create();
        history = MeterSpec.History(Events);
        spec.NewEvaluator().Step(history[0]); // compile outside the measurement
    }

    [Benchmark(OperationsPerInvoke = Events, Description = "Evaluator.Step, 10 scalar variables (per event)")]
    public long EvaluateTenMillionEvents()
    {
        var evaluator = spec.NewEvaluator();
        foreach (var evt in history) evaluator.Step(evt);
        return evaluator.Length;
    }

    [Benchmark(OperationsPerInvoke = Events, Description = "Monitor.Append with invariants, no prefix kept (per event)")]
    public long MonitorTenMillionEvents()
    {
        var monitor = new Monitor<MeterEvent>(spec, recordPrefix: false);
        foreach (var evt in history) monitor.Append(evt);
        return monitor.Length;
    }
}

/// <summary>
/// Checking every prefix of 10k events: incrementally (one step per event) versus the reference evaluator, which
/// re-evaluates each prefix from Nil (quadratic). The ratio of the two is the cost of not being incremental.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 2)]
public class ReferenceRatioBenchmarks
{
    private Spec<MeterEvent> spec = null!;
    private MeterEvent[] history = null!;

    [Params(1_000, 10_000)]
    public int Events { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        spec = MeterSpec.Create();
        history = MeterSpec.History(Events);
    }

    [Benchmark(Baseline = true, Description = "incremental: History.Check")]
    public bool Incremental() => History.Check(spec, history).Holds;

    [Benchmark(Description = "reference: every prefix from Nil")]
    public bool Reference() => ReferenceEvaluator.Check(spec, history).Holds;
}
