using Verification.Checkers;
using Verification.Checkers.Systematic;
using Verification.Protocols.Paxos;
using Verification.Runtime;

namespace Verification.Protocols.DistinguishedProposer;

/// <param name="PerfectDetector">Recovery starts only when D has really halted (the seed's implicit assumption); off: on suspicion.</param>
public sealed record DistinguishedProposerConfig(bool PerfectDetector);

/// <summary>The seed's distinguished-proposer protocol as a registered system (verdicts per failure model in docs/distinguished-proposer.md).</summary>
public sealed class DistinguishedProposerSystem : SystemDefinition<DistinguishedProposerConfig, DpState, DpMessage, DpTimer, NothingDurable, PaxosEvent>
{
    public override string Name => "DistinguishedProposer";

    public override string Description => "the seed's brute-force commit protocol for a single proposer, against consensus";

    public override IReadOnlyList<(string Name, DistinguishedProposerConfig Configuration)> Configurations { get; } =
        [("perfect-detector", new DistinguishedProposerConfig(PerfectDetector: true)), ("suspicion", new DistinguishedProposerConfig(PerfectDetector: false))];

    protected override Protocol<DpState, DpMessage, DpTimer, NothingDurable, PaxosEvent> Create(DistinguishedProposerConfig configuration) => DistinguishedProposerNode.Create(configuration.PerfectDetector);

    private static readonly TestOptions Runs = new() { Iterations = 50_000, MaxSteps = 60, CheckLiveness = false };

    private static FaultModel OneCrash(CrashKind kind) => new() { MaxCrashes = 1, MaxDownAtOnce = 1, CrashKinds = [kind], MaxDuplicates = 1, MaxLosses = 1 };

    public override IReadOnlyList<SystemCheck> Checks { get; } =
    [
        new("Distinguished proposer, recovery on suspicion, no failures (Agreement)", "suspicion", new RandomRuns { Options = Runs },
            Expectation.Violated(FailureKind.Safety, "Agreement"), "a slow D and a dead one look the same: two values are learned"),
        new("Distinguished proposer, perfect detector, acceptor amnesia (Agreement)", "perfect-detector", new RandomRuns { Options = Runs with { Faults = FaultModel.CrashRecover(1) } },
            Expectation.Violated(FailureKind.Safety, "Agreement"), "an acceptor that forgets what it accepted lets recovery choose another value"),
        new("Distinguished proposer, perfect detector, acceptor pause", "perfect-detector", new RandomRuns { Options = Runs with { Faults = OneCrash(CrashKind.Pause) } },
            Expectation.Holds, "50,000 runs with one acceptor pausing"),
        new("Distinguished proposer, perfect detector, acceptor halt", "perfect-detector", new RandomRuns { Options = Runs with { Faults = OneCrash(CrashKind.Stop) } },
            Expectation.Holds, "50,000 runs with one acceptor halting"),
    ];
}
