using Verification.Checkers;
using Verification.Checkers.Systematic;
using Verification.Runtime;
using Verification.Specs;

namespace Verification.Protocols.PrimaryBackup;

/// <param name="Updates">How many updates the client sends, one at a time.</param>
/// <param name="ReplyBeforeAck">The planted bug: the primary replies at once, without waiting for the backup's acknowledgement.</param>
public sealed record ClassicPrimaryBackupConfig(int Updates = 3, bool ReplyBeforeAck = false)
{
    /// <summary>
    /// Only the primary may crash (crash-stop, once); the backup and the client are reliable; a perfect failure
    /// detector tells the backup; timing is asynchronous (the backup fences off the old primary's stragglers, so it
    /// needs no bound on delay).
    /// </summary>
    public static FaultModel Faults { get; } = new()
    {
        Roles = [NodeRole.MayCrash("primary", [ClassicPrimaryBackupNode.PrimaryNode], 1, CrashKind.Stop)],
        Detector = FailureDetector.Perfect with { Subscribers = [ClassicPrimaryBackupNode.BackupNode] },
    };
}

/// <summary>The classic primary-backup register of the seed's notes against its spec.</summary>
public sealed class ClassicPrimaryBackupSystem : SystemDefinition<ClassicPrimaryBackupConfig, PbNodeState, PbMessage, NoTimer, NothingDurable, PbEvent>
{
    /// <summary>The three nodes (primary, backup, client) with the spec, as the registered system builds them.</summary>
    public static Protocol<PbNodeState, PbMessage, NoTimer, NothingDurable, PbEvent> System(ClassicPrimaryBackupConfig configuration) =>
        new ClassicPrimaryBackupSystem().Build(configuration);

    public override string Name => "PrimaryBackup";

    public override string Description => "the classic primary-backup register: the primary replies once the backup acknowledges the update; the backup takes over on the primary's crash";

    public override IReadOnlyList<(string Name, ClassicPrimaryBackupConfig Configuration)> Configurations { get; } =
    [
        ("default", new ClassicPrimaryBackupConfig()),
        ("bug:ReplyBeforeAck", new ClassicPrimaryBackupConfig(ReplyBeforeAck: true)),
    ];

    protected override Protocol<PbNodeState, PbMessage, NoTimer, NothingDurable, PbEvent> Create(ClassicPrimaryBackupConfig configuration)
    {
        if (configuration.Updates < 1) throw new SpecException($"ClassicPrimaryBackupConfig.Updates must be at least 1 (got {configuration.Updates})");
        return new(configuration.ReplyBeforeAck ? "PrimaryBackup[ReplyBeforeAck]" : "PrimaryBackup", 3,
            _ => new ClassicPrimaryBackupNode(configuration.Updates, configuration.ReplyBeforeAck), ClassicPrimaryBackupSpec.Create(configuration.Updates));
    }

    /// <summary>The options the checks and tests use: the pair's fault model, runs long enough to finish, liveness judged after the faults.</summary>
    public static TestOptions Options(long iterations) => new()
    {
        Iterations = iterations,
        MaxSteps = 60,
        FairAfterSteps = 20,
        LivenessThreshold = 30,
        Faults = ClassicPrimaryBackupConfig.Faults,
    };

    public override IReadOnlyList<SystemCheck> Checks { get; } =
    [
        new("PrimaryBackup (primary, backup, client; 3 updates): primary crash-stop, perfect detector", "default",
            new RandomRuns { Options = Options(10_000) },
            Expectation.Holds, "10,000 runs of the default portfolio: no acknowledged update lost, every reply the register after the client's updates, every update answered"),
        new("PrimaryBackup (3 updates): exhaustive DFS", "default",
            new ExhaustiveSearch(MaxDepth: 100) { Options = Options(1) with { CheckLiveness = false } },
            Expectation.Holds, "every interleaving, every crash point of the primary and every time the detector may report it"),
        new($"PrimaryBackup planted bug ReplyBeforeAck ({ClassicPrimaryBackupSpec.NoAcknowledgedUpdateLost})", "bug:ReplyBeforeAck",
            new RandomRuns { Options = Options(10_000) },
            Expectation.Violated(FailureKind.Safety, ClassicPrimaryBackupSpec.NoAcknowledgedUpdateLost), "the default portfolio must find the acknowledged update lost after failover, and replay it"),
    ];
}
