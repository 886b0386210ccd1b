using Verification.Checkers;
using Verification.AsyncExamples.Checks;
using Verification.Checkers.Linearizability;
using Verification.Checkers.Smt;
using Verification.Checkers.Teaching;
using Verification.Protocols.ChainReplication;
using Verification.Protocols.Flp;
using Verification.Protocols.MultiPaxos;
using Verification.Protocols.Paxos;
using Verification.Protocols.Raft;
using Verification.Specs;
using Verification.Specs.Consensus;
using Verification.Specs.Examples;
using Verification.Specs.Replication;

namespace Verification.Cli.Catalog;

/// <summary>What a check is about (the JSON report's "kind").</summary>
public enum CheckKind
{
    Spec,
    History,
    Proof,
    Protocol,
    PlantedBug,
    Teaching,
}

/// <summary>What a check of the catalog checks, and how: data, run by <see cref="CheckCatalog.Run"/>.</summary>
public abstract record CheckTarget;

/// <summary>Random histories of a shipped spec; its three uses (compiled, reference, SMT) cross-checked.</summary>
public sealed record RandomHistoriesOf(ISpecEntry Spec) : CheckTarget;

/// <summary>A recorded history embedded in the tool, validated against a spec.</summary>
public sealed record RecordedHistory(ISpecEntry Spec, string File) : CheckTarget;

/// <summary>Claims of a spec (all when null) sent to Z3: induction, then bounded unrolling.</summary>
public sealed record InductionOf(ISpecEntry Spec, IReadOnlyList<string>? Claims) : CheckTarget
{
    /// <summary>How far bounded unrolling looks for a real history after a failed induction (a protocol model's histories get long fast).</summary>
    public int UnrollingDepth { get; init; } = new ProverOptions().UnrollingDepth;
}

/// <summary>A relational model proved for every size of its sorts.</summary>
public sealed record RelationalInduction(RelationalModel Model) : CheckTarget;

/// <summary>Two specs compared (the shortest history one accepts and the other rejects, or inclusion by induction).</summary>
public sealed record ComparisonOf(Func<CheckResult> Compare) : CheckTarget;

/// <summary>Quorum intersection (of one system, or of Flexible Paxos's two phases) proved or refuted by Z3.</summary>
public sealed record QuorumsOf(QuorumSystem First, QuorumSystem? Second = null) : CheckTarget;

/// <summary>A check computed by a function of the toolkit: a teaching story (FLP, the synchronous contrast), an async example under the controlled runtime.</summary>
public sealed record Computed(Func<CheckResult> Run) : CheckTarget;

/// <summary>One of the checks a registered system declares about itself.</summary>
public sealed record OfSystem(ISystemDefinition System, SystemCheck Check) : CheckTarget;

/// <summary>A check of the default catalog: what it is, the verdict it must have, and its target.</summary>
public sealed record CatalogCheck(string Name, CheckKind Kind, Expectation Expected, string Description, CheckTarget Target);

