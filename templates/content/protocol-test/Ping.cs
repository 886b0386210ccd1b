using Verification.Checkers;
using Verification.Checkers.Systematic;
using Verification.Runtime;
using Verification.Specs;

namespace PingProtocol;

// A sender hands pings 1..3 to a receiver, which must deliver them to its application in order. Replace it with your
// protocol: the messages, the node's step function, the spec, the named configurations and the checks.

public abstract record PingMessage;

public sealed record Ping(int Seq) : PingMessage;

public sealed record Ack(int Seq) : PingMessage;

/// <summary>What the spec sees: the receiver delivering a ping to its application.</summary>
public abstract record DeliveryEvent;

public sealed record Delivered(int Seq) : DeliveryEvent;

/// <summary>The spec, as state equations over the history of deliveries.</summary>
public static class InOrderDelivery
{
    public const int Pings = 3;

    public static Spec<DeliveryEvent> Create()
    {
        var spec = new SpecBuilder<DeliveryEvent>("InOrderDelivery");
        // LastDelivered(Nil) = 0; LastDelivered(σ·Delivered(s)) = s
        var lastDelivered = spec.Variable<int>("LastDelivered");
        spec.Define(lastDelivered, 0, e => e.When((Delivered d) => d.Seq).Else(lastDelivered.Now));
        // Every delivery is the next ping: no gap, no duplicate, no reordering.
        spec.StepProperty("InOrder", e => e.IfIs((Delivered d) => d.Seq == lastDelivered.Now + 1));
        // Eventually every ping is delivered (checked on fair runs).
        spec.Liveness("AllDelivered", () => lastDelivered.Now < Pings);
        return spec.Build();
    }
}

public sealed record SenderState(int Next);

public sealed record ReceiverState(int Expected);

/// <summary>
/// Node 0 sends, node 1 receives. Stop-and-wait: the next ping goes out only when the previous one is acked, and the
/// receiver delivers only the ping it expects (acking duplicates again). The planted bug, <c>Pipelined</c>, sends all
/// pings at once and delivers whatever arrives, as if the network kept order.
/// </summary>
public sealed class PingNode(PingConfig config) : INode<object, PingMessage, NoTimer, NothingDurable>
{
    private static readonly NodeId Sender = new(0), Receiver = new(1);

    public object Start(Effects<PingMessage, NoTimer, NothingDurable> effects)
    {
        if (effects.Self == Receiver) return new ReceiverState(Expected: 1);
        var inFlight = config.Pipelined ? InOrderDelivery.Pings : 1;
        for (var seq = 1; seq <= inFlight; seq++) effects.Send(Receiver, new Ping(seq));
        return new SenderState(Next: inFlight + 1);
    }

    public object OnMessage(object state, NodeId from, PingMessage message, Effects<PingMessage, NoTimer, NothingDurable> effects)
    {
        switch (state, message)
        {
            case (ReceiverState receiver, Ping ping):
                effects.Send(from, new Ack(ping.Seq));
                if (!config.Pipelined && ping.Seq != receiver.Expected) return receiver; // a duplicate: acked, not delivered
                effects.Observe(new Delivered(ping.Seq));
                return receiver with { Expected = ping.Seq + 1 };
            case (SenderState sender, Ack ack) when !config.Pipelined && ack.Seq == sender.Next - 1:
                if (sender.Next <= InOrderDelivery.Pings) effects.Send(Receiver, new Ping(sender.Next));
                return sender with { Next = sender.Next + 1 };
            default:
                return state;
        }
    }

    public object OnTimer(object state, NoTimer timer, Effects<PingMessage, NoTimer, NothingDurable> effects) => state;

    public object OnRecover(NothingDurable? durable, Effects<PingMessage, NoTimer, NothingDurable> effects) => Start(effects);
}

/// <param name="Pipelined">The planted bug: every ping at once, delivered as it arrives.</param>
public sealed record PingConfig(bool Pipelined);

/// <summary>
/// The protocol registered once: its named configurations and the checks it declares. Tests, 'verify check --assembly'
/// and 'verify replay' all build it from here.
/// </summary>
public sealed class PingSystem : SystemDefinition<PingConfig, object, PingMessage, NoTimer, NothingDurable, DeliveryEvent>
{
    public override string Name => "Ping";

    public override string Description => "a sender and a receiver that must deliver pings in order";

    public override IReadOnlyList<(string Name, PingConfig Configuration)> Configurations { get; } =
        [("stop-and-wait", new PingConfig(Pipelined: false)), ("bug:pipelined", new PingConfig(Pipelined: true))];

    protected override Protocol<object, PingMessage, NoTimer, NothingDurable, DeliveryEvent> Create(PingConfig configuration) =>
        new(configuration.Pipelined ? "PingPipelined" : "PingStopAndWait", 2, _ => new PingNode(configuration), InOrderDelivery.Create());

    public override IReadOnlyList<SystemCheck> Checks { get; } =
    [
        new("Ping: every schedule with reordering and two duplicated messages", "stop-and-wait",
            new ExhaustiveSearch(MaxDepth: 100) { Options = new TestOptions { Faults = new FaultModel { MaxDuplicates = 2 } } },
            Expectation.Holds, "exhaustive search with a visited-state set"),
        new("Ping: the planted ordering bug is found", "bug:pipelined",
            new RandomRuns { Options = new TestOptions { Iterations = 1000, MaxSteps = 50 } },
            Expectation.Violated(FailureKind.Safety, "InOrder"), "random and PCT runs find the out-of-order delivery"),
    ];
}
