using Verification.Runtime;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Verification.Checkers.Systematic;
using Verification.Protocols;
using Verification.Specs.Consensus;

namespace Verification.Bench;

/// <summary>
/// Time to the first bug for each planted Paxos bug under each strategy (fixed seed, minimisation off so the search
/// itself is timed), and iterations per second of the correct protocol under the full fault model.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class PaxosBenchmarks
{
    private static readonly FaultModel Faults = new() { MaxLosses = 2, MaxDuplicates = 1, MaxCrashes = 1, MaxDownAtOnce = 1, CrashKinds = [CrashKind.Amnesia] };

    [Params(PaxosBug.AcceptorForgetsPromise, PaxosBug.PromiseOmitsAcceptedValue, PaxosBug.ProposerIgnoresReportedValue, PaxosBug.MinorityQuorum, PaxosBug.AcceptsLowerBallot)]
    public PaxosBug Bug { get; set; }

    [Params(StrategyKind.Random, StrategyKind.Pct, StrategyKind.Portfolio)]
    public StrategyKind Strategy { get; set; }

    [Benchmark(Description = "time to first bug")]
    public long TimeToFirstBug()
    {
        var protocol = PaxosNode.System(new PaxosConfig(Bugs: Bug));
        var report = new SystematicTester<PaxosNodeState, PaxosMessage, PaxosEvent>(protocol,
            new TestOptions { Strategy = Strategy, Seed = 1, Iterations = 100_000, MaxSteps = 150, CheckLiveness = false, Faults = Faults, Minimize = false }).Run();
        return report.Bug is null ? throw new InvalidOperationException($"{Bug} not found by {Strategy}") : report.Iterations;
    }
}

/// <summary>Iterations per second of correct Paxos (2 proposers, 3 acceptors) under the full fault model, portfolio strategy, one core.</summary>
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class PaxosThroughputBenchmarks
{
    private const int Iterations = 2000;

    [Benchmark(OperationsPerInvoke = Iterations, Description = "correct Paxos, per iteration (run of ≤150 steps)")]
    public long CorrectPaxos()
    {
        var protocol = PaxosNode.System(new PaxosConfig());
        return new SystematicTester<PaxosNodeState, PaxosMessage, PaxosEvent>(protocol,
            new TestOptions { Seed = 1, Iterations = Iterations, MaxSteps = 150, CheckLiveness = false, Faults = FaultModel.Full(f: 1, losses: 2, duplicates: 1, partitions: 1) }).Run().Steps;
    }
}