/// <summary>
/// The checks the command-line tool runs by default: each shipped spec's uses agree and its properties hold on
/// random histories, recorded histories are validated, and the claims are sent to Z3 — each with the verdict it
/// must have, including the ones that must fail (a false claim, a bad log, a non-inductive invariant).
/// </summary>
public static class CheckCatalog
{
    public static IReadOnlyList<ISpecEntry> Specs { get; } =
    [
        new SpecEntry<CounterEvent>(Counter.Name, "the seed's C (length) and SinceReset", () => Counter.Create()),
        new SpecEntry<CounterEvent>(Counter.Name + "WithFalseClaim", "Counter plus the false claim SinceReset < C", () => Counter.Create(withFalseClaim: true), randomHistoriesViolate: true),
        new SpecEntry<SchedulerEvent>(Scheduler.Name, "the seed's Clock, Executing, priority_p and waiting_p", () => Scheduler.Create(), maxInteger: 2),
        new SpecEntry<ShiftEvent>(ShiftRegister.Name, "the seed's shift register composed from instances of L", () => ShiftRegister.Create(4), maxInteger: 9),
        new SpecEntry<CounterEvent>("LastEvent", "the seed's L, undefined at Nil", LastEvent.Create<CounterEvent>),
        new SpecEntry<LockEvent>(LockService.Name, "a lock service's log: guards and invariants", () => LockService.Create(), maxInteger: 2),
        new SpecEntry<PaxosEvent>(PaxosSpec.Name, "the Paxos protocol (3 acceptors, 2 values, 3 ballots, majorities): rules as guards, the inductive invariant, consensus",
            () => PaxosSpec.Create(acceptors: 3, values: 2, ballots: 3), maxInteger: 2, minInteger: -1),
        new SpecEntry<PaxosEvent>(PaxosSpec.Name + "5", "the Paxos protocol with 5 acceptors (2 values, 3 ballots, majorities)",
            () => PaxosSpec.Create(acceptors: 5, values: 2, ballots: 3), maxInteger: 4, minInteger: -1),
        new SpecEntry<MultiPaxosStep>(MultiPaxosModel.Name, "Multi-Paxos as per-slot Paxos under a leader's round (3 acceptors, 2 slots, 3 rounds, 2 values): rules as guards, the inductive invariant, agreement per slot",
            () => MultiPaxosModel.Create(acceptors: 3, slots: 2, rounds: 3, values: 2), maxInteger: 2, minInteger: -1),
        new SpecEntry<RaftStep>(RaftModel.Name, "Raft's protocol (3 servers, terms 0..2, logs of 2, 2 commands): elections, replication, commit as guards; the inductive invariant; Raft's safety properties",
            () => RaftModel.Create(servers: 3, terms: 3, logLength: 2, commands: 2), maxInteger: 2),
        new SpecEntry<LogEvent>(ReplicatedLogSpec.Name, "a replicated log (3 slots, 2 commands, 2 replicas): slot agreement, validity, in-order once-only execution",
            () => ReplicatedLogSpec.Create(slots: 3, commands: 2, replicas: 2), maxInteger: 2, randomHistoriesViolate: true, minInteger: -2),
        new SpecEntry<ChainEvent>(ChainReplicationSpec.Name, "chain replication (3 servers, 3 updates): each server's history a sequence, the Update Propagation Invariant in one line",
            () => ChainReplicationSpec.Create(servers: 3, updates: 3), maxInteger: 2),
        new SpecEntry<ChainEvent>(ChainReplicationSpec.Name + "SkippingLiveServers", "chain replication with a planted bug: a server takes updates past a live predecessor",
            () => ChainReplicationSpec.Create(servers: 3, updates: 2, skipLiveServers: true), maxInteger: 2, randomHistoriesViolate: true),
        new SpecEntry<PaxosEvent>("PaxosRefinesConsensus", "Paxos refines Consensus (3 acceptors, 2 values, 2 ballots): Paxos's spec, Consensus's rules on the mapped events, the state mapping",
            () => PaxosRefinement.RefinesConsensus(acceptors: 3, values: 2, ballots: 2), maxInteger: 2, minInteger: -1),
        new SpecEntry<PaxosEvent>("PaxosRefinesConsensus[DropsLearning]", "the same with a planted mapping bug: learning is not passed up to Consensus",
            () => PaxosRefinement.RefinesConsensus(acceptors: 3, values: 2, ballots: 2, PaxosRefinement.DropsLearning), maxInteger: 2, minInteger: -1, randomHistoriesViolate: true),
        new SpecEntry<PaxosEvent>("PaxosRefinesVoting", "Paxos refines Lamport's Voting (3 acceptors, 2 values, 3 ballots): a promise raises maxBal, a 2b is a vote, votes safe at their ballot",
            () => PaxosVotingRefinement.Create(acceptors: 3, values: 2, ballots: 3), maxInteger: 2, minInteger: -1),
        new SpecEntry<RaftEvent>("RaftSpecImpliesReplicatedLog", "RaftSpec implies the replicated log (3 servers, 2 log entries, 2 terms, 2 commands): RaftSpec's properties assumed",
            () => RaftRefinement.RefinesReplicatedLog(servers: 3, logLength: 2, terms: 2, commands: 2, assumeRaftSpec: true), maxInteger: 2, minInteger: -2),
    ];

    /// <summary>Protocols stated over unbounded sorts (proved for every N); `verify prove` accepts their names too.</summary>
    public static IReadOnlyList<RelationalModel> RelationalModels { get; } =
        [PaxosRelational.Create(), PaxosRelational.Create(PaxosQuorums.Flexible), PaxosRelational.Create(PaxosQuorums.FlexibleWithPhase2IntersectionOnly), MultiPaxosRelational.Create(), RaftRelational.Create()];

