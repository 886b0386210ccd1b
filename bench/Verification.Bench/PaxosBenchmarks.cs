using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Verification.Checkers.Systematic;
using Verification.Protocols.MultiPaxos;
using Verification.Protocols.Paxos;
using Verification.Protocols.Raft;
using Verification.Runtime;

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
        var report = protocol.Tester(new TestOptions { Strategy = Strategy, Seed = 1, Iterations = 100_000, MaxSteps = 150, CheckLiveness = false, Faults = Faults, Minimize = false }).Run();
        return report.Bug is null ? throw new InvalidOperationException($"{Bug} not found by {Strategy}") : report.Coverage.Runs;
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
        return protocol.Tester(new TestOptions { Seed = 1, Iterations = Iterations, MaxSteps = 150, CheckLiveness = false, Faults = FaultModel.Full(f: 1, losses: 2, duplicates: 1, partitions: 1) }).Run().Coverage.Steps;
    }
}

/// <summary>
/// The exhaustive configuration of the tests (2 proposers with one ballot each, 3 acceptors, one learner, unordered
/// network, no faults; 671,225 states) explored once per iteration, and the livelock searches.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class PaxosExhaustiveBenchmarks
{
    /// <summary>Sampled (the default) checks the node contract around every transition of a search; Off measures what that costs.</summary>
    [Params(MutationCheck.Sampled, MutationCheck.Off)]
    public MutationCheck Contract { get; set; }

    /// <summary>Partial-order reduction by sleep sets: the same states, fewer transitions.</summary>
    [Params(false, true)]
    public bool PartialOrder { get; set; }

    [Benchmark(Description = "DFS, 2 proposers x 3 acceptors, one ballot each (671,225 states)")]
    public long Exhaustive()
    {
        var report = PaxosNode.System(new PaxosConfig(MaxRounds: 1, Learners: 1)).Tester(new TestOptions { CheckLiveness = false, MutationChecks = Contract }).Explore(maxDepth: 100, partialOrder: PartialOrder);
        return report.Holds && report.Bug is null ? report.Coverage.States : throw new InvalidOperationException(report.ToString());
    }

    [Benchmark(Description = "livelock search: duelling proposers (2 acceptors) until the cycle")]
    public long Duelling()
    {
        var report = PaxosNode.ConsensusSystem(PaxosConfig.Duelling(acceptors: 2)).Tester(new TestOptions()).FindLivelock(maxDepth: 40, maxInFlight: 6);
        return report.IsViolated ? report.Coverage.States : throw new InvalidOperationException(report.ToString());
    }

    [Benchmark(Description = "livelock search: distinguished proposer (3 acceptors), complete")]
    public long DistinguishedProposer()
    {
        var report = PaxosNode.ConsensusSystem(PaxosConfig.Duelling(acceptors: 3) with { DistinguishedProposer = true }).Tester(new TestOptions()).FindLivelock(maxDepth: 60, maxInFlight: 12);
        return !report.IsViolated && report.Holds ? report.Coverage.States : throw new InvalidOperationException(report.ToString());
    }
}

/// <summary>
/// The exhaustive Paxos configuration with and without acceptor symmetry (issue 14): states, states/s and bytes of
/// visited set per state are in each result's Notes; the benchmark returns the state count (671,225 or 115,813).
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class PaxosSymmetryBenchmarks
{
    [Params(false, true)]
    public bool Symmetric { get; set; }

    [Benchmark(Description = "DFS, 2 proposers x 3 acceptors, one ballot each; acceptors symmetric or not")]
    public long Exhaustive()
    {
        var config = new PaxosConfig(MaxRounds: 1, Learners: 1) { AcceptorsSymmetric = Symmetric };
        var report = PaxosNode.System(config).Tester(new TestOptions { CheckLiveness = false }).Explore(maxDepth: 100);
        Console.WriteLine(report.Notes);
        return report.Holds && report.Bug is null ? report.Coverage.States : throw new InvalidOperationException(report.ToString());
    }
}

/// <summary>Multi-Paxos runs per second (3 replicas, 2 clients) under the full fault model, one core.</summary>
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class MultiPaxosThroughputBenchmarks
{
    private const int Iterations = 1000;

    [Benchmark(OperationsPerInvoke = Iterations, Description = "correct Multi-Paxos, per iteration (run of 250 steps)")]
    public long CorrectMultiPaxos() =>
        MultiPaxosNode.System(new MultiPaxosConfig()).Tester(new TestOptions { Seed = 1, Iterations = Iterations, MaxSteps = 250, CheckLiveness = false, Faults = FaultModel.Full(f: 1, losses: 3, duplicates: 2, partitions: 1) }).Run().Coverage.Steps;
}

/// <summary>Correct Raft runs per second and scheduling steps per second, 3 and 5 servers, full fault model, one core.</summary>
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class RaftThroughputBenchmarks
{
    private const int Iterations = 500;

    [Params(3, 5)]
    public int Servers { get; set; }

    /// <summary>The node contract checked on every step (EveryStep), on one run in eight (Sampled, the default), or never.</summary>
    [Params(MutationCheck.Sampled, MutationCheck.EveryStep, MutationCheck.Off)]
    public MutationCheck Contract { get; set; }

    [Benchmark(OperationsPerInvoke = Iterations, Description = "correct Raft, per run (300 steps)")]
    public long CorrectRaft() =>
        RaftNode.System(new RaftConfig(Servers: Servers)).Tester(new TestOptions { Seed = 1, Iterations = Iterations, MaxSteps = 300, CheckLiveness = false, Faults = FaultModel.Full(f: Servers / 2, losses: 3, duplicates: 2, partitions: 1), MutationChecks = Contract }).Run().Coverage.Steps;
}

/// <summary>
/// The exhaustive Raft configuration of the tests (3 servers, 2 client requests, terms ≤ 2, logs ≤ 3, at most 4
/// messages in flight, no faults; 1,489,814 states) explored once per iteration.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
[MemoryDiagnoser]
public class RaftExhaustiveBenchmarks
{
    [Benchmark(Description = "DFS, 3 servers, 2 requests, terms <= 2, <= 4 in flight (1,489,814 states)")]
    public long Exhaustive()
    {
        var report = RaftNode.System(RaftConfig.ForExhaustiveSearch()).Tester(new TestOptions { CheckLiveness = false }).Explore(maxDepth: 200, maxInFlight: RaftConfig.ExhaustiveSearchInFlight);
        return report.Holds && report.Bug is null ? report.Coverage.States : throw new InvalidOperationException(report.ToString());
    }
}
