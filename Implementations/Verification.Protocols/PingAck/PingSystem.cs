using Verification.Checkers;
using Verification.Checkers.Systematic;
using Verification.Runtime;
using Verification.Specs.Examples;

namespace Verification.Protocols.PingAck;

/// <param name="Pipelined">The planted ordering bug: all pings at once, delivered as they arrive.</param>
public sealed record PingConfig(bool Pipelined);

/// <summary>The ping/ack pair as a registered system.</summary>
public sealed class PingSystem : SystemDefinition<PingConfig, object, PingMessage, NoTimer, NothingDurable, DeliveryEvent>
{
    public override string Name => "Ping";

    public override string Description => "a sender and a receiver that must deliver pings in order";

    public override IReadOnlyList<(string Name, PingConfig Configuration)> Configurations { get; } =
        [("stop-and-wait", new PingConfig(Pipelined: false)), ("bug:pipelined", new PingConfig(Pipelined: true))];

    protected override Protocol<object, PingMessage, NoTimer, NothingDurable, DeliveryEvent> Create(PingConfig configuration) => PingNode.Create(configuration);

    public override IReadOnlyList<SystemCheck> Checks { get; } =
    [
        new("PingStopAndWait: every schedule, with reordering and 2 duplications (DFS)", "stop-and-wait",
            new ExhaustiveSearch(MaxDepth: 100) { Options = new TestOptions { Faults = new FaultModel { MaxDuplicates = 2 } } },
            Expectation.Holds, "exhaustive depth-first search with a visited-state set"),
        new("PingPipelined: the ordering bug (InOrder)", "bug:pipelined",
            new RandomRuns { Options = new TestOptions { Iterations = 1000, MaxSteps = 50 } },
            Expectation.Violated(FailureKind.Safety, "InOrder"), "the default portfolio must find the out-of-order delivery and replay it"),
    ];
}
