using Verification.Runtime;
using Verification.Specs;
using Verification.Specs.Replication;

namespace Verification.Protocols.ChainReplication;

/// <summary>
/// Chain replication (van Renesse and Schneider; seed 003). Clients send updates to the head, which orders them;
/// each server logs an update in its history, forwards it to its successor and keeps it in its Sent list until the
/// tail's acknowledgement travels back up; the tail replies to the client and answers queries. Servers apply the
/// acknowledged part of their history (the tail: all of it) to their store later, on a timer (a batched apply); the
/// tail applies everything before answering a query.
/// The master, told of failures by a perfect failure detector, reconfigures: it fences the failed server off at its
/// successor (whose in-flight messages may still arrive), then removes it — a failed head's successor becomes head,
/// a failed tail's predecessor becomes tail (and replies for its Sent list), and a failed middle server's predecessor
/// resends its Sent list to its new successor. Clients retry on a timer; the head drops updates it already has.
/// </summary>
public sealed class ChainNode(ChainConfig config) : INode<ChainNodeState, ChainMessage, ChainTimer, ServerLog>
{
    /// <summary>The registered chain replication system in <paramref name="config"/>.</summary>
    public static Protocol<ChainNodeState, ChainMessage, ChainTimer, ServerLog, ChainEvent> System(ChainConfig config) => new ChainSystem().Build(config);

    internal static Protocol<ChainNodeState, ChainMessage, ChainTimer, ServerLog, ChainEvent> Create(ChainConfig config)
    {
        config.Validate();
        var chain = ChainReplicationSpec.WithClients(config.Servers, config.Updates);
        // Each server's store refines the key-value spec's replica: the updates it executed, in one order everywhere, each once.
        var spec = Refinement.Of(chain, KeyValueStoreSpec.Create(slots: config.Updates, commands: config.Updates, replicas: config.Servers))
            .MapEvents(e => e.When((UpdateApplied a) => (LogEvent?)new Applied(a.Server, 0, a.Update, true)).Else(null)) // the key-value spec does not read slots
            .Build();
        var name = config.Bug == ChainBug.None ? "ChainReplication" : $"ChainReplication[{config.Bug}]";
        return new(name, config.Nodes, _ => new ChainNode(config), spec) { StateMapping = ServersToSpec(spec, config) };
    }

    /// <summary>
    /// How the servers realise the spec's sequences: hist_s is server s's history, applied_s and the key-value
    /// replica's executed commands are its store. A failed (fail-stop) server is read from its stable storage.
    /// </summary>
    public static StateMapping<ChainNodeState, ServerLog> ServersToSpec(Spec<ChainEvent> spec, ChainConfig config)
    {
        static ServerLog? log(SystemView<ChainNodeState, ServerLog> system, int s) => system.State(s) is ServerState up ? up.Log : system.Persisted(s);
        var mapping = new StateMapping<ChainNodeState, ServerLog>();
        void sequence(string name, Func<ServerLog, ValueArray<int>> of)
        {
            mapping.Maps(spec.Variable<Family<int>>(name + ".Length"), (system, s) => log(system, s) is { } l ? of(l).Length : 0);
            mapping.Maps(spec.Variable<Family<int>>(name), (system, k) =>
                log(system, k / config.Updates) is { } l && k % config.Updates < of(l).Length ? of(l)[k % config.Updates] : 0);
        }
        sequence("hist", l => l.History);
        sequence("applied", l => l.Store);
        sequence($"{KeyValueStoreSpec.Name}.{KeyValueStoreSpec.ExecutedName}", l => l.Store);
        return mapping;
    }

    private NodeId Master => new(config.Master);

    private IEnumerable<NodeId> Clients => Enumerable.Range(config.Master + 1, config.Clients).Select(i => new NodeId(i));

    public ChainNodeState Start(Effects<ChainMessage, ChainTimer, ServerLog> effects)
    {
        var self = effects.Self.Index;
        if (self < config.Servers)
        {
            var server = new ServerState(self - 1, self + 1 < config.Servers ? self + 1 : -1, ValueArray<int>.Empty, ValueArray<int>.Empty, ValueArray<Forward>.Empty, 0, false);
            effects.Persist(server.Log);
            return server;
        }
        if (self == config.Master) return new MasterState(ValueArray<int>.From(Enumerable.Range(0, config.Servers)), ValueArray<int>.Empty);
        var client = new ClientState(0, 0, config.Servers - 1);
        return Request(client, effects, first: true);
    }

    public ChainNodeState OnMessage(ChainNodeState state, NodeId from, ChainMessage message, Effects<ChainMessage, ChainTimer, ServerLog> effects) => (state, message) switch
    {
        (ServerState server, _) => OnServerMessage(server, from, message, effects),
        (MasterState master, Fenced fenced) => OnFenced(master, fenced, effects),
        (ClientState client, _) => OnClientMessage(client, message, effects),
        _ => state,
    };

    // ---- servers ----

