using Verification.Checkers;
using Verification.Checkers.Linearizability;
using Verification.Checkers.Systematic;
using Verification.Runtime;
using Verification.Specs.Replication;

namespace Verification.Protocols.MultiPaxos;

/// <summary>Multi-Paxos as a registered system: the replicated log, a stable leader, the store, and one configuration per planted bug.</summary>
public sealed class MultiPaxosSystem : SystemDefinition<MultiPaxosConfig, MultiPaxosState, MultiPaxosMessage, MultiPaxosTimer, ReplicaDurable, LogEvent>
{
    /// <summary>The store's clients are linearizable: their StoreCalled / StoreReturned events of the replicated-log spec's alphabet, checked against the key-value model.</summary>
    public static HistoryCheck<LogEvent> LinearizableClients() =>
        LinearizabilityHistoryCheck.KeyValue<LogEvent>(
            e => e is StoreCalled c ? (c.Client, c.Operation, c.Key, c.Value, c.Expected) : null,
            e => e is StoreReturned r ? (r.Client, r.Output) : null);

    public override string Name => "MultiPaxos";

    public override string Description => "Multi-Paxos replicas and clients as a replicated log, against the replicated-log spec and a refinement mapping from the replicas' states to it";

    public override IReadOnlyList<(string Name, MultiPaxosConfig Configuration)> Configurations { get; } =
    [
        ("default", new MultiPaxosConfig()),
        ("stable-leader", new MultiPaxosConfig(StableLeader: true, MaxRounds: 50)),
        ("store", new MultiPaxosConfig(Slots: 8, OperationsPerClient: 3) { ClientsLinearizable = true }),
        ("bug:NewLeaderIgnoresAcceptedEntries", new MultiPaxosConfig(Bugs: MultiPaxosBug.NewLeaderIgnoresAcceptedEntries)),
        ("bug:ReplicaExecutesDuplicates", new MultiPaxosConfig(Bugs: MultiPaxosBug.ReplicaExecutesDuplicates)),
        ("bug:IgnoresCatchUp", new MultiPaxosConfig(StableLeader: true, MaxRounds: 50, Bugs: MultiPaxosBug.IgnoresCatchUp)),
        ("bug:ReplicaAppliesAhead", new MultiPaxosConfig(Bugs: MultiPaxosBug.ReplicaAppliesAhead)),
    ];

    protected override Protocol<MultiPaxosState, MultiPaxosMessage, MultiPaxosTimer, ReplicaDurable, LogEvent> Create(MultiPaxosConfig configuration) => MultiPaxosNode.Create(configuration);

    private static readonly FaultModel Faults = FaultModel.Full(f: 1, losses: 3, duplicates: 2, partitions: 1);

    /// <summary>Liveness judged after a fair, synchronous suffix (messages beat timeouts).</summary>
    private static readonly TestOptions Live = new() { MaxSteps = 600, LivenessThreshold = 300, SynchronousAfterFairPoint = true };

    public override IReadOnlyList<SystemCheck> Checks { get; } =
    [
        new("MultiPaxos (3 replicas, 2 clients): loss, duplication, partition, crash-recover, leader changes", "default",
            new RandomRuns { Options = new TestOptions { Iterations = 20_000, MaxSteps = 250, CheckLiveness = false, Faults = Faults } },
            Expectation.Holds, "20,000 runs of the default portfolio against the replicated-log spec's safety properties"),
        new("MultiPaxos, stable leader: every request commits and is answered, every replica catches up", "stable-leader",
            new RandomRuns { Options = Live with { Iterations = 2000, Faults = new FaultModel { MaxLosses = 30, MaxDuplicates = 1, MaxCrashes = 1, MaxDownAtOnce = 1, CrashKinds = [CrashKind.Amnesia] } } },
            Expectation.Holds, "2,000 runs with up to 30 losses and an amnesia crash, liveness judged after a fair, synchronous suffix"),
        new("MultiPaxos key-value store: every run's client history is linearizable", "store",
            new RandomRuns { Options = new TestOptions { Iterations = 10_000, MaxSteps = 300, CheckLiveness = false, Faults = Faults } },
            Expectation.Holds, "10,000 runs, 2 clients each writing, reading and compare-and-setting, full fault model; histories checked by the linearizability checker"),
        .. new (MultiPaxosBug Bug, string Property)[]
            {
                (MultiPaxosBug.NewLeaderIgnoresAcceptedEntries, "SlotAgreement"), (MultiPaxosBug.ReplicaExecutesDuplicates, "ExecutedOnce"),
                // Found only by the refinement mapping: every event it reports is one the spec allows.
                (MultiPaxosBug.ReplicaAppliesAhead, "executed=mapping"),
            }
            .Select(planted => new SystemCheck($"MultiPaxos planted bug {planted.Bug} ({planted.Property})", $"bug:{planted.Bug}",
                new RandomRuns { Options = new TestOptions { Iterations = 50_000, MaxSteps = 250, CheckLiveness = false, Faults = FaultModel.Full(f: 1, losses: 2, duplicates: 1, partitions: 0) } },
                Expectation.Violated(FailureKind.Safety, planted.Property), "the default portfolio must find it with the property it breaks, and replay it")),
        new("MultiPaxos planted bug IgnoresCatchUp (EveryReplicaAppliesTheCommittedPrefix)", "bug:IgnoresCatchUp",
            new RandomRuns { Options = Live with { Iterations = 5000, Faults = new FaultModel { MaxLosses = 30 } } },
            Expectation.Violated(FailureKind.Liveness, "EveryReplicaAppliesTheCommittedPrefix"), "a replica that missed a commit stays behind for good"),
    ];
}
