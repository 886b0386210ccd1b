using System.Numerics;
using Verification.Runtime;
using Verification.Specs;
using Verification.Specs.Replication;

namespace Verification.Protocols.MultiPaxos;

/// <summary>Multi-Paxos's timers: a leader election, a replica's catch-up, a client's (re)submission.</summary>
public enum MultiPaxosTimer { CatchUp, Elect, Submit }

/// <summary>
/// Multi-Paxos as a replicated log: a leader runs phase 1 once for all slots (adopting, per slot, the highest-ballot
/// entry its promises report and filling gaps with no-ops), then acts as the distinguished proposer for every slot;
/// a higher ballot takes leadership over; replicas apply committed slots in order and catch up by asking peers.
/// Checked against <see cref="ReplicatedLogSpec"/>.
/// </summary>
public sealed class MultiPaxosNode(MultiPaxosConfig config) : INode<MultiPaxosState, MultiPaxosMessage, MultiPaxosTimer, ReplicaDurable>
{
    private const int None = ReplicatedLogSpec.None;

    /// <summary>The registered Multi-Paxos system in <paramref name="config"/>.</summary>
    public static Protocol<MultiPaxosState, MultiPaxosMessage, MultiPaxosTimer, ReplicaDurable, LogEvent> System(MultiPaxosConfig config) => new MultiPaxosSystem().Build(config);

    internal static Protocol<MultiPaxosState, MultiPaxosMessage, MultiPaxosTimer, ReplicaDurable, LogEvent> Create(MultiPaxosConfig config)
    {
        config.Validate();
        var log = ReplicatedLogSpec.Create(config.Slots, config.Commands, config.Replicas);
        // The store's replicas also refine the key-value spec: each replica's executed commands, in order.
        var spec = config.ClientsLinearizable
            ? Refinement.Of(log, KeyValueStoreSpec.Create(config.Slots, config.Commands, config.Replicas)).MapEvents(e => e).Build()
            : log;
        return new(config.SystemName, config.Nodes, _ => new MultiPaxosNode(config), spec)
        {
            HistoryCheck = config.ClientsLinearizable ? MultiPaxosSystem.LinearizableClients() : null,
            StateMapping = RefinementMapping(spec, config),
        };
    }

    /// <summary>
    /// How the replicas' states realise the replicated-log spec: slot s is committed to what the first replica that
    /// knows a commit there holds; replica r has applied as many slots as its applied count and executed exactly the
    /// commands its state machine ran. A replica that is down is read from what it persisted.
    /// </summary>
    public static StateMapping<MultiPaxosState, ReplicaDurable> RefinementMapping(Spec<LogEvent> spec, MultiPaxosConfig config)
    {
        ReplicaDurable? replica(SystemView<MultiPaxosState, ReplicaDurable> system, int r) => system.State(r) is ReplicaState up ? up.Durable : system.Persisted(r);
        var mapping = new StateMapping<MultiPaxosState, ReplicaDurable>()
            .Maps(spec.Variable<Family<int>>("committedCommand"), (system, s) =>
                Enumerable.Range(0, config.Replicas).Select(r => replica(system, r)?.Committed[s] ?? None).FirstOrDefault(c => c != None, None))
            .Maps(spec.Variable<Family<int>>("appliedCount"), (system, r) => replica(system, r)?.Applied ?? 0)
            .Maps(spec.Variable<Family<bool>>("executed"), (system, i) => replica(system, i / config.Commands)?.Executed[i % config.Commands] ?? false);
        if (spec.Variables.All(v => v.Name != $"{KeyValueStoreSpec.Name}.{KeyValueStoreSpec.ExecutedName}")) return mapping;
        // The key-value spec's sequence of executed commands is the replica's applied log, each command at its first slot.
        var executedName = $"{KeyValueStoreSpec.Name}.{KeyValueStoreSpec.ExecutedName}";
        return mapping
            .Maps(spec.Variable<Family<int>>(executedName + ".Length"), (system, r) => AppliedLog(replica(system, r)).Count)
            .Maps(spec.Variable<Family<int>>(executedName), (system, k) => AppliedLog(replica(system, k / config.Slots)) is var run && k % config.Slots < run.Count ? run[k % config.Slots] : 0);
    }