    private ServerState OnServerMessage(ServerState server, NodeId from, ChainMessage message, Effects<ChainMessage, ChainTimer, ServerLog> effects)
    {
        var self = effects.Self.Index;
        switch (message)
        {
            case UpdateRequest request when server.Predecessor == -1:
                if (server.History.AsEnumerable().Contains(request.Update)) return server; // a retry: the update is on its way down the chain
                effects.Observe(new UpdateAccepted(self, request.Update));
                if (config.Bug == ChainBug.HeadReplies && server.Successor != -1) Reply(self, request.Update, effects);
                return Take(server, request.Update, effects);
            case Forward forward when from.Index == server.Predecessor:
                if (forward.Position < server.History.Length)
                {
                    // Already taken (a resend after reconfiguration, or a duplicate): the tail acknowledges it again so the Sent lists above drain.
                    if (server.Successor == -1) effects.Send(from, new Ack(server.History.Length));
                    if (config.Bug != ChainBug.ResentUpdateAppliedTwice || !forward.Resent || !server.Store.AsEnumerable().Contains(forward.Update)) return server;
                    effects.Observe(new UpdateApplied(self, forward.Update));
                    return Saved(server with { Store = server.Store.Append(forward.Update) }, effects);
                }
                if (forward.Position > server.History.Length) return server; // cannot happen on FIFO links with resends from the oldest unacknowledged update
                effects.Observe(new UpdateForwarded(from.Index, self, forward.Update));
                return Take(server, forward.Update, effects);
            case Ack ack when ack.Count > server.Acknowledged:
                // The tail has the updates before ack.Count: drop them from Sent, pass the acknowledgement up, and they may be applied.
                if (server.Predecessor != -1) effects.Send(new NodeId(server.Predecessor), ack);
                return ArmApply(server with { Sent = ValueArray<Forward>.From(server.Sent.AsEnumerable().Where(f => f.Position >= ack.Count)), Acknowledged = ack.Count }, effects);
            case QueryRequest query when server.Successor == -1:
                if (config.Bug != ChainBug.TailAnswersBeforeApplying) server = ApplyAll(server, effects);
                effects.Observe(new QueryAnswered(self, server.Store.Length));
                effects.Send(from, new QueryReply(query.Query, server.Store.Length));
                return server;
            case Fence fence:
                effects.Send(Master, new Fenced(fence.Failed));
                return server.Predecessor == fence.Failed ? server with { Predecessor = fence.NewPredecessor } : server;
            case SuccessorChanged changed when changed.Successor != server.Successor:
                if (changed.Successor == -1)
                {
                    // The new tail: everything it forwarded is in its history, so done — reply for it and acknowledge it upwards.
                    foreach (var pending in server.Sent.AsEnumerable()) Reply(self, pending.Update, effects);
                    if (server.Predecessor != -1) effects.Send(new NodeId(server.Predecessor), new Ack(server.History.Length));
                    return ArmApply(server with { Successor = -1, Sent = ValueArray<Forward>.Empty, Acknowledged = server.History.Length }, effects);
                }
                if (config.Bug != ChainBug.NoResendAfterMiddleFailure)
                    foreach (var pending in server.Sent.AsEnumerable()) effects.Send(new NodeId(changed.Successor), pending with { Resent = true });
                return server with { Successor = changed.Successor };
            default:
                return server;
        }
    }

    /// <summary>Logs an update at the end of the history; the tail replies and acknowledges it, any other server forwards it and keeps it in Sent.</summary>
    private ServerState Take(ServerState server, int update, Effects<ChainMessage, ChainTimer, ServerLog> effects)
    {
        var position = server.History.Length;
        server = server with { History = server.History.Append(update) };
        if (server.Successor == -1)
        {
            Reply(effects.Self.Index, update, effects);
            if (server.Predecessor != -1) effects.Send(new NodeId(server.Predecessor), new Ack(position + 1));
        }
        else
        {
            var forward = new Forward(position, update);
            effects.Send(new NodeId(server.Successor), forward);
            server = server with { Sent = server.Sent.Append(forward) };
        }
        return Saved(ArmApply(server, effects), effects);
    }

    /// <summary>Arms the (batched) apply when the store is behind what may be applied.</summary>
    private static ServerState ArmApply(ServerState server, Effects<ChainMessage, ChainTimer, ServerLog> effects)
    {
        if (server.ApplyArmed || server.Store.Length >= server.Stable) return server;
        effects.SetTimer(ChainTimer.Apply);
        return server with { ApplyArmed = true };
    }

    private void Reply(int self, int update, Effects<ChainMessage, ChainTimer, ServerLog> effects)
    {
        effects.Observe(new UpdateReplied(self, update));
        effects.Send(config.ClientOf(update), new UpdateDone(update));
    }

    /// <summary>Applies the stable updates not yet in the store, in order.</summary>
    private static ServerState ApplyAll(ServerState server, Effects<ChainMessage, ChainTimer, ServerLog> effects)
    {
        if (server.Store.Length >= server.Stable) return server;
        var store = server.Store;
        for (var p = store.Length; p < server.Stable; p++)
        {
            effects.Observe(new UpdateApplied(effects.Self.Index, server.History[p]));
            store = store.Append(server.History[p]);
        }
        return Saved(server with { Store = store }, effects);
    }

