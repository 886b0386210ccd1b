using Verification.Runtime;
using Verification.Specs.Examples;

namespace Verification.Protocols.LockServer;

/// <summary>Waiting and Served hold client indices as digits (small, immutable, value-equal).</summary>
public sealed record ServerState(int Holder, string Waiting, string Served);

public sealed record ClientState(string Phase);

/// <summary>The lock clients' retransmission timers.</summary>
public enum LockTimer { Acquire, Release }

/// <summary>
/// Clients retransmit Acquire until granted, and the server tolerates retransmissions (it re-grants to the holder and
/// ignores clients already served). The planted lost-release bug: a client sends Release once and forgets about it, so
/// when the network loses that message the server holds the lock for a client that has left, and the other client
/// waits forever. The fix: the client retransmits Release on a timer until the server acknowledges it.
/// </summary>
public sealed class LockNode(bool retransmitRelease) : INode<object, LockMessage, LockTimer, NothingDurable>
{
    private static readonly NodeId Server = new(0);

    public object Start(Effects<LockMessage, LockTimer, NothingDurable> effects)
    {
        if (effects.Self == Server) return new ServerState(-1, "", "");
        effects.Send(Server, new Acquire());
        effects.SetTimer(LockTimer.Acquire);
        return new ClientState("waiting");
    }

    public object OnMessage(object state, NodeId from, LockMessage message, Effects<LockMessage, LockTimer, NothingDurable> effects)
    {
        switch (state, message)
        {
            case (ServerState server, Acquire):
            {
                var client = (char)('0' + from.Index);
                if (server.Served.Contains(client) || server.Waiting.Contains(client)) return server; // a retransmission
                if (server.Holder == from.Index)
                {
                    effects.Send(from, new Granted()); // the grant may have been lost: grant again
                    return server;
                }
                if (server.Holder == -1)
                {
                    effects.Send(from, new Granted());
                    return server with { Holder = from.Index };
                }
                return server with { Waiting = server.Waiting + client };
            }
            case (ServerState server, Release):
            {
                effects.Send(from, new ReleaseAcknowledged());
                if (server.Holder != from.Index) return server;
                var served = server.Served + (char)('0' + from.Index);
                if (server.Waiting.Length == 0) return server with { Holder = -1, Served = served };
                var next = server.Waiting[0] - '0';
                effects.Send(new NodeId(next), new Granted());
                return new ServerState(next, server.Waiting[1..], served);
            }
            case (ClientState { Phase: "waiting" }, Granted):
                var self = effects.Self.Index;
                effects.CancelTimer(LockTimer.Acquire);
                effects.Observe(new Acquired(self));
                effects.Observe(new Released(self));
                effects.Send(Server, new Release());
                if (retransmitRelease) effects.SetTimer(LockTimer.Release);
                return new ClientState("releasing");
            case (ClientState { Phase: "releasing" }, ReleaseAcknowledged):
                effects.CancelTimer(LockTimer.Release);
                return new ClientState("done");
            default:
                return state;
        }
    }

    public object OnTimer(object state, LockTimer timer, Effects<LockMessage, LockTimer, NothingDurable> effects)
    {
        if (state is ClientState { Phase: "waiting" } && timer == LockTimer.Acquire)
        {
            effects.Send(Server, new Acquire());
            effects.SetTimer(LockTimer.Acquire);
        }
        if (state is ClientState { Phase: "releasing" } && timer == LockTimer.Release)
        {
            effects.Send(Server, new Release());
            effects.SetTimer(LockTimer.Release);
        }
        return state;
    }

    public object OnRecover(NothingDurable? persisted, Effects<LockMessage, LockTimer, NothingDurable> effects) => Start(effects);

    public const int Clients = 2;

    /// <summary>The server and its clients with the spec they must satisfy (the lock service's log spec, with its liveness monitor).</summary>
    public static Protocol<object, LockMessage, LockTimer, NothingDurable, LockEvent> System(bool retransmitRelease) => new LockSystem().Build(new LockConfig(retransmitRelease));

    internal static Protocol<object, LockMessage, LockTimer, NothingDurable, LockEvent> Create(LockConfig config) =>
        new(config.RetransmitRelease ? "LockWithRetransmit" : "LockLostRelease", 1 + Clients, _ => new LockNode(config.RetransmitRelease), LockService.Create(Clients));
}