    /// <summary>The commands a replica's state machine ran, in slot order: each committed command below its applied count, at its first slot (no-ops run nothing).</summary>
    private static List<int> AppliedLog(ReplicaDurable? replica)
    {
        var run = new List<int>();
        for (var s = 0; replica is not null && s < replica.Applied; s++)
            if (replica.Committed[s] is var command && command >= 0 && !run.Contains(command)) run.Add(command);
        return run;
    }

    private bool Has(MultiPaxosBug bug) => (config.Bugs & bug) != 0;

    private IEnumerable<NodeId> Replicas => Enumerable.Range(0, config.Replicas).Select(i => new NodeId(i));

    private bool RunsForLeader(NodeId node) => node.Index < config.Replicas && (!config.StableLeader || node.Index == 0);

    private ReplicaState FreshReplica() => ReplicaState.Recovered(new ReplicaDurable
    {
        Round = 0, Promised = None, Accepted = ValueArray<LogEntry>.Filled(config.Slots, LogEntry.Empty), Committed = ValueArray<int>.Filled(config.Slots, None),
        Applied = 0, CatchUpTurn = 0, Store = "", Outputs = ValueArray<string>.Filled(config.Commands, ""),
        Executed = ValueArray<bool>.Filled(config.Commands, false),
    });

    public MultiPaxosState Start(Effects<MultiPaxosMessage, MultiPaxosTimer, ReplicaDurable> effects)
    {
        if (effects.Self.Index >= config.Replicas)
        {
            effects.SetTimer(MultiPaxosTimer.Submit);
            return new LogClientState(effects.Self.Index - config.Replicas, 0, false, 0);
        }
        if (RunsForLeader(effects.Self)) effects.SetTimer(MultiPaxosTimer.Elect);
        effects.SetTimer(MultiPaxosTimer.CatchUp);
        return FreshReplica();
    }

    public MultiPaxosState OnTimer(MultiPaxosState state, MultiPaxosTimer timer, Effects<MultiPaxosMessage, MultiPaxosTimer, ReplicaDurable> effects)
    {
        switch (state, timer)
        {
            case (LogClientState client, MultiPaxosTimer.Submit):
                if (client.Next >= config.OperationsPerClient) return client;
                effects.SetTimer(MultiPaxosTimer.Submit); // retry until a reply comes: requests may be lost, leaders may change
                var command = client.Client * config.OperationsPerClient + client.Next;
                if (!client.Pending)
                {
                    var (operation, key, value, expected) = StoreWorkload.Operation(command, config.OperationsPerClient);
                    effects.Observe(new Submitted(client.Client, command));
                    effects.Observe(new StoreCalled(client.Client, command, operation, key, value, expected));
                    foreach (var replica in Replicas) effects.Send(replica, new ClientRequest(command));
                    return client with { Pending = true, Retries = 0 };
                }
                effects.Send(new NodeId(client.Retries % config.Replicas), new ClientRequest(command)); // a retry goes to one replica, in turn
                return client with { Retries = client.Retries + 1 };
            case (ReplicaState replica, MultiPaxosTimer.Elect):
                if (replica.Leader is { Leading: true }) return replica; // a leader stays until a higher ballot takes over
                // Others may try any time (leader change); the stable leader retries only until it leads.
                effects.SetTimer(MultiPaxosTimer.Elect);
                // A candidate waits twice as many ticks after each failed try before preempting its own election
                // (exponential backoff, so that a slow phase 1 can finish).
                if (replica.Leader is { } trying && trying.Ticks + 1 < trying.Patience)
                    return replica with { Leader = trying with { Ticks = trying.Ticks + 1 } };
                if (replica.Round >= config.MaxRounds) return replica;
                var ballot = replica.Round * config.Replicas + effects.Self.Index;
                var candidate = replica with
                {
                    Round = replica.Round + 1,
                    Leader = new LeaderState
                    {
                        Ballot = ballot, Leading = false, Promises = 0, Merged = ValueArray<LogEntry>.Filled(config.Slots, LogEntry.Empty),
                        Proposals = ValueArray<int>.Filled(config.Slots, None), Votes = ValueArray<uint>.Filled(config.Slots, 0), Pending = replica.Leader?.Pending ?? 0,
                        Ticks = 0, Patience = Math.Min(64, (replica.Leader?.Patience ?? 1) * 2),
                    },
                };
                effects.Persist(candidate.Durable); // a restarted replica must not reuse a ballot
                foreach (var peer in Replicas) effects.Send(peer, new PrepareLog(ballot));
                return candidate;
            case (ReplicaState replica, MultiPaxosTimer.CatchUp):
                // Ask one peer per tick, in turn, for what this replica missed (the leader itself may have missed a commit).
                effects.SetTimer(MultiPaxosTimer.CatchUp);
                var asked = (effects.Self.Index + 1 + replica.CatchUpTurn % (config.Replicas - 1)) % config.Replicas;
                if (replica.Promised != None) effects.Send(new NodeId(asked), new CatchUp(replica.Applied));
                return replica with { CatchUpTurn = (replica.CatchUpTurn + 1) % (config.Replicas - 1) };
            default:
                return state;
        }
    }