    private static ServerState Saved(ServerState server, Effects<ChainMessage, ChainTimer, ServerLog> effects)
    {
        effects.Persist(server.Log);
        return server;
    }

    // ---- the master ----

    public ChainNodeState OnDetector(ChainNodeState state, DetectorReport report, Effects<ChainMessage, ChainTimer, ServerLog> effects)
    {
        if (state is not MasterState master || report is not Suspect { Node.Index: var failed } || !master.Chain.AsEnumerable().Contains(failed) || master.Removing.AsEnumerable().Contains(failed))
            return state;
        master = master with { Removing = master.Removing.Append(failed) };
        return master.Removing.Length == 1 ? StartRemoving(master, effects) : master;
    }

    /// <summary>Fences off the first failed server at its successor; a failed tail has none, so it is removed at once.</summary>
    private ChainNodeState StartRemoving(MasterState master, Effects<ChainMessage, ChainTimer, ServerLog> effects)
    {
        var failed = master.Removing[0];
        var at = master.Chain.AsEnumerable().ToList().IndexOf(failed);
        if (at == master.Chain.Length - 1) return Remove(master, effects);
        effects.Send(new NodeId(master.Chain[at + 1]), new Fence(failed, at == 0 ? -1 : master.Chain[at - 1]));
        return master;
    }

    private ChainNodeState OnFenced(MasterState master, Fenced fenced, Effects<ChainMessage, ChainTimer, ServerLog> effects) =>
        master.Removing.Length > 0 && master.Removing[0] == fenced.Failed ? Remove(master, effects) : master;

    /// <summary>Removes the first failed server: its predecessor gets its successor, clients the new ends; then the next failed one.</summary>
    private ChainNodeState Remove(MasterState master, Effects<ChainMessage, ChainTimer, ServerLog> effects)
    {
        var failed = master.Removing[0];
        var chain = master.Chain.AsEnumerable().ToList();
        var at = chain.IndexOf(failed);
        effects.Observe(new ServerRemoved(failed));
        chain.RemoveAt(at);
        if (at > 0) effects.Send(new NodeId(chain[at - 1]), new SuccessorChanged(at < chain.Count ? chain[at] : -1));
        foreach (var client in Clients) effects.Send(client, new Endpoints(chain[0], chain[^1]));
        var next = new MasterState(ValueArray<int>.From(chain), ValueArray<int>.From(master.Removing.AsEnumerable().Skip(1)));
        return next.Removing.Length > 0 ? StartRemoving(next, effects) : next;
    }

    // ---- clients ----

    private int FirstUpdate(NodeId client) => (client.Index - config.Master - 1) * config.UpdatesPerClient;

    /// <summary>Sends the client's current request (its next update, or its query) and arms the retry timer.</summary>
    private ClientState Request(ClientState client, Effects<ChainMessage, ChainTimer, ServerLog> effects, bool first)
    {
        if (client.Next > config.UpdatesPerClient) return client;
        if (client.Next < config.UpdatesPerClient)
        {
            var update = FirstUpdate(effects.Self) + client.Next;
            if (first) effects.Observe(new UpdateRequested(effects.Self.Index, update));
            effects.Send(new NodeId(client.Head), new UpdateRequest(update));
        }
        else effects.Send(new NodeId(client.Tail), new QueryRequest(effects.Self.Index));
        effects.SetTimer(ChainTimer.Retry);
        return client;
    }

    private ClientState OnClientMessage(ClientState client, ChainMessage message, Effects<ChainMessage, ChainTimer, ServerLog> effects)
    {
        switch (message)
        {
            case UpdateDone done when client.Next < config.UpdatesPerClient && done.Update == FirstUpdate(effects.Self) + client.Next:
                effects.Observe(new UpdateAcknowledged(effects.Self.Index, done.Update));
                effects.CancelTimer(ChainTimer.Retry);
                return Request(client with { Next = client.Next + 1 }, effects, first: true);
            case QueryReply reply when client.Next == config.UpdatesPerClient && reply.Query == effects.Self.Index:
                effects.CancelTimer(ChainTimer.Retry);
                return client with { Next = client.Next + 1 };
            case Endpoints endpoints:
                return client with { Head = endpoints.Head, Tail = endpoints.Tail };
            default:
                return client;
        }
    }

    public ChainNodeState OnTimer(ChainNodeState state, ChainTimer timer, Effects<ChainMessage, ChainTimer, ServerLog> effects) => (state, timer) switch
    {
        (ServerState server, ChainTimer.Apply) => ApplyAll(server with { ApplyArmed = false }, effects),
        (ClientState client, ChainTimer.Retry) => Request(client, effects, first: false),
        _ => state,
    };

    /// <summary>Servers halt for good (crash-stop): never called under the protocol's fault model; a restart would be a fresh node.</summary>
    public ChainNodeState OnRecover(ServerLog? durable, Effects<ChainMessage, ChainTimer, ServerLog> effects) => Start(effects);
}
