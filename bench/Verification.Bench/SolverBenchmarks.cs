using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Verification.Checkers.Smt;
using Verification.Specs;
using Verification.Specs.Examples;

namespace Verification.Bench;

/// <summary>Time of the SinceReset ≤ C induction query through libz3 (context creation, initiation and consecution).</summary>
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class SolverBenchmarks
{
    private Spec<CounterEvent> counter = null!;
    private Property[] claims = null!;

    [GlobalSetup]
    public void Setup()
    {
        counter = Counter.Create();
        claims = [counter.Property("SinceResetNonNegative"), counter.Property("SinceResetAtMostLength")];
    }

    [Benchmark(Description = "Prove SinceReset ≤ C (with SinceReset ≥ 0) by induction")]
    public ProofVerdict InductionQuery() => Prover.Prove(counter, claims).Verdict;

    [Benchmark(Description = "Counterexample for SinceReset < C")]
    public ProofVerdict FalseClaim() => Prover.Prove(Counter.Create(withFalseClaim: true)).Verdict;
}
