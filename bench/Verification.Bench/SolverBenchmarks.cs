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

/// <summary>
/// The Multi-Paxos and Raft proofs (issue 12, part 4): each protocol's finite model by induction and relational model
/// for every N, and each without the invariant it needs (a counterexample to induction); one Z3 context at a time
/// (as mypyvy works) and two (this machine's cores). Reference: mypyvy's own models of the two protocols take ~1.2 s
/// and ~4.7 s with this machine's Z3 4.8.12.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class ProtocolProofBenchmarks
{
    private Spec<Verification.Protocols.MultiPaxos.MultiPaxosStep> multiPaxos = null!;
    private Spec<Verification.Protocols.Raft.RaftStep> raft = null!;

    [Params(1, 2)]
    public int Parallelism { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        multiPaxos = Verification.Protocols.MultiPaxos.MultiPaxosModel.Create(acceptors: 3, slots: 2, rounds: 3, values: 2);
        raft = Verification.Protocols.Raft.RaftModel.Create(servers: 3, terms: 3, logLength: 2, commands: 2);
    }

    private ProverOptions Options(int unrollingDepth = 8) => new() { Parallelism = Parallelism, UnrollingDepth = unrollingDepth };

    private static CheckResult Expect(CheckResult actual, Verdict expected, Inconclusive? why = null) =>
        actual.Verdict == expected && actual.Why == why ? actual : throw new InvalidOperationException($"expected {expected} {why}, got {actual.Summary}");

    private static List<Property> ClaimsWithout<TEvent>(Spec<TEvent> spec, string left) where TEvent : class =>
        spec.Properties.Where(p => p.Kind is PropertyKind.Invariant or PropertyKind.Step && p.Name != left).ToList();

    private static RelationalModel Without(RelationalModel model, string left) => model.WithInvariants(model.Invariants.Select(i => i.Name).Where(n => n != left).ToList());

    [Benchmark(Description = "Multi-Paxos, 3 acceptors, 2 slots, 3 rounds: induction")]
    public CheckResult MultiPaxosFinite() => Expect(Prover.Prove(multiPaxos, options: Options()), Verdict.Holds);

    [Benchmark(Description = "Multi-Paxos, without choosable: CTI (unrolling depth 3)")]
    public CheckResult MultiPaxosFiniteWithoutChoosable() =>
        Expect(Prover.Prove(multiPaxos, ClaimsWithout(multiPaxos, Verification.Protocols.MultiPaxos.MultiPaxosModel.Choosable), Options(unrollingDepth: 3)),
            Verdict.Unknown, Inconclusive.NotInductive);

    [Benchmark(Description = "Multi-Paxos for every N (EPR)")]
    public CheckResult MultiPaxosParametric() => Expect(RelationalProver.Prove(Verification.Protocols.MultiPaxos.MultiPaxosRelational.Create(), Options()), Verdict.Holds);

    [Benchmark(Description = "Multi-Paxos for every N, without choosable: CTI")]
    public CheckResult MultiPaxosParametricWithoutChoosable() =>
        Expect(RelationalProver.Prove(Without(Verification.Protocols.MultiPaxos.MultiPaxosRelational.Create(), Verification.Protocols.MultiPaxos.MultiPaxosModel.Choosable), Options()),
            Verdict.Unknown, Inconclusive.NotInductive);

    [Benchmark(Description = "Raft, 3 servers, terms 0..2, logs of 2: induction")]
    public CheckResult RaftFinite() => Expect(Prover.Prove(raft, options: Options()), Verdict.Holds);

    [Benchmark(Description = "Raft, without the up-to-date-check invariant: CTI (unrolling depth 2)")]
    public CheckResult RaftFiniteWithoutUpToDateCheck() =>
        Expect(Prover.Prove(raft, ClaimsWithout(raft, Verification.Protocols.Raft.RaftModel.VotedCandidateHoldsChoosableEntry), Options(unrollingDepth: 2)),
            Verdict.Unknown, Inconclusive.NotInductive);

    [Benchmark(Description = "Raft for every N (EPR)")]
    public CheckResult RaftParametric() => Expect(RelationalProver.Prove(Verification.Protocols.Raft.RaftRelational.Create(), Options()), Verdict.Holds);

    [Benchmark(Description = "Raft for every N, without the up-to-date-check invariant: CTI")]
    public CheckResult RaftParametricWithoutUpToDateCheck() =>
        Expect(RelationalProver.Prove(Without(Verification.Protocols.Raft.RaftRelational.Create(), Verification.Protocols.Raft.RaftModel.VotedCandidateHoldsChoosableEntry), Options()),
            Verdict.Unknown, Inconclusive.NotInductive);
}
