using Verification.Checkers;
using Verification.Checkers.Systematic;
using Verification.Runtime;
using Verification.Specs.Examples;

namespace Verification.Protocols.LockServer;

/// <param name="RetransmitRelease">Off is the planted bug: a lost Release is never sent again.</param>
public sealed record LockConfig(bool RetransmitRelease);

/// <summary>The lock server and its clients as a registered system.</summary>
public sealed class LockSystem : SystemDefinition<LockConfig, object, LockMessage, LockTimer, NothingDurable, LockEvent>
{
    public override string Name => "Lock";

    public override string Description => "a lock server and two clients, against the lock service's spec with its liveness monitor";

    public override IReadOnlyList<(string Name, LockConfig Configuration)> Configurations { get; } =
        [("retransmit", new LockConfig(RetransmitRelease: true)), ("bug:lost-release", new LockConfig(RetransmitRelease: false))];

    protected override Protocol<object, LockMessage, LockTimer, NothingDurable, LockEvent> Create(LockConfig configuration) => LockNode.Create(configuration);

    private static readonly TestOptions Fair = new() { Iterations = 1000, MaxSteps = 600, FairAfterSteps = 40, LivenessThreshold = 400, Faults = new FaultModel { MaxLosses = 2, MaxDuplicates = 1 } };

    public override IReadOnlyList<SystemCheck> Checks { get; } =
    [
        new("LockWithRetransmit: loss, duplication and reordering (portfolio)", "retransmit", new RandomRuns { Options = Fair },
            Expectation.Holds, "1000 runs of the default portfolio, liveness judged after a fair suffix"),
        new("LockLostRelease: a lost Release starves the other client (EveryClientAcquires)", "bug:lost-release",
            new RandomRuns { Options = Fair with { Faults = new FaultModel { MaxLosses = 1 } } },
            Expectation.Violated(FailureKind.Liveness, "EveryClientAcquires"), "the default portfolio must find the starvation and replay it"),
    ];
}
