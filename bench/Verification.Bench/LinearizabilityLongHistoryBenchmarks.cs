using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Verification.Checkers.Linearizability;

namespace Verification.Bench;

/// <summary>
/// Long register histories from a seeded simulation (<see cref="RegisterSimulation"/>: clients that wait between
/// calls, each call taking effect atomically between its call and its return, so calls overlap), checked against the
/// compare-and-set register: linearizable as generated, or with one stale read planted after the middle. Porcupine
/// takes ~2 s and ~1.4 GB on a 100k-operation linearizable history (its figure; it cannot run here). Each case runs in
/// its own process, whose peak working set (history, checker and runtime) is printed at the end of the case.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
[MemoryDiagnoser]
public class LinearizabilityLongHistoryBenchmarks
{
    private List<Operation<RegisterInput, RegisterOutput>> history = [];

    [Params(10_000, 100_000)]
    public int Operations { get; set; }

    [Params(10, 50)]
    public int Clients { get; set; }

    [Params(false, true)]
    public bool StaleRead { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        history = RegisterSimulation.Generate(Operations, Clients, seed: 1, plantStaleRead: StaleRead);
        var expected = StaleRead ? Verdict.Violated : Verdict.Holds;
        var result = LinearizabilityChecker.Check(CasRegisterModel.Instance, history);
        if (result.Verdict != expected) throw new InvalidOperationException($"expected {expected}: {result}");
        Console.WriteLine($"// {Operations} operations, {Clients} clients{(StaleRead ? ", stale read" : "")}: {result.Coverage.Configurations} configurations");
    }

    [GlobalCleanup]
    public void Cleanup() => LinearizabilityScalingBenchmarks.PrintPeakWorkingSet();

    [Benchmark(Description = "check a simulated register history")]
    public Verdict Check() => LinearizabilityChecker.Check(CasRegisterModel.Instance, history).Verdict;
}

/// <summary>
/// The same simulation with 2 clients (calls rarely overlap) at growing lengths: the time per operation stays flat.
/// Before the best partial linearization stopped being copied on every deeper step, it grew with the length.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
[MemoryDiagnoser]
public class LinearizabilityScalingBenchmarks
{
    private List<Operation<RegisterInput, RegisterOutput>> history = [];

    [Params(1_000, 10_000, 100_000, 1_000_000)]
    public int Operations { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        history = RegisterSimulation.Generate(Operations, clients: 2, seed: 1);
        if (LinearizabilityChecker.Check(CasRegisterModel.Instance, history).Verdict != Verdict.Holds)
            throw new InvalidOperationException("the simulated history must be linearizable");
    }

    [GlobalCleanup]
    public void Cleanup() => PrintPeakWorkingSet();

    internal static void PrintPeakWorkingSet() =>
        Console.WriteLine($"// peak working set of this case's process: {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):F0} MiB");

    [Benchmark(Description = "check a 2-client register history")]
    public Verdict Check() => LinearizabilityChecker.Check(CasRegisterModel.Instance, history).Verdict;
}

/// <summary>
/// Clients that never wait: every client always has a call in flight, so each call overlaps about twice as many
/// others as there are clients. Where the search (Porcupine's as well) meets its exponential wall: a stale read makes
/// it enumerate every reachable configuration before it.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
[MemoryDiagnoser]
public class LinearizabilityBusyClientsBenchmarks
{
    private List<Operation<RegisterInput, RegisterOutput>> history = [];

    [Params(10, 20)]
    public int Clients { get; set; }

    [Params(false, true)]
    public bool StaleRead { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        history = RegisterSimulation.Generate(10_000, Clients, seed: 1, plantStaleRead: StaleRead, busyFraction: 1);
        var result = LinearizabilityChecker.Check(CasRegisterModel.Instance, history);
        Console.WriteLine($"// 10000 operations, {Clients} busy clients{(StaleRead ? ", stale read" : "")}: {result}");
    }

    [GlobalCleanup]
    public void Cleanup() => LinearizabilityScalingBenchmarks.PrintPeakWorkingSet();

    [Benchmark(Description = "check 10k operations of always-busy clients")]
    public Verdict Check() => LinearizabilityChecker.Check(CasRegisterModel.Instance, history).Verdict;
}
