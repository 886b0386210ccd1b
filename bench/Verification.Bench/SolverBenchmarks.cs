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
    public Verdict InductionQuery() => Prover.Prove(counter, claims).Verdict;

    [Benchmark(Description = "Counterexample for SinceReset < C")]
    public Verdict FalseClaim() => Prover.Prove(Counter.Create(withFalseClaim: true)).Verdict;
}

/// <summary>The Paxos proofs: finite (3 and 5 acceptors, 2 values, 3 ballots), parametric (EPR), and the failing ones without "choosable".</summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class PaxosProofBenchmarks
{
    private Spec<Verification.Protocols.Paxos.PaxosEvent> three = null!, five = null!;

    [GlobalSetup]
    public void Setup()
    {
        three = Verification.Protocols.Paxos.PaxosSpec.Create(3, 2, 3);
        five = Verification.Protocols.Paxos.PaxosSpec.Create(5, 2, 3);
    }

    private static CheckResult Expect(CheckResult actual, Verdict expected, Inconclusive? why = null) =>
        actual.Verdict == expected && actual.Why == why ? actual : throw new InvalidOperationException($"expected {expected} {why}, got {actual.Summary}");

    [Benchmark(Description = "Paxos, 3 acceptors: induction")]
    public CheckResult Three() => Expect(Prover.Prove(three), Verdict.Holds);

    [Benchmark(Description = "Paxos, 5 acceptors: induction")]
    public CheckResult Five() => Expect(Prover.Prove(five), Verdict.Holds);

    [Benchmark(Description = "Paxos, 3 acceptors, without choosable: CTI (unrolling depth 4)")]
    public CheckResult ThreeWithoutChoosable() =>
        Expect(Prover.Prove(three, three.Properties.Where(p => p.Kind is PropertyKind.Invariant or PropertyKind.Step && p.Name != Verification.Protocols.Paxos.PaxosSpec.Choosable).ToList(),
            new ProverOptions { UnrollingDepth = 4 }), Verdict.Unknown, Inconclusive.NotInductive);

    [Benchmark(Description = "Paxos for every N (EPR): 40 obligations")]
    public CheckResult Parametric() => Expect(RelationalProver.Prove(Verification.Protocols.Paxos.PaxosRelational.Create()), Verdict.Holds);

    [Benchmark(Description = "Paxos for every N, without choosable: CTI")]
    public CheckResult ParametricWithoutChoosable()
    {
        var model = Verification.Protocols.Paxos.PaxosRelational.Create();
        return Expect(RelationalProver.Prove(model.WithInvariants(model.Invariants.Select(i => i.Name).Where(n => n != Verification.Protocols.Paxos.PaxosSpec.Choosable).ToList())), Verdict.Unknown, Inconclusive.NotInductive);
    }
}
