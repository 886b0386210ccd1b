using Verification.Checkers;
using Verification.Checkers.Smt;
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
}

/// <summary>A check's outcome. Every check states the verdict it should have; a different one fails the run.</summary>
public enum Verdict
{
    Holds,
    Violated,
    Proved,
    Counterexample,
    NotInductive,
    Unknown,
    Error,

    /// <summary>Not run: what it needs is missing from this machine (the detail says what and how to install it).</summary>
    NotRun,
}

/// <summary>A check's verdict, what it covered, and the report behind it.</summary>
public sealed record CheckOutcome(Verdict Verdict, string Detail, Coverage Coverage);

public sealed record CheckDefinition(string Name, CheckKind Kind, Verdict Expected, string Description, Func<CheckOutcome> Run);

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
        new SpecEntry<LogEvent>(ReplicatedLogSpec.Name, "a replicated log (3 slots, 2 commands, 2 replicas): slot agreement, validity, in-order once-only execution",
            () => ReplicatedLogSpec.Create(slots: 3, commands: 2, replicas: 2), maxInteger: 2, randomHistoriesViolate: true, minInteger: -2),
    ];

    /// <summary>Protocols stated over unbounded sorts (proved for every N); `verify prove` accepts their names too.</summary>
    public static IReadOnlyList<RelationalModel> RelationalModels { get; } = [PaxosRelational.Create()];

    public static RelationalModel? RelationalModel(string name) =>
        RelationalModels.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));

    public static ISpecEntry Spec(string name) =>
        Specs.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new SpecException($"no spec named '{name}' (available: {string.Join(", ", Specs.Select(s => s.Name))})");

    public static IReadOnlyList<CheckDefinition> Default(int seed = 1)
    {
        var checks = new List<CheckDefinition>();
        foreach (var entry in Specs)
        {
            var expected = entry.RandomHistoriesViolate ? Verdict.Violated : Verdict.Holds;
            checks.Add(new CheckDefinition($"{entry.Name}: random histories, three uses agree", CheckKind.Spec, expected,
                "200 random histories of 50 events (guarded specs: events their guards allow): properties checked incrementally; reference evaluator and SMT translation cross-checked",
                () => RandomCheck(entry, seed)));
        }
        foreach (var (file, spec, expected) in new[]
                 {
                     ("lock-service-ok.jsonl", LockService.Name, Verdict.Holds),
                     ("lock-service-double-grant.jsonl", LockService.Name, Verdict.Violated),
                     ("scheduler-ok.jsonl", Scheduler.Name, Verdict.Holds),
                     ("shift-register-ok.jsonl", ShiftRegister.Name, Verdict.Holds),
                 })
            checks.Add(new CheckDefinition($"{spec}: recorded history {file}", CheckKind.History, expected, "trace validation of an embedded log",
                () => HistoryCheck(Spec(spec), file)));
        checks.Add(Proof("Counter: SinceReset ≤ C by induction", Counter.Name, ["SinceResetNonNegative", "SinceResetAtMostLength"], Verdict.Proved));
        checks.Add(Proof("Counter: SinceReset ≤ C alone is not inductive", Counter.Name, ["SinceResetAtMostLength"], Verdict.NotInductive));
        checks.Add(Proof("Counter: the false claim SinceReset < C", Counter.Name + "WithFalseClaim", ["SinceResetBelowLength"], Verdict.Counterexample));
        checks.Add(Proof("Scheduler: all properties by induction", Scheduler.Name, null, Verdict.Proved));
        checks.Add(Proof("ShiftRegister: step properties by induction", ShiftRegister.Name, null, Verdict.Proved));
        checks.Add(Proof("LockService: invariants over guarded histories", LockService.Name, null, Verdict.Proved));
        checks.Add(Proof("Paxos, 3 acceptors: consensus and the EPR invariant by induction", PaxosSpec.Name, null, Verdict.Proved));
        checks.Add(Proof("Paxos, 5 acceptors: consensus and the EPR invariant by induction", PaxosSpec.Name + "5", null, Verdict.Proved));
        checks.Add(Proof("Paxos, 3 acceptors, without 'choosable': not inductive", PaxosSpec.Name,
            Spec(PaxosSpec.Name).Spec.Properties.Where(p => p.Kind is PropertyKind.Invariant or PropertyKind.Step && p.Name != PaxosSpec.Choosable).Select(p => p.Name).ToArray(), Verdict.NotInductive));
        var parametric = PaxosRelational.Create();
        checks.Add(RelationalProof("Paxos for every N (EPR: uninterpreted sorts, quorum intersection as an axiom)", parametric, Verdict.Proved));
        checks.Add(RelationalProof("Paxos for every N, without 'choosable': not inductive",
            parametric.WithInvariants(parametric.Invariants.Where(i => i.Name != PaxosSpec.Choosable).Select(i => i.Name).ToList()), Verdict.NotInductive));
        checks.AddRange(ProtocolChecks.All(seed));
        checks.AddRange(PaxosChecks.All(seed));
        checks.AddRange(DistinguishedProposerChecks.All(seed));
        checks.AddRange(MultiPaxosChecks.All(seed));
        checks.AddRange(RaftChecks.All(seed));
        return checks;
    }

    private static CheckDefinition Proof(string name, string spec, string[]? claims, Verdict expected) =>
        new(name, CheckKind.Proof, expected, "sent to Z3 through libz3", () =>
        {
            var result = Spec(spec).Prove(claims, new ProverOptions());
            var verdict = result.Verdict switch
            {
                ProofVerdict.Proved => Verdict.Proved,
                ProofVerdict.FailsInitially or ProofVerdict.Violated => result.ConfirmedByEvaluation == true ? Verdict.Counterexample : Verdict.Error,
                ProofVerdict.NotInductive => Verdict.NotInductive,
                _ => Verdict.Unknown,
            };
            return new CheckOutcome(verdict, result.ToString(), new Coverage { Obligations = result.Claims.Count });
        });

    private static CheckDefinition RelationalProof(string name, RelationalModel model, Verdict expected) =>
        new(name, CheckKind.Proof, expected, "each invariant initially and across each action, sent to Z3 through libz3", () =>
        {
            var result = RelationalProver.Prove(model);
            var verdict = result.Verdict switch
            {
                ProofVerdict.Proved => Verdict.Proved,
                ProofVerdict.NotInductive or ProofVerdict.FailsInitially => Verdict.NotInductive,
                _ => Verdict.Unknown,
            };
            return new CheckOutcome(verdict, result.ToString(), new Coverage { Obligations = model.Invariants.Count });
        });

    private static CheckOutcome RandomCheck(ISpecEntry entry, int seed)
    {
        var outcome = entry.CheckRandom(seed, runs: 200, length: 50, crossChecked: 20);
        var coverage = new Coverage { Runs = outcome.Runs, Events = outcome.Events };
        if (outcome.Disagreement is not null) return new CheckOutcome(Verdict.Error, "the uses of the spec disagree: " + outcome.Disagreement, coverage);
        if (outcome.Violation is not null)
            return new CheckOutcome(Verdict.Violated, $"{outcome.Runs} histories, {outcome.Events} events; the uses agree on the first violation:\n{outcome.Violation}", coverage);
        return new CheckOutcome(Verdict.Holds, $"{outcome.Runs} histories, {outcome.Events} events: all properties hold; reference evaluator and SMT translation agree", coverage);
    }

    private static CheckOutcome HistoryCheck(ISpecEntry entry, string file)
    {
        var path = Path.Combine(Path.GetTempPath(), $"verification-{Environment.ProcessId}-{file}");
        try
        {
            File.WriteAllText(path, EmbeddedHistory(file));
            var result = entry.CheckHistoryFile(path);
            return new CheckOutcome(result.Holds ? Verdict.Holds : Verdict.Violated, result.ToString().Replace(path, file), new Coverage { Events = result.EventsChecked });
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
