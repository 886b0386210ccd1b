using Verification.Runtime;
using Verification.Specs.Examples;

namespace Verification.Protocols.PingAck;

public sealed record SenderState(int NextToSend, int Acked);

public sealed record ReceiverState(int Expected);

/// <summary>
/// n0 sends pings 1..3 and n1 delivers them. The planted ordering bug: the sender pipelines all three pings and the
/// receiver delivers whatever arrives, assuming the network keeps order. The fix: stop-and-wait (next ping only after
/// the previous ack) and a receiver that delivers only the ping it expects, acking duplicates again.
/// </summary>
public sealed class PingNode(bool pipelined) : INode<object, PingMessage, NoTimer, NothingDurable>
{
    private static readonly NodeId Sender = new(0), Receiver = new(1);

    public object Start(Effects<PingMessage, NoTimer, NothingDurable> effects)
    {
        if (effects.Self != Sender) return new ReceiverState(1);
        if (!pipelined)
        {
            effects.Send(Receiver, new Ping(1));
            return new SenderState(2, 0);
        }
        for (var seq = 1; seq <= InOrderDelivery.Messages; seq++) effects.Send(Receiver, new Ping(seq));
        return new SenderState(InOrderDelivery.Messages + 1, 0);
    }

    public object OnMessage(object state, NodeId from, PingMessage message, Effects<PingMessage, NoTimer, NothingDurable> effects)
    {
        switch (state, message)
        {
            case (ReceiverState receiver, Ping ping):
                effects.Send(from, new Ack(ping.Seq));
                if (pipelined)
                {
                    effects.Observe(new Delivered(ping.Seq));
                    return receiver;
                }
                if (ping.Seq != receiver.Expected) return receiver; // a duplicate: acked again, not delivered
                effects.Observe(new Delivered(ping.Seq));
                return receiver with { Expected = receiver.Expected + 1 };
            case (SenderState sender, Ack ack):
                if (pipelined || ack.Seq != sender.NextToSend - 1) return sender with { Acked = Math.Max(sender.Acked, ack.Seq) };
                if (sender.NextToSend <= InOrderDelivery.Messages) effects.Send(Receiver, new Ping(sender.NextToSend));
                return new SenderState(sender.NextToSend + 1, ack.Seq);
            default:
                return state;
        }
    }

    public object OnTimer(object state, NoTimer timer, Effects<PingMessage, NoTimer, NothingDurable> effects) => state;

    public object OnRecover(NothingDurable? persisted, Effects<PingMessage, NoTimer, NothingDurable> effects) => Start(effects);

    /// <summary>The two nodes with the spec they must satisfy.</summary>
    public static Protocol<object, PingMessage, NoTimer, NothingDurable, DeliveryEvent> System(bool pipelined) => new PingSystem().Build(new PingConfig(pipelined));

    internal static Protocol<object, PingMessage, NoTimer, NothingDurable, DeliveryEvent> Create(PingConfig config) =>
        new(config.Pipelined ? "PingPipelined" : "PingStopAndWait", 2, _ => new PingNode(config.Pipelined), InOrderDelivery.Create());
}
