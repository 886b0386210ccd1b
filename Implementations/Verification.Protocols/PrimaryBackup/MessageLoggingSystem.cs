using Verification.Checkers;
using Verification.Checkers.Systematic;
using Verification.Runtime;
using Verification.Specs;

namespace Verification.Protocols.PrimaryBackup;

/// <param name="Inputs">How many inputs the client sends, one at a time.</param>
/// <param name="SyncEvery">The primary checkpoints to the backup after every this many inputs.</param>
/// <param name="Bug">A planted bug, or none.</param>
/// <param name="MaxMessageDelay">The bound on message delay the backup waits out before rolling forward (the fault model's).</param>
public sealed record MessageLoggingConfig(int Inputs = 3, int SyncEvery = 2, MessageLoggingBug Bug = MessageLoggingBug.None, int MaxMessageDelay = 1)
{
    /// <summary>Checks the settings; a bad one throws a <see cref="SpecException"/> naming it.</summary>
    public void Validate()
    {
        if (Inputs < 1) throw new SpecException($"MessageLoggingConfig.Inputs must be at least 1 (got {Inputs})");
        if (SyncEvery < 1) throw new SpecException($"MessageLoggingConfig.SyncEvery must be at least 1 (got {SyncEvery})");
        if (MaxMessageDelay < 0) throw new SpecException($"MessageLoggingConfig.MaxMessageDelay cannot be negative (got {MaxMessageDelay})");
        if (!Enum.IsDefined(Bug)) throw new SpecException($"MessageLoggingConfig.Bug is {(int)Bug}, not one of {string.Join(", ", Enum.GetNames<MessageLoggingBug>())}");
    }

    /// <summary>
    /// The pair's fault model: only the primary may crash (crash-stop, once), the backup and the client are reliable, the
    /// backup is told of the crash by a perfect failure detector, and timing is synchronous with this config's delay
    /// bound — the seed's bus, which delivers all of a message or none, is what lets the backup count exactly.
    /// </summary>
    public FaultModel Faults => new()
    {
        Roles = [NodeRole.MayCrash("primary", [MessageLoggingNode.PrimaryNode], 1, CrashKind.Stop)],
        Detector = FailureDetector.Perfect with { Subscribers = [MessageLoggingNode.BackupNode] },
        Timing = Timing.Synchronous,
        MaxMessageDelay = MaxMessageDelay,
    };
}

/// <summary>The Auragen primary-backup pair with message logging (seed 000) against "the pair refines one failure-free process".</summary>
public sealed class MessageLoggingSystem : SystemDefinition<MessageLoggingConfig, PairNodeState, PairMessage, PairTimer, NothingDurable, PairEvent>
{
    /// <summary>The three nodes (primary, backup, client) with the refinement spec, as the registered system builds them.</summary>
    public static Protocol<PairNodeState, PairMessage, PairTimer, NothingDurable, PairEvent> System(MessageLoggingConfig configuration) =>
        new MessageLoggingSystem().Build(configuration);

    public override string Name => "MessageLogging";

    public override string Description => "the Auragen primary-backup pair: the backup logs every input, counts the primary's outputs, and on takeover replays suppressing what was sent";

    public override IReadOnlyList<(string Name, MessageLoggingConfig Configuration)> Configurations { get; } =
    [
        ("default", new MessageLoggingConfig()),
        .. Enum.GetValues<MessageLoggingBug>().Where(b => b != MessageLoggingBug.None).Select(b => ($"bug:{b}", new MessageLoggingConfig(Bug: b))),
    ];

    protected override Protocol<PairNodeState, PairMessage, PairTimer, NothingDurable, PairEvent> Create(MessageLoggingConfig configuration)
    {
        configuration.Validate();
        var name = configuration.Bug == MessageLoggingBug.None ? "MessageLogging" : $"MessageLogging[{configuration.Bug}]";
        return new(name, 3, _ => new MessageLoggingNode(configuration), MessageLoggingSpec.RefinesSingleProcess(configuration.Inputs));
    }

    /// <summary>The options the checks and tests use: the pair's fault model, runs long enough to finish, liveness judged after the faults.</summary>
    public static TestOptions Options(MessageLoggingConfig configuration, long iterations) => new()
    {
        Iterations = iterations,
        MaxSteps = 60,
        FairAfterSteps = 20,
        LivenessThreshold = 30,
        Faults = configuration.Faults,
    };

    public override IReadOnlyList<SystemCheck> Checks { get; } =
    [
        new("MessageLogging (primary, backup, client; 3 inputs, sync every 2): primary crash-stop, perfect detector", "default",
            new RandomRuns { Options = Options(new MessageLoggingConfig(), 10_000) },
            Expectation.Holds, "10,000 runs of the default portfolio: the outputs are one failure-free process's, no acknowledged input is lost"),
        new("MessageLogging (3 inputs, sync every 2): exhaustive DFS", "default",
            new ExhaustiveSearch(MaxDepth: 100) { Options = Options(new MessageLoggingConfig(), 1) with { CheckLiveness = false } },
            Expectation.Holds, "every interleaving, every crash point of the primary and every time the detector may report it (203 states)"),
        .. new (MessageLoggingBug Bug, string Property)[]
        {
            (MessageLoggingBug.ResendsSentOutputs, MessageLoggingSpec.SameOutputs),
            (MessageLoggingBug.SyncDropsSentCount, MessageLoggingSpec.TakeoverCountsPrimaryOutputs),
            (MessageLoggingBug.RepliesBeforeBackupLogs, MessageLoggingSpec.NoAcknowledgedInputLost),
        }.Select(planted => new SystemCheck($"MessageLogging planted bug {planted.Bug} ({planted.Property})", $"bug:{planted.Bug}",
            new RandomRuns { Options = Options(new MessageLoggingConfig(Bug: planted.Bug), 10_000) },
            Expectation.Violated(FailureKind.Safety, planted.Property), "the default portfolio must find it with the property it breaks, and replay it")),
    ];
}
