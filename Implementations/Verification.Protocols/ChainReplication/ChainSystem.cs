using Verification.Checkers;
using Verification.Checkers.Systematic;
using Verification.Runtime;

namespace Verification.Protocols.ChainReplication;

/// <summary>Chain replication as a registered system: the correct chain, a small one for exhaustive search, and one configuration per planted bug.</summary>
public sealed class ChainSystem : SystemDefinition<ChainConfig, ChainNodeState, ChainMessage, ChainTimer, ServerLog, ChainEvent>
{
    public override string Name => "ChainReplication";

    public override string Description => "three servers in a chain, a master with a perfect failure detector, clients that retry; against the Update Propagation Invariant, the service's obligations and the key-value spec";

    /// <summary>The small configuration searched exhaustively: one client with one update and its query.</summary>
    public static ChainConfig Exhaustive { get; } = new(Clients: 1, UpdatesPerClient: 1);

    /// <summary>The network bound of the exhaustive search (retries put ever more requests in flight).</summary>
    public const int ExhaustiveInFlight = 4;

    /// <summary>The exhaustive search's faults: the protocol's, without the duplicated message (which multiplies the states sevenfold).</summary>
    public static FaultModel ExhaustiveFaults => Exhaustive.Faults with { MaxDuplicates = 0 };

    public override IReadOnlyList<(string Name, ChainConfig Configuration)> Configurations { get; } =
    [
        ("default", new ChainConfig()),
        ("exhaustive", Exhaustive),
        .. Enum.GetValues<ChainBug>().Where(b => b != ChainBug.None).Select(b => ($"bug:{b}", new ChainConfig(Bug: b))),
    ];

    protected override Protocol<ChainNodeState, ChainMessage, ChainTimer, ServerLog, ChainEvent> Create(ChainConfig configuration) => ChainNode.Create(configuration);

    /// <summary>The options every check and test uses: the protocol's fault model, liveness judged after a fair suffix.</summary>
    public static TestOptions Options(ChainConfig config, long iterations) => new()
    {
        Iterations = iterations, MaxSteps = 300, FairAfterSteps = 60, LivenessThreshold = 200, Faults = config.Faults,
    };

    /// <summary>Each planted bug with the property that must catch it.</summary>
    public static IReadOnlyList<(ChainBug Bug, string Property, FailureKind Kind)> PlantedBugs { get; } =
    [
        (ChainBug.NoResendAfterMiddleFailure, ChainReplicationSpec.EveryUpdateAcknowledged, FailureKind.Liveness),
        (ChainBug.HeadReplies, ChainReplicationSpec.RepliesFromTheTailsHistory, FailureKind.Safety),
        (ChainBug.ResentUpdateAppliedTwice, ChainReplicationSpec.EachUpdateAppliedOnce, FailureKind.Safety),
        (ChainBug.TailAnswersBeforeApplying, ChainReplicationSpec.QueriesReadTheTail, FailureKind.Safety),
    ];

    public override IReadOnlyList<SystemCheck> Checks { get; } =
    [
        new("ChainReplication (3 servers, 2 clients): a server halts, the master reconfigures (portfolio)", "default",
            new RandomRuns { Options = Options(new ChainConfig(), 1000) },
            Expectation.Holds, "1,000 runs of the default portfolio: the spec's guards and invariants, the service's obligations, the key-value refinement and the state mapping after every step, liveness after a fair suffix"),
        new("ChainReplication (3 servers, 1 update and a query): exhaustive DFS", "exhaustive",
            new ExhaustiveSearch(MaxDepth: 200, MaxInFlight: ExhaustiveInFlight) { Options = new TestOptions { Faults = ExhaustiveFaults } },
            Expectation.Holds, $"every interleaving with ≤ {ExhaustiveInFlight} messages in flight, every crash of one server and every time the detector reports it"),
        .. PlantedBugs.Select(planted => new SystemCheck($"ChainReplication planted bug {planted.Bug} ({planted.Property})", $"bug:{planted.Bug}",
            new RandomRuns { Options = Options(new ChainConfig(Bug: planted.Bug), 20_000) },
            Expectation.Violated(planted.Kind, planted.Property), "the default portfolio must find it with the property it breaks, and replay it")),
    ];
}