    public MultiPaxosState OnMessage(MultiPaxosState state, NodeId from, MultiPaxosMessage message, Effects<MultiPaxosMessage, MultiPaxosTimer, ReplicaDurable> effects) =>
        (state, message) switch
        {
            (LogClientState client, ClientReply reply) when client.Pending && reply.Command == client.Client * config.OperationsPerClient + client.Next => Returned(client, reply, effects),
            (ReplicaState replica, ClientRequest request) => OnRequest(replica, request.Command, effects),
            (ReplicaState replica, PrepareLog prepare) => OnPrepare(replica, from, prepare, effects),
            (ReplicaState replica, PromiseLog promise) => OnPromise(replica, from, promise, effects),
            (ReplicaState replica, AcceptEntry accept) => OnAccept(replica, from, accept, effects),
            (ReplicaState replica, AcceptedEntry accepted) => OnAccepted(replica, from, accepted, effects),
            (ReplicaState replica, CommitEntry commit) => OnCommit(replica, commit, effects),
            (ReplicaState replica, CatchUp catchUp) => OnCatchUp(replica, from, catchUp, effects),
            _ => state,
        };

    private static LogClientState Returned(LogClientState client, ClientReply reply, Effects<MultiPaxosMessage, MultiPaxosTimer, ReplicaDurable> effects)
    {
        effects.Observe(new StoreReturned(client.Client, reply.Command, reply.Output));
        return client with { Next = client.Next + 1, Pending = false };
    }

    private ReplicaState OnRequest(ReplicaState replica, int command, Effects<MultiPaxosMessage, MultiPaxosTimer, ReplicaDurable> effects)
    {
        if (replica.Leader is not { } leader) return replica;
        if (!leader.Leading) return replica with { Leader = leader with { Pending = leader.Pending | (1u << command) } };
        return replica with { Leader = Propose(replica, leader, command, effects) };
    }

    /// <summary>Gives a command the next free slot, unless this leader already proposes it somewhere (a retry; a new leader may still propose it twice, which replicas absorb).</summary>
    private LeaderState Propose(ReplicaState replica, LeaderState leader, int command, Effects<MultiPaxosMessage, MultiPaxosTimer, ReplicaDurable> effects)
    {
        {
            var slot = Enumerable.Range(0, config.Slots).FirstOrDefault(s => leader.Proposals[s] == command || replica.Committed[s] == command, -1);
            if (slot >= 0)
            {
                // A retry: answer it if committed, else send the slot's 2a again (the first ones may have been lost).
                if (replica.Committed[slot] == command && slot < replica.Applied) effects.Send(config.ClientOf(command), new ClientReply(command, slot, replica.Outputs[command]));
                else foreach (var peer in Replicas) effects.Send(peer, new AcceptEntry(leader.Ballot, slot, command));
                return leader;
            }
        }
        var free = Enumerable.Range(0, config.Slots).FirstOrDefault(s => leader.Proposals[s] == None && replica.Committed[s] == None, -1);
        if (free < 0) return leader; // the bounded log is full
        foreach (var peer in Replicas) effects.Send(peer, new AcceptEntry(leader.Ballot, free, command));
        return leader with { Proposals = leader.Proposals.With(free, command) };
    }

