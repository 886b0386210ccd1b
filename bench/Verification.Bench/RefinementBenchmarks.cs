using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Verification.Checkers.Smt;
using Verification.Checkers.Systematic;
using Verification.Protocols.ChainReplication;
using Verification.Protocols.MultiPaxos;
using Verification.Protocols.Paxos;
using Verification.Protocols.Raft;
using Verification.Specs;
using Verification.Specs.Consensus;
using Verification.Specs.Examples;

namespace Verification.Bench;

/// <summary>
/// Sequence variables against the encoding users wrote before them (one family of S·U slots indexed by s·U + k, plus
/// a family of lengths): chain replication's histories, 3 servers, 8 updates, the head taking every update and each
/// server forwarding it — evaluation per event and bytes allocated per event.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class SequenceEvaluationBenchmarks
{
    private const int Servers = 3, Updates = 8, Histories = 20_000;
    private ChainEvent[] history = null!;
    private Evaluator<ChainEvent> sequenceStart = null!, sequences = null!, familyStart = null!, family = null!;

    [GlobalSetup]
    public void Setup()
    {
        history = [.. Enumerable.Range(0, Updates).Select(u => (ChainEvent)new UpdateAccepted(0, u)),
            .. Enumerable.Range(1, Servers - 1).SelectMany(s => Enumerable.Range(0, Updates).Select(u => (ChainEvent)new UpdateForwarded(s - 1, s, u)))];
        sequenceStart = ChainReplicationSpec.Create(Servers, Updates).NewEvaluator();
        sequences = sequenceStart.Fork();
        familyStart = FamilyEncoded(Servers, Updates).NewEvaluator();
        family = familyStart.Fork();
        foreach (var evt in history) { sequences.Step(evt); family.Step(evt); } // compile outside the measurement
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Histories * Servers * Updates, Description = "chain histories as a family of S·U slots (per event)")]
    public long Family() => Run(familyStart, family);

    [Benchmark(OperationsPerInvoke = Histories * Servers * Updates, Description = "chain histories as sequence variables (per event)")]
    public long Sequences() => Run(sequenceStart, sequences);

    private long Run(Evaluator<ChainEvent> start, Evaluator<ChainEvent> evaluator)
    {
        for (var i = 0; i < Histories; i++)
        {
            evaluator.CopyFrom(start);
            foreach (var evt in history) evaluator.Step(evt);
        }
        return evaluator.Length;
    }

    /// <summary>The same histories without sequences: slot s·U + k holds server s's k-th update.</summary>
    private static Spec<ChainEvent> FamilyEncoded(int servers, int updates)
    {
        var spec = new SpecBuilder<ChainEvent>("ChainAsFamilies");
        var length = spec.Family<int>("length", servers);
        var slot = spec.Family<int>("slot", servers * updates);
        var removed = spec.Family<bool>("removed", servers);
        spec.Define(length, s => 0, (e, s) => e.Is((UpdateAccepted a) => a.Server == s) || e.Is((UpdateForwarded f) => f.To == s) ? length.Now(s) + 1 : length.Now(s));
        spec.Define(slot, k => 0, (e, k) => e
            .When((UpdateAccepted a) => a.Server == k / updates && length.Now(a.Server) == k % updates ? a.Update : slot.Now(k))
            .When((UpdateForwarded f) => f.To == k / updates && length.Now(f.To) == k % updates ? f.Update : slot.Now(k))
            .Else(slot.Now(k)));
        spec.Define(removed, s => false, (e, s) => removed.Now(s) || e.Is((ServerRemoved r) => r.Server == s));
        return spec.Build();
    }
}

/// <summary>
/// What online refinement costs a systematic run: Raft against RaftSpec alone and against "Raft refines ReplicatedLog"
/// with its servers' state mapped after every step; Multi-Paxos with and without its state mapping. One core,
/// 200 runs of the default portfolio under the full fault model, minimisation off.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class RefinementOverheadBenchmarks
{
    private const int Runs = 200;
    private static readonly FaultModel Faults = FaultModel.Full(f: 1, losses: 3, duplicates: 2, partitions: 1);

    private static CheckResult Run<TState, TMessage, TTimer, TDurable, TEvent>(Verification.Runtime.Protocol<TState, TMessage, TTimer, TDurable, TEvent> protocol, int steps)
        where TState : class where TMessage : notnull where TTimer : notnull where TDurable : class where TEvent : class =>
        protocol.Tester(new TestOptions { Seed = 3, Iterations = Runs, MaxSteps = steps, CheckLiveness = false, Faults = Faults, Parallelism = 1, Minimize = false }).Run() is { Verdict: Verdict.Holds } result
            ? result : throw new InvalidOperationException("a correct system failed");

    [Benchmark(Description = "Raft, RaftSpec alone (200 runs)")]
    public CheckResult Raft() => Run(RaftNode.System(new RaftConfig()), 300);

    [Benchmark(Description = "Raft refines ReplicatedLog, servers mapped (200 runs)")]
    public CheckResult RaftRefinement() => Run(RaftNode.System(new RaftConfig { RefinesReplicatedLog = true }), 300);

    [Benchmark(Description = "Multi-Paxos, replicated log without the state mapping (200 runs)")]
    public CheckResult MultiPaxosUnmapped() => Run(MultiPaxosNode.System(new MultiPaxosConfig()) with { StateMapping = null }, 250);

    [Benchmark(Description = "Multi-Paxos, replicas mapped to the replicated log (200 runs)")]
    public CheckResult MultiPaxosMapped() => Run(MultiPaxosNode.System(new MultiPaxosConfig()), 250);
}

