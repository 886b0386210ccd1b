using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Verification.Checkers.Systematic;
using Verification.SpinPaxos;

namespace Verification.Bench;

/// <summary>
/// The toolkit side of the SPIN comparison (bench/spin/run.sh), one ballot per proposer, no loss: 170,572 states,
/// as pan stores. Each operation is one whole exhaustive search; states/s = 170,572 / the mean.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
[MemoryDiagnoser]
public class SpinPaxosBenchmarks
{
    [Params(VisitedStore.Exact, VisitedStore.HashCompaction, VisitedStore.Bitstate)]
    public VisitedStore Store { get; set; }

    [Benchmark(Description = "DFS, SPIN's Paxos model, 2 proposers x 3 acceptors, one ballot each (170,572 states)")]
    public long Exhaustive()
    {
        var report = SpinPaxosNode.Explore(new SpinPaxosConfig(Rounds: 1), Store);
        return report.Holds && report.Coverage.States == 170_572 ? report.Coverage.States : throw new InvalidOperationException(report.ToString());
    }
}