    private static ReplicaState OnPrepare(ReplicaState replica, NodeId from, PrepareLog prepare, Effects<MultiPaxosMessage, MultiPaxosTimer, ReplicaDurable> effects)
    {
        if (prepare.Ballot <= replica.Promised) return replica;
        // A higher ballot takes over: this replica stops leading (its pending requests are kept for its next try).
        var leader = replica.Leader is { } current && current.Ballot < prepare.Ballot ? null : replica.Leader;
        var next = replica with { Promised = prepare.Ballot, Leader = leader };
        effects.Persist(next.Durable);
        effects.Send(from, new PromiseLog(prepare.Ballot, replica.Accepted));
        return next;
    }

    private ReplicaState OnPromise(ReplicaState replica, NodeId from, PromiseLog promise, Effects<MultiPaxosMessage, MultiPaxosTimer, ReplicaDurable> effects)
    {
        if (replica.Leader is not { Leading: false } leader || leader.Ballot != promise.Ballot) return replica;
        var merged = leader.Merged;
        if (!Has(MultiPaxosBug.NewLeaderIgnoresAcceptedEntries))
            for (var s = 0; s < config.Slots; s++)
                if (promise.Accepted[s].Ballot > merged[s].Ballot) merged = merged.With(s, promise.Accepted[s]);
        leader = leader with { Promises = leader.Promises | (1u << from.Index), Merged = merged };
        if (BitOperations.PopCount(leader.Promises) < config.Majority) return replica with { Leader = leader };

        // Phase 2 for every slot up to the highest reported: the reported value, or a no-op in a gap.
        var highest = Enumerable.Range(0, config.Slots).LastOrDefault(s => merged[s].Command != None || replica.Committed[s] != None, -1);
        var proposals = leader.Proposals;
        for (var s = 0; s <= highest; s++)
        {
            var command = replica.Committed[s] != None ? replica.Committed[s] : merged[s].Command != None ? merged[s].Command : ReplicatedLogSpec.NoOp;
            proposals = proposals.With(s, command);
            foreach (var peer in Replicas) effects.Send(peer, new AcceptEntry(leader.Ballot, s, command));
        }
        var pending = leader.Pending;
        leader = leader with { Leading = true, Proposals = proposals, Pending = 0 };
        for (var command = 0; command < config.Commands; command++)
            if (((pending >> command) & 1) == 1) leader = Propose(replica, leader, command, effects);
        return replica with { Leader = leader };
    }

    private static ReplicaState OnAccept(ReplicaState replica, NodeId from, AcceptEntry accept, Effects<MultiPaxosMessage, MultiPaxosTimer, ReplicaDurable> effects)
    {
        if (accept.Ballot < replica.Promised) return replica;
        var leader = replica.Leader is { } current && current.Ballot < accept.Ballot ? null : replica.Leader;
        var next = replica with { Promised = accept.Ballot, Accepted = replica.Accepted.With(accept.Slot, new LogEntry(accept.Ballot, accept.Command)), Leader = leader };
        effects.Persist(next.Durable);
        effects.Send(from, new AcceptedEntry(accept.Ballot, accept.Slot));
        return next;
    }