    public static RelationalModel? RelationalModel(string name) =>
        RelationalModels.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));

    public static ISpecEntry Spec(string name) =>
        Specs.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new SpecException($"no spec named '{name}' (available: {string.Join(", ", Specs.Select(s => s.Name))})");

    /// <summary>
    /// Every check of the default run, as data: each shipped spec's random histories, the recorded histories, the
    /// proofs, and every check each registered system declares about itself (its folder says what must hold and
    /// which planted bug must be found).
    /// </summary>
    public static IReadOnlyList<CatalogCheck> Default()
    {
        var checks = new List<CatalogCheck>();
        foreach (var entry in Specs)
            checks.Add(new($"{entry.Name}: random histories, three uses agree", CheckKind.Spec, entry.RandomHistoriesViolate ? Expectation.Violated() : Expectation.Holds,
                "200 random histories of 50 events (guarded specs: events their guards allow): properties checked incrementally; reference evaluator and SMT translation cross-checked",
                new RandomHistoriesOf(entry)));
        foreach (var (file, spec, expected) in new[]
                 {
                     ("lock-service-ok.jsonl", LockService.Name, Expectation.Holds),
                     ("lock-service-double-grant.jsonl", LockService.Name, Expectation.Violated("GrantedOnlyWhenFree")),
                     ("scheduler-ok.jsonl", Scheduler.Name, Expectation.Holds),
                     ("shift-register-ok.jsonl", ShiftRegister.Name, Expectation.Holds),
                 })
            checks.Add(new($"{spec}: recorded history {file}", CheckKind.History, expected, "trace validation of an embedded log", new RecordedHistory(Spec(spec), file)));
        checks.Add(Proof("Counter: SinceReset ≤ C by induction", Counter.Name, ["SinceResetNonNegative", "SinceResetAtMostLength"], Expectation.Holds));
        checks.Add(Proof("Counter: SinceReset ≤ C alone is not inductive", Counter.Name, ["SinceResetAtMostLength"], Expectation.NotInductive));
        checks.Add(Proof("Counter: the false claim SinceReset < C", Counter.Name + "WithFalseClaim", ["SinceResetBelowLength"], Expectation.Violated("SinceResetBelowLength")));
        checks.Add(Proof("Scheduler: all properties by induction", Scheduler.Name, null, Expectation.Holds));
        checks.Add(Proof("ShiftRegister: step properties by induction", ShiftRegister.Name, null, Expectation.Holds));
        checks.Add(Proof("LockService: invariants over guarded histories", LockService.Name, null, Expectation.Holds));
        checks.Add(Proof("Paxos, 3 acceptors: consensus and the EPR invariant by induction", PaxosSpec.Name, null, Expectation.Holds));
        checks.Add(Proof("Paxos, 5 acceptors: consensus and the EPR invariant by induction", PaxosSpec.Name + "5", null, Expectation.Holds));
        checks.Add(Proof("Paxos, 3 acceptors, without 'choosable': not inductive", PaxosSpec.Name,
            Spec(PaxosSpec.Name).Spec.Properties.Where(p => p.Kind is PropertyKind.Invariant or PropertyKind.Step && p.Name != PaxosSpec.Choosable).Select(p => p.Name).ToArray(), Expectation.NotInductive,
            unrollingDepth: 4)); // 4 events, as the benchmark: depth 8 took 14 s of the default check to find no real history either
        checks.Add(Proof("Chain replication: the Update Propagation Invariant by induction", ChainReplicationSpec.Name, null, Expectation.Holds));
        checks.Add(Proof("Chain replication, skipping a live server: Update Propagation broken", ChainReplicationSpec.Name + "SkippingLiveServers", null, Expectation.Violated(ChainReplicationSpec.UpdatePropagation)));
        checks.Add(Proof("Paxos refines Consensus: Consensus's obligations and the state mapping by induction", "PaxosRefinesConsensus", null, Expectation.Holds));
        checks.Add(Proof("Paxos refines Consensus, planted mapping bug that drops learning", "PaxosRefinesConsensus[DropsLearning]", null, Expectation.Violated("Consensus.chosen=mapping")));
        checks.Add(Proof("Paxos refines Lamport's Voting: every vote safe at its ballot, by induction", "PaxosRefinesVoting", null, Expectation.Holds));
        checks.Add(Proof("RaftSpec implies the replicated log: its obligations and the state mapping by induction", "RaftSpecImpliesReplicatedLog", null, Expectation.Holds));
        checks.Add(new("Consensus without Agreement against Consensus: the shortest history one accepts and the other rejects", CheckKind.Proof,
            Expectation.Violated("Consensus.Agreement"), "breadth-first over every history of 6 events' alphabet, up to 6 events",
            new ComparisonOf(() => SpecComparison.ShortestDifference(AbstractConsensus.WithoutAgreement(2), AbstractConsensus.Create(2), ConsensusEvents, maxLength: 6))));
        checks.Add(new("Consensus is included in Consensus without Agreement, by induction", CheckKind.Proof, Expectation.Holds, "sent to Z3 through libz3",
            new ComparisonOf(() => SpecComparison.ProveInclusion(AbstractConsensus.Create(2), AbstractConsensus.WithoutAgreement(2)))));
        checks.Add(new("The seed's shift register composed from L equals a direct definition, by induction", CheckKind.Proof, Expectation.Holds, "sent to Z3 through libz3",
            new ComparisonOf(() => Compare(ShiftRegister.Create(3), DirectShiftRegister.Create(3), (composed, direct, cells) => SpecComparison.ProveInclusion(composed, direct, cells)))));
        checks.Add(new("A direct shift register whose Left shift goes the wrong way is told apart from the composed one", CheckKind.Proof,
            Expectation.Violated("DirectShiftRegisterLeftWrongWay.filled=mapping[i=1]"), "breadth-first over histories of Right/Left shifts",
            new ComparisonOf(() => Compare(ShiftRegister.Create(3), DirectShiftRegister.Create(3, leftShiftsTheWrongWay: true),
                (composed, direct, cells) => SpecComparison.ShortestDifference(composed, direct, [new Right(1), new Right(2), new Left(1), new Left(2)], maxLength: 8, cells)))));
        var parametric = PaxosRelational.Create();
        checks.Add(new("Paxos for every N (EPR: uninterpreted sorts, quorum intersection as an axiom)", CheckKind.Proof, Expectation.Holds,
            "each invariant initially and across each action, sent to Z3 through libz3", new RelationalInduction(parametric)));
        checks.Add(new("Paxos for every N, without 'choosable': not inductive", CheckKind.Proof, Expectation.NotInductive,
            "each invariant initially and across each action, sent to Z3 through libz3",
            new RelationalInduction(parametric.WithInvariants(parametric.Invariants.Where(i => i.Name != PaxosSpec.Choosable).Select(i => i.Name).ToList()))));
        checks.Add(new("Flexible Paxos for every N (phase-1 and phase-2 quorums; only Q1 ∩ Q2 ≠ ∅ assumed)", CheckKind.Proof, Expectation.Holds,
            "each invariant initially and across each action, sent to Z3 through libz3", new RelationalInduction(PaxosRelational.Create(PaxosQuorums.Flexible))));
        checks.Add(new("Flexible Paxos for every N, assuming only that phase-2 quorums intersect: not inductive", CheckKind.Proof, Expectation.NotInductive,
            "each invariant initially and across each action, sent to Z3 through libz3", new RelationalInduction(PaxosRelational.Create(PaxosQuorums.FlexibleWithPhase2IntersectionOnly))));
        checks.AddRange(QuorumChecks());
        checks.AddRange(ProtocolProofs("Multi-Paxos", "3 acceptors, 2 slots", MultiPaxosModel.Name, MultiPaxosModel.Choosable, "'choosable'", unrollingDepth: 3,
            MultiPaxosRelational.Create(), "agreement in every slot"));
        checks.AddRange(ProtocolProofs("Raft", "3 servers", RaftModel.Name, RaftModel.VotedCandidateHoldsChoosableEntry, "the invariant carrying the up-to-date check", unrollingDepth: 2,
            RaftRelational.Create(), "Election Safety, Log Matching, Leader Completeness, State Machine Safety"));
        checks.AddRange(OfSystems(Systems.Shipped));
        checks.AddRange(FlpStories());
        checks.AddRange(AsyncExamples());
        return checks;
    }

    /// <summary>
    /// Ordinary async C# under the controlled runtime (the examples' assembly is rewritten in this tool's output
    /// directory by Verification.Controlled.targets): each planted bug found, each fix clean over its budget.
    /// </summary>
    private static IEnumerable<CatalogCheck> AsyncExamples()
    {
        const string how = "controlled interleavings of the rewritten example (portfolio of random and PCT)";
        yield return new("Async: AccountService's create-if-absent is a check-then-act race", CheckKind.PlantedBug, Expectation.Violated("InvalidOperationException"), how,
            new Computed(() => AsyncExampleChecks.Accounts(serialised: false, runs: 100)));
        yield return new("Async: SerialisedAccountService opens each account once (2,000 runs)", CheckKind.Protocol, Expectation.Holds, how,
            new Computed(() => AsyncExampleChecks.Accounts(serialised: true, runs: 2_000)));
        yield return new("Async: a bounded buffer with Monitor.Pulse deadlocks", CheckKind.PlantedBug, Expectation.Violated("Deadlock"), how,
            new Computed(() => AsyncExampleChecks.BoundedBuffer(pulseAll: false, runs: 2_000)));
        yield return new("Async: the bounded buffer with Monitor.PulseAll never deadlocks (2,000 runs)", CheckKind.Protocol, Expectation.Holds, how,
            new Computed(() => AsyncExampleChecks.BoundedBuffer(pulseAll: true, runs: 2_000)));
        yield return new("Async: a lock-free stack whose push loses updates is not linearizable (Lincheck-style)", CheckKind.PlantedBug, Expectation.Violated(LinearizabilityChecker.Property), how,
            new Computed(() => AsyncExampleChecks.Stack(treiber: false, runsPerScenario: 200)));
        yield return new("Async: the Treiber stack is linearizable (20 scenarios × 250 runs)", CheckKind.Protocol, Expectation.Holds, how,
            new Computed(() => AsyncExampleChecks.Stack(treiber: true, runsPerScenario: 250)));
        yield return new("Async: a Raft replica applying unserialised breaks AppliedInOrder", CheckKind.PlantedBug, Expectation.Violated("AppliedInOrder", "ReplicatedLog.AppliedInOrder"), how,
            new Computed(() => AsyncExampleChecks.Raft(unserialisedApply: true, runs: 300)));
        yield return new("Async: the Raft replica satisfies RaftSpec and ReplicatedLogSpec (1,000 runs, partially synchronous timers)", CheckKind.Protocol, Expectation.Holds, how,
            new Computed(() => AsyncExampleChecks.Raft(unserialisedApply: false, runs: 1_000)));
    }

    /// <summary>FLP made executable: each shipped student protocol escapes the theorem, and the story says how; then the synchronous contrast.</summary>
    private static IEnumerable<CatalogCheck> FlpStories()
    {
        const string how = "every configuration of FLP's model explored, valences computed, Lemmas 2 and 3 told";
        yield return new("FLP: DecideOnFirstHeard always decides, so it is unsafe", CheckKind.Teaching, Expectation.Violated(Flp.Agreement), how,
            new Computed(() => Flp.Tell(FlpProtocols.DecideOnFirstHeard())));
        yield return new("FLP: WaitForAll is safe, has no bivalent initial configuration, and blocks when one process crashes", CheckKind.Teaching,
            Expectation.Violated(Flp.DecidesDespiteOneCrash), how, new Computed(() => Flp.Tell(FlpProtocols.WaitForAll())));
        yield return new("FLP: LeaderDecidesFirstHeard is bivalent; Lemma 3 fails exactly where the leader's crash blocks it", CheckKind.Teaching,
            Expectation.Violated(Flp.DecidesDespiteOneCrash), how, new Computed(() => Flp.Tell(FlpProtocols.LeaderDecidesFirstHeard())));
        yield return new("FLP: Ben-Or's rounds without the coin are safe but have a fair run that never decides", CheckKind.Teaching,
            Expectation.Violated(Flp.DecidesOnEveryFairRun), how, new Computed(() => Flp.Tell(FlpProtocols.RoundsWithoutCoin())));
        // The contrast: lock-step rounds make consensus solvable, in f + 1 rounds and not in f.
        const string rounds = "every input and every failure pattern the adversary may choose, exhaustively";
        yield return new("Synchronous: FloodSet decides in f + 1 rounds under every crash pattern (4 processes, f = 2)", CheckKind.Teaching, Expectation.Holds, rounds,
            new Computed(() => Synchronous.FloodSet(4, 2, rounds: 3)));
        yield return new("Synchronous: FloodSet with only f rounds disagrees after a chain of crashes (4 processes, f = 2)", CheckKind.Teaching, Expectation.Violated(Synchronous.Agreement), rounds,
            new Computed(() => Synchronous.FloodSet(4, 2, rounds: 2)));
        yield return new("Synchronous: Dolev–Strong agrees in f + 1 rounds whatever a Byzantine sender signs (4 processes, f = 1)", CheckKind.Teaching, Expectation.Holds, rounds,
            new Computed(() => Synchronous.DolevStrong(4, [0], rounds: 2)));
        yield return new("Synchronous: Dolev–Strong with only f rounds lets a Byzantine sender split the others (4 processes, f = 1)", CheckKind.Teaching, Expectation.Violated(Synchronous.Agreement), rounds,
            new Computed(() => Synchronous.DolevStrong(4, [0], rounds: 1)));
    }

    /// <summary>
    /// Quorum systems a protocol might use: each sound one proved to intersect for its N, and a mistaken variant of each
    /// refuted with two disjoint quorums (the tests cross-check both answers by enumeration).
    /// </summary>
    private static IEnumerable<CatalogCheck> QuorumChecks()
    {
        const string how = "sent to Z3 through libz3: a pair of disjoint quorums, or none";
        CatalogCheck Check(string name, Expectation expected, QuorumSystem first, QuorumSystem? second = null) => new(name, CheckKind.Proof, expected, how, new QuorumsOf(first, second));
        var disjoint = Expectation.Violated(QuorumIntersection.QuorumsIntersect);
        yield return Check("Quorums: majority of 5 intersect", Expectation.Holds, QuorumSystem.Majority(5));
        yield return Check("Quorums: any 2 of 4 (⌊N/2⌋) can miss each other", disjoint, QuorumSystem.AtLeast(4, 2));
        yield return Check("Quorums: weighted majority [3,1,1,1,1] intersect", Expectation.Holds, QuorumSystem.WeightedMajority([3, 1, 1, 1, 1]));
        yield return Check("Quorums: half the weight [2,1,1,2] can miss each other", disjoint, QuorumSystem.WeightedMajority([2, 1, 1, 2], atLeastHalf: true));
        yield return Check("Quorums: grid 3×4 (a row and a column) intersect", Expectation.Holds, QuorumSystem.Grid(3, 4));
        yield return Check("Quorums: grid 3×4 with a row alone can miss each other", disjoint, QuorumSystem.Grid(3, 4, rowsOnly: true));
        var (phase1, phase2) = QuorumSystem.FlexiblePaxos(7, 5, 3);
        yield return Check("Quorums: Flexible Paxos, N = 7, |Q1| = 5, |Q2| = 3: every phase-1 quorum meets every phase-2 quorum", Expectation.Holds, phase1, phase2);
        var (small1, small2) = QuorumSystem.FlexiblePaxos(7, 4, 3);
        yield return Check("Quorums: Flexible Paxos, N = 7, |Q1| = 4, |Q2| = 3 (|Q1| + |Q2| = N) can miss each other", Expectation.Violated(QuorumIntersection.Phase1MeetsPhase2), small1, small2);
    }

    /// <summary>The checks that systems declare themselves (each system × named configuration × method × expected verdict).</summary>
    public static IEnumerable<CatalogCheck> OfSystems(IEnumerable<ISystemDefinition> systems) =>
        from system in systems
        from check in system.Checks
        select new CatalogCheck(check.Name, check.Expected.Verdict == Verdict.Violated ? CheckKind.PlantedBug : CheckKind.Protocol, check.Expected, check.Description, new OfSystem(system, check));

    private static readonly ConsensusEvent[] ConsensusEvents =
        [new ValueProposed(0), new ValueProposed(1), new ValueLearned(0, 0), new ValueLearned(0, 1), new ValueLearned(1, 0), new ValueLearned(1, 1)];

    private static CheckResult Compare(Spec<ShiftEvent> composed, Spec<ShiftEvent> direct,
        Func<Spec<ShiftEvent>, Spec<ShiftEvent>, Func<RefinementBuilder<ShiftEvent, ShiftEvent>, RefinementBuilder<ShiftEvent, ShiftEvent>>, CheckResult> compare) =>
        compare(composed, direct, DirectShiftRegister.CellsOf(composed, direct));

    private static CatalogCheck Proof(string name, string spec, string[]? claims, Expectation expected, int unrollingDepth = 8) =>
        new(name, CheckKind.Proof, expected, unrollingDepth == 8 ? "sent to Z3 through libz3" : $"sent to Z3 through libz3; bounded unrolling to {unrollingDepth} events finds no real history",
            new InductionOf(Spec(spec), claims) { UnrollingDepth = unrollingDepth });

    /// <summary>
    /// A protocol's four proofs: its finite model by induction, the same without a needed auxiliary invariant (not
    /// inductive), its relational model for every size, and that without the same invariant (not inductive).
    /// </summary>
    private static IEnumerable<CatalogCheck> ProtocolProofs(string protocol, string size, string finite, string needed, string neededInWords, int unrollingDepth,
        RelationalModel parametric, string properties)
    {
        var claims = Spec(finite).Spec.Properties.Where(p => p.Kind is PropertyKind.Invariant or PropertyKind.Step).Select(p => p.Name).ToArray();
        yield return new($"{protocol}, {size}: {properties} by induction", CheckKind.Proof, Expectation.Holds, "sent to Z3 through libz3",
            new InductionOf(Spec(finite), null) { UnrollingDepth = unrollingDepth });
        yield return new($"{protocol}, {size}, without {neededInWords}: not inductive", CheckKind.Proof, Expectation.NotInductive,
            $"sent to Z3 through libz3; bounded unrolling to {unrollingDepth} events finds no real history", new InductionOf(Spec(finite), [.. claims.Where(c => c != needed)]) { UnrollingDepth = unrollingDepth });
        yield return new($"{protocol} for every N (EPR: uninterpreted sorts, quorum intersection as an axiom)", CheckKind.Proof, Expectation.Holds,
            "each invariant initially and across each action, sent to Z3 through libz3", new RelationalInduction(parametric));
        yield return new($"{protocol} for every N, without {neededInWords}: not inductive", CheckKind.Proof, Expectation.NotInductive,
            "each invariant initially and across each action, sent to Z3 through libz3",
            new RelationalInduction(parametric.WithInvariants(parametric.Invariants.Where(i => i.Name != needed).Select(i => i.Name).ToList())));
    }

    /// <summary>
    /// Runs one check: the interpreter of the catalog's data. A system's check runs on every core with the given
    /// seed, and its counterexamples are saved under <paramref name="scheduleDirectory"/> (default: the tester's); an
    /// exhaustive search reports its progress on stderr every 10 s.
    /// </summary>
    public static CheckResult Run(CatalogCheck check, int seed, string? scheduleDirectory = null) => check.Target switch
    {
        RandomHistoriesOf random => random.Spec.CheckRandom(seed, runs: 200, length: 50, crossChecked: 20),
        RecordedHistory recorded => HistoryCheck(recorded.Spec, recorded.File),
        InductionOf proof => proof.Spec.Prove(proof.Claims, new ProverOptions { UnrollingDepth = proof.UnrollingDepth, Parallelism = Environment.ProcessorCount }),
        RelationalInduction relational => RelationalProver.Prove(relational.Model, new ProverOptions { Parallelism = Environment.ProcessorCount }),
        ComparisonOf comparison => comparison.Compare(),
        QuorumsOf quorums => QuorumIntersection.Prove(quorums.First, quorums.Second),
        Computed computed => computed.Run(),
        OfSystem system => system.System.Run(system.Check, options => options with
        {
            Seed = seed,
            Parallelism = Environment.ProcessorCount,
            ScheduleDirectory = scheduleDirectory ?? options.ScheduleDirectory,
            // A long exhaustive search says how far it has got, on stderr so reports on stdout stay as they are.
            Progress = progress => Console.Error.WriteLine($"      … {check.Name}: {progress}"),
            ProgressInterval = TimeSpan.FromSeconds(10),
        }),
        _ => throw new SpecException($"no way to run a check of {check.Target.GetType().Name}"),
    };

    private static CheckResult HistoryCheck(ISpecEntry entry, string file)
    {
        var path = Path.Combine(Path.GetTempPath(), $"verification-{Environment.ProcessId}-{file}");
        try
        {
            File.WriteAllText(path, EmbeddedHistory(file));
            var result = entry.CheckHistoryFile(path);
            return result with { Subject = $"{entry.Name}: {file}" };
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static string EmbeddedHistory(string file)
    {
        var assembly = typeof(CheckCatalog).Assembly;
        var resource = assembly.GetManifestResourceNames().FirstOrDefault(n => n.EndsWith("." + file, StringComparison.Ordinal))
            ?? throw new SpecException($"no embedded history named {file}");
        using var stream = assembly.GetManifestResourceStream(resource)!;
        return new StreamReader(stream).ReadToEnd();
    }
}
