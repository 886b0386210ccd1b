using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Verification.Checkers.Systematic;
using Verification.Protocols.Paxos;
using Verification.Protocols.Raft;

namespace Verification.Bench;

/// <summary>
/// The exhaustive searches of the tests (Paxos 2x3, 671,225 states; Raft, 1,489,814 states) on 1 and 2 workers
/// (TestOptions.Parallelism): the speed-up of the parallel DFS. Each iteration checks the counts are the pinned ones.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
[MemoryDiagnoser]
public class ParallelExhaustiveBenchmarks
{
    [Params(1, 2)]
    public int Workers { get; set; }

    [Benchmark(Description = "Paxos DFS, 2 proposers x 3 acceptors, one ballot each (671,225 states)")]
    public long Paxos()
    {
        var report = PaxosNode.System(new PaxosConfig(MaxRounds: 1, Learners: 1)).Tester(new TestOptions { CheckLiveness = false, Parallelism = Workers }).Explore(maxDepth: 100);
        return report.Holds && report.Coverage.States == 671_225 ? report.Coverage.States : throw new InvalidOperationException(report.ToString());
    }

    [Benchmark(Description = "Raft DFS, 3 servers, 2 requests, terms <= 2, <= 4 in flight (1,489,814 states)")]
    public long Raft()
    {
        var report = RaftNode.System(RaftConfig.ForExhaustiveSearch()).Tester(new TestOptions { CheckLiveness = false, Parallelism = Workers }).Explore(maxDepth: 200, maxInFlight: RaftConfig.ExhaustiveSearchInFlight);
        return report.Holds && report.Coverage.States == 1_489_814 ? report.Coverage.States : throw new InvalidOperationException(report.ToString());
    }
}