    private ReplicaState OnAccepted(ReplicaState replica, NodeId from, AcceptedEntry accepted, Effects<MultiPaxosMessage, MultiPaxosTimer, ReplicaDurable> effects)
    {
        if (replica.Leader is not { Leading: true } leader || leader.Ballot != accepted.Ballot) return replica;
        var before = leader.Votes[accepted.Slot];
        var votes = before | (1u << from.Index);
        leader = leader with { Votes = leader.Votes.With(accepted.Slot, votes) };
        // Commit on reaching a quorum, and again on a later vote while this replica has not seen the commit itself
        // (a retried request re-sends the 2a; this re-sends the commit, in case all of them were lost).
        if (BitOperations.PopCount(votes) >= config.Majority && (BitOperations.PopCount(before) < config.Majority || replica.Committed[accepted.Slot] == None))
            foreach (var peer in Replicas) effects.Send(peer, new CommitEntry(accepted.Slot, leader.Proposals[accepted.Slot]));
        return replica with { Leader = leader };
    }

    private ReplicaState OnCommit(ReplicaState replica, CommitEntry commit, Effects<MultiPaxosMessage, MultiPaxosTimer, ReplicaDurable> effects)
    {
        if (replica.Committed[commit.Slot] != None) return replica;
        effects.Observe(new Committed(effects.Self.Index, commit.Slot, commit.Command));
        var next = replica with { Committed = replica.Committed.With(commit.Slot, commit.Command) };
        // The planted bug: a command committed past a gap runs at once; the replica still reports it in slot order.
        if (Has(MultiPaxosBug.ReplicaAppliesAhead) && commit.Slot > next.Applied && commit.Command >= 0 && !next.Executed[commit.Command])
            next = Execute(next, commit.Command);
        // Apply in slot order, as far as the log is committed without a gap.
        while (next.Applied < config.Slots && next.Committed[next.Applied] is var command && command != None)
        {
            // A command can sit in two slots (a retry proposed again by a new leader): it takes effect once.
            var duplicate = command >= 0 && Enumerable.Range(0, next.Applied).Any(s => next.Committed[s] == command);
            var execute = command >= 0 && (!duplicate || Has(MultiPaxosBug.ReplicaExecutesDuplicates));
            effects.Observe(new Applied(effects.Self.Index, next.Applied, command, execute));
            if (execute && !(Has(MultiPaxosBug.ReplicaAppliesAhead) && next.Executed[command])) next = Execute(next, command);
            // The client is answered when its command is performed, once: a slot skipped as a duplicate owes it nothing.
            if (execute) effects.Send(config.ClientOf(command), new ClientReply(command, next.Applied, next.Outputs[command]));
            next = next with { Applied = next.Applied + 1 };
        }
        effects.Persist(next.Durable);
        return next;
    }

    /// <summary>Runs <paramref name="command"/> on the replica's state machine.</summary>
    private ReplicaState Execute(ReplicaState replica, int command)
    {
        var (store, output) = StoreWorkload.Apply(replica.Store, StoreWorkload.Operation(command, config.OperationsPerClient));
        return replica with { Store = store, Outputs = replica.Outputs.With(command, output), Executed = replica.Executed.With(command, true) };
    }

    private ReplicaState OnCatchUp(ReplicaState replica, NodeId from, CatchUp catchUp, Effects<MultiPaxosMessage, MultiPaxosTimer, ReplicaDurable> effects)
    {
        if (Has(MultiPaxosBug.IgnoresCatchUp)) return replica;
        for (var s = catchUp.FromSlot; s < config.Slots; s++)
            if (replica.Committed[s] != None) effects.Send(from, new CommitEntry(s, replica.Committed[s]));
        return replica;
    }

    /// <summary>A replica comes back with what it persisted, not leading; a client persists nothing and starts again.</summary>
    public MultiPaxosState OnRecover(ReplicaDurable? durable, Effects<MultiPaxosMessage, MultiPaxosTimer, ReplicaDurable> effects)
    {
        if (durable is null) return Start(effects);
        if (RunsForLeader(effects.Self)) effects.SetTimer(MultiPaxosTimer.Elect);
        effects.SetTimer(MultiPaxosTimer.CatchUp);
        return ReplicaState.Recovered(durable);
    }
}