/// <summary>Z3 times of the refinement and comparison proofs, and of the sequence spec's induction.</summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class RefinementProofBenchmarks
{
    private static CheckResult Expect(CheckResult actual, Verdict expected) =>
        actual.Verdict == expected ? actual : throw new InvalidOperationException($"expected {expected}, got {actual.Summary}");

    [Benchmark(Description = "Paxos refines Consensus (3 acceptors, 2 values, 2 ballots): induction")]
    public CheckResult PaxosConsensus() => Expect(Prover.Prove(PaxosRefinement.RefinesConsensus(3, 2, 2)), Verdict.Holds);

    [Benchmark(Description = "Paxos refines Lamport's Voting (3 acceptors, 2 values, 3 ballots): induction")]
    public CheckResult PaxosVoting() => Expect(Prover.Prove(PaxosVotingRefinement.Create(3, 2, 3)), Verdict.Holds);

    [Benchmark(Description = "RaftSpec implies the replicated log (3 servers, 2 entries, 2 terms): induction")]
    public CheckResult RaftLog() => Expect(Prover.Prove(RaftRefinement.RefinesReplicatedLog(3, 2, 2, 2, assumeRaftSpec: true)), Verdict.Holds);

    [Benchmark(Description = "Chain replication (3 servers, 3 updates, sequences): induction")]
    public CheckResult Chain() => Expect(Prover.Prove(ChainReplicationSpec.Create(3, 3)), Verdict.Holds);

    [Benchmark(Description = "Consensus ⊆ Consensus without Agreement: induction")]
    public CheckResult Inclusion() => Expect(SpecComparison.ProveInclusion(AbstractConsensus.Create(2), AbstractConsensus.WithoutAgreement(2)), Verdict.Holds);

    [Benchmark(Description = "Shift register composed = direct (3 cells): induction")]
    public CheckResult ShiftRegisters()
    {
        var (composed, direct) = (ShiftRegister.Create(3), DirectShiftRegister.Create(3));
        return Expect(SpecComparison.ProveInclusion(composed, direct, DirectShiftRegister.CellsOf(composed, direct)), Verdict.Holds);
    }
}

/// <summary>
/// The issue's question for SMT: our sequences (a length and bounded slots, plain integer constants) against Z3's
/// sequence theory, on the same query — the consecution of chain replication's Update Propagation Invariant for a
/// forwarding step, 3 servers, histories of at most 3 updates — both sent to libz3 as SMT-LIB text.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 10)]
public class SequenceTheoryBenchmarks
{
    /// <summary>Our encoding, as the prover writes it: per server a length and 3 slots, every quantifier expanded.</summary>
    private static string Slots()
    {
        var text = new System.Text.StringBuilder();
        for (var s = 0; s < 3; s++)
        {
            text.Append($"(declare-const len{s} Int)(declare-const len{s}_n Int)(assert (and (<= 0 len{s}) (<= len{s} 3)))");
            for (var k = 0; k < 3; k++) text.Append($"(declare-const h{s}_{k} Int)(declare-const h{s}_{k}_n Int)");
        }
        string prefix(string j, string i, string tick) => "(and (<= len" + j + tick + " len" + i + tick + ") " + string.Concat(Enumerable.Range(0, 3).Select(k => $"(or (>= {k} len{j}{tick}) (= h{j}_{k}{tick} h{i}_{k}{tick}))")) + ")";
        // Invariant before: every later server's history is a prefix of every earlier one's.
        text.Append($"(assert (and {prefix("1", "0", "")} {prefix("2", "0", "")} {prefix("2", "1", "")}))");
        // Server 2 takes server 1's next update (the one at its own length).
        text.Append("(assert (< len2 len1))(assert (= len2_n (+ len2 1)))(assert (= len0_n len0))(assert (= len1_n len1))");
        for (var k = 0; k < 3; k++)
        {
            var taken = string.Concat(Enumerable.Range(0, 3).Select(m => $"(ite (= len2 {m}) h1_{m} ")) + "0)))";
            text.Append($"(assert (= h0_{k}_n h0_{k}))(assert (= h1_{k}_n h1_{k}))(assert (= h2_{k}_n (ite (= len2 {k}) {taken} h2_{k})))");
        }
        text.Append($"(assert (not (and {prefix("1", "0", "_n")} {prefix("2", "0", "_n")} {prefix("2", "1", "_n")})))");
        return text.ToString();
    }

    /// <summary>The same query in Z3's theory of sequences.</summary>
    private static string Theory() => """
        (declare-const h0 (Seq Int)) (declare-const h1 (Seq Int)) (declare-const h2 (Seq Int)) (declare-const h2n (Seq Int))
        (assert (and (<= (seq.len h0) 3) (<= (seq.len h1) 3) (<= (seq.len h2) 3)))
        (assert (and (seq.prefixof h1 h0) (seq.prefixof h2 h0) (seq.prefixof h2 h1)))
        (assert (< (seq.len h2) (seq.len h1)))
        (assert (= h2n (seq.++ h2 (seq.at h1 (seq.len h2)))))
        (assert (not (and (seq.prefixof h1 h0) (seq.prefixof h2n h0) (seq.prefixof h2n h1))))
        """;

    private static SatResult Query(string text)
    {
        using var session = new Z3Session(TimeSpan.FromSeconds(60));
        var result = session.Check(text);
        return result == SatResult.Unsat ? result : throw new InvalidOperationException($"the consecution query should be unsatisfiable, got {result}");
    }

    [Benchmark(Baseline = true, Description = "Update Propagation consecution: length + bounded slots")]
    public SatResult BoundedSlots() => Query(Slots());

    [Benchmark(Description = "Update Propagation consecution: Z3 sequence theory")]
    public SatResult SequenceTheory() => Query(Theory());

}
