using Verification.Checkers;
using Verification.Checkers.Linearizability;
using Verification.Checkers.Systematic;
using Verification.Runtime;

namespace Verification.Protocols.Raft;

/// <summary>Raft as a registered system: the correct protocol, its exhaustive configuration, the store, and one configuration per planted bug.</summary>
public sealed class RaftSystem : SystemDefinition<RaftConfig, RaftNodeState, RaftMessage, RaftTimer, RaftDurable, RaftEvent>
{
    /// <summary>The store's clients are linearizable: their ClientCalled / ClientReturned events of the Raft spec's alphabet, checked against the key-value model.</summary>
    public static HistoryCheck<RaftEvent> LinearizableClients() =>
        LinearizabilityHistoryCheck.KeyValue<RaftEvent>(
            e => e is ClientCalled c ? (c.Client, c.Operation, c.Key, c.Value, c.Expected) : null,
            e => e is ClientReturned r ? (r.Client, r.Output) : null);

    public override string Name => "Raft";

    public override string Description => "Raft servers and clients of a key-value store, against the five Raft properties, in-order once-only execution and liveness";

    public override IReadOnlyList<(string Name, RaftConfig Configuration)> Configurations { get; } =
    [
        ("default", new RaftConfig()),
        ("liveness", new RaftConfig(MaxTerm: 40, LogCapacity: 10)),
        ("exhaustive", RaftConfig.ForExhaustiveSearch()),
        ("exhaustive-real", RaftConfig.ForExhaustiveSearchWithRealBehaviour()),
        ("exhaustive-real-symmetric", RaftConfig.ForExhaustiveSearchWithRealBehaviourSymmetric()),
        ("store", new RaftConfig(OperationsPerClient: 3, LogCapacity: 8, MaxTerm: 5) { ClientsLinearizable = true }),
        ("refines-log", new RaftConfig { RefinesReplicatedLog = true }),
        .. Enum.GetValues<RaftBug>().Where(b => b != RaftBug.None).Select(b => ($"bug:{b}", RaftConfig.ForPlantedBug(b))),
    ];

    protected override Protocol<RaftNodeState, RaftMessage, RaftTimer, RaftDurable, RaftEvent> Create(RaftConfig configuration) => RaftNode.Create(configuration);

    private static readonly FaultModel Faults = FaultModel.Full(f: 1, losses: 3, duplicates: 2, partitions: 1);

    private static readonly TestOptions Safety = new() { MaxSteps = 300, CheckLiveness = false, Faults = Faults };

    public override IReadOnlyList<SystemCheck> Checks { get; } =
    [
        new("Raft (3 servers, 2 clients): loss, duplication, partition, crash-recover", "default", new RandomRuns { Options = Safety with { Iterations = 20_000 } },
            Expectation.Holds, "20,000 runs of the default portfolio against the five Raft properties and once-only in-order execution"),
        new("Raft refines the replicated log: its events mapped, its servers' state mapped, under the full fault model", "refines-log", new RandomRuns { Options = Safety with { Iterations = 3_000 } },
            Expectation.Holds, "3,000 runs against 'Raft refines ReplicatedLog': the Raft properties, the log's obligations on the mapped events, and the servers' commit and applied indices mapped after every step"),
        new("Raft: every request commits and is answered, and every server applies it, once the network is synchronous", "liveness",
            new RandomRuns { Options = new TestOptions { Iterations = 2000, MaxSteps = 600, LivenessThreshold = 300, SynchronousAfterFairPoint = true,
                Faults = new FaultModel { MaxLosses = 3, MaxCrashes = 1, MaxDownAtOnce = 1, CrashKinds = [CrashKind.Amnesia] } } },
            Expectation.Holds, "2,000 runs with losses and an amnesia crash; after the fair point messages beat timeouts"),
        new("Raft (3 servers, 2 requests, terms ≤ 2, logs ≤ 3): exhaustive DFS", "exhaustive",
            new ExhaustiveSearch(MaxDepth: 200, MaxInFlight: RaftConfig.ExhaustiveSearchInFlight) { Options = new TestOptions { CheckLiveness = false } },
            Expectation.Holds, $"every interleaving with ≤ {RaftConfig.ExhaustiveSearchInFlight} messages in flight, no faults, against every Raft property in every state"),
        new("Raft with heartbeats, client retries and one amnesia crash (3 servers, 1 request, term ≤ 1): exhaustive DFS", "exhaustive-real",
            new ExhaustiveSearch(MaxDepth: 10_000, MaxInFlight: RaftConfig.ExhaustiveSearchWithRealBehaviourInFlight)
            {
                Options = new TestOptions { CheckLiveness = false, Parallelism = 2, Faults = new FaultModel { MaxCrashes = 1, MaxDownAtOnce = 1, CrashKinds = [CrashKind.Amnesia] } },
            },
            Expectation.Holds, $"every interleaving of heartbeats, retries, one crash with amnesia and its recovery, with ≤ {RaftConfig.ExhaustiveSearchWithRealBehaviourInFlight} messages in flight, against every Raft property in every state"),
        new("Raft with heartbeats, client retries to every server and one amnesia crash, up to renaming servers: exhaustive DFS", "exhaustive-real-symmetric",
            new ExhaustiveSearch(MaxDepth: 10_000, MaxInFlight: RaftConfig.ExhaustiveSearchSymmetricInFlight)
            {
                Options = new TestOptions { CheckLiveness = false, Faults = new FaultModel { MaxCrashes = 1, MaxDownAtOnce = 1, CrashKinds = [CrashKind.Amnesia] } },
            },
            Expectation.Holds, $"the real-behaviour configuration with the servers declared interchangeable (so a retry goes to every server): one state per orbit, the declaration checked on a sample of transitions, ≤ {RaftConfig.ExhaustiveSearchSymmetricInFlight} messages in flight"),
        new("Raft key-value store: every run's client history is linearizable", "store", new RandomRuns { Options = Safety with { Iterations = 10_000 } },
            Expectation.Holds, "10,000 runs, 2 clients each writing then reading, full fault model; histories checked by the linearizability checker"),
        new("Raft planted bug LeaderReadsLocally (Linearizable; the Raft properties all hold)", "bug:LeaderReadsLocally", new RandomRuns { Options = Safety with { Iterations = 100_000 } },
            Expectation.Violated(FailureKind.Safety, "Linearizable"), "a stale read that breaks no Raft property: the clients' history is not linearizable"),
        .. new (RaftBug Bug, string[] Properties)[]
        {
            (RaftBug.CommitsEarlierTermByCounting, ["StateMachineSafety", "LeaderCompleteness"]),
            (RaftBug.VotesWithoutLogCheck, ["LeaderCompleteness", "StateMachineSafety"]),
            (RaftBug.ForgetsVote, ["ElectionSafety"]),
            (RaftBug.AppendsWithoutTruncating, ["LogMatching"]),
            (RaftBug.NoDeduplication, ["ExecutedOnce"]),
        }.Select(planted => new SystemCheck($"Raft planted bug {planted.Bug} ({string.Join(" or ", planted.Properties)})", $"bug:{planted.Bug}",
            new RandomRuns { Options = Safety with { Iterations = 200_000 } },
            Expectation.Violated(FailureKind.Safety, planted.Properties), "the default portfolio must find it with the property it breaks, and replay it")),
    ];
}
