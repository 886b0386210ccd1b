using Verification.Checkers.Systematic;
using Verification.Checkers;
using System.Numerics;
using Verification.Checkers.Linearizability;
using Verification.Runtime;
using Verification.Specs;
using Verification.Specs.Replication;

namespace Verification.Protocols;

/// <summary>Planted bugs of Multi-Paxos, each switched on by configuration.</summary>
[Flags]
public enum MultiPaxosBug
{
    None = 0,

    /// <summary>A new leader ignores the entries its promises report and fills slots from 0 with its own requests.</summary>
    NewLeaderIgnoresAcceptedEntries = 1,

    /// <summary>A replica executes a command again when the log holds it twice (a retried request is applied twice).</summary>
    ReplicaExecutesDuplicates = 2,

    /// <summary>Replicas do not answer catch-up requests: one that missed a commit stays behind for good.</summary>
    IgnoresCatchUp = 4,
}

/// <summary>
/// Nodes 0..R−1 are replicas (acceptor, learner and would-be leader each), R..R+C−1 clients; client k submits command k
/// and retries until a replica replies. Ballots are round·R + replica. The log has <see cref="Slots"/> slots.
/// </summary>
/// <param name="StableLeader">Only replica 0 ever runs for leader, once: a stable distinguished proposer (for liveness without faults).</param>
/// <param name="OperationsPerClient">Store operations each client runs in turn (<see cref="StoreWorkload"/>); command k·P + j is client k's j-th.</param>
public sealed record MultiPaxosConfig(int Replicas = 3, int Clients = 2, int Slots = 4, int MaxRounds = 3, bool StableLeader = false, MultiPaxosBug Bugs = MultiPaxosBug.None,
    int OperationsPerClient = 1)
{
    public int Commands => Clients * OperationsPerClient;

    public NodeId ClientOf(int command) => new(Replicas + command / OperationsPerClient);

    public int Nodes => Replicas + Clients;
    public int Majority => Replicas / 2 + 1;

    /// <summary>The system's name: every setting, so a saved schedule names the exact configuration it replays on.</summary>
    public string SystemName => $"MultiPaxos[bugs={Bugs};replicas={Replicas};clients={Clients};slots={Slots};rounds={MaxRounds};stable={StableLeader};ops={OperationsPerClient}{(ClientsLinearizable ? ";linearizable" : "")}]";

    /// <summary>The key-value store's clients' call/return history is checked for linearizability at the end of every run.</summary>
    public bool ClientsLinearizable { get; init; }
}

public abstract record MultiPaxosMessage;

public sealed record ClientRequest(int Command) : MultiPaxosMessage;

public sealed record ClientReply(int Command, int Slot, string Output) : MultiPaxosMessage;

public sealed record PrepareLog(int Ballot) : MultiPaxosMessage;

/// <summary>1b for a whole log: what the replica accepted in every slot.</summary>
public sealed record PromiseLog(int Ballot, ValueArray<LogEntry> Accepted) : MultiPaxosMessage;

public sealed record AcceptEntry(int Ballot, int Slot, int Command) : MultiPaxosMessage;

public sealed record AcceptedEntry(int Ballot, int Slot) : MultiPaxosMessage;

public sealed record CommitEntry(int Slot, int Command) : MultiPaxosMessage;

/// <summary>A lagging replica asks for the commits from slot <see cref="FromSlot"/> on.</summary>
public sealed record CatchUp(int FromSlot) : MultiPaxosMessage;

/// <summary>What an acceptor accepted in one slot (<see cref="Empty"/> when nothing).</summary>
public sealed record LogEntry(int Ballot, int Command)
{
    public static readonly LogEntry Empty = new(ReplicatedLogSpec.None, ReplicatedLogSpec.None);
}

public abstract record MultiPaxosState;

/// <summary>A client: its index, the operation it is on (0-based), whether that one is outstanding, how often it retried.</summary>
public sealed record LogClientState(int Client, int Next, bool Pending, int Retries) : MultiPaxosState;

/// <summary>
/// What a replica persists before it replies, and all it has after a crash: the round it last ran for leader in (so
/// it never reuses a ballot), the acceptor's promise and accepted entries, the learner's committed slots and applied
/// count, the state machine (the store's value and each executed command's output), and whose turn catch-up is.
/// </summary>
public sealed record ReplicaDurable
{
    public required int Round { get; init; }
    public required int Promised { get; init; }
    public required ValueArray<LogEntry> Accepted { get; init; }
    public required ValueArray<int> Committed { get; init; }
    public required int Applied { get; init; }
    public required int CatchUpTurn { get; init; }
    public required string Store { get; init; }
    public required ValueArray<string> Outputs { get; init; }
}

/// <summary>A replica: its durable part and, while it leads or runs for leader, <see cref="Leader"/> (what a crash forgets).</summary>
public sealed record ReplicaState : MultiPaxosState
{
    public required int Round { get; init; }
    public required int Promised { get; init; }
    public required ValueArray<LogEntry> Accepted { get; init; }
    public required ValueArray<int> Committed { get; init; }
    public required int Applied { get; init; }
    public required int CatchUpTurn { get; init; }
    public required string Store { get; init; }
    public required ValueArray<string> Outputs { get; init; }
    public LeaderState? Leader { get; init; }

    /// <summary>What this replica persists: everything but its leadership.</summary>
    public ReplicaDurable Durable => new()
    {
        Round = Round, Promised = Promised, Accepted = Accepted, Committed = Committed, Applied = Applied, CatchUpTurn = CatchUpTurn, Store = Store, Outputs = Outputs,
    };

    /// <summary>A replica as it comes back from <paramref name="durable"/>: not leading.</summary>
    public static ReplicaState Recovered(ReplicaDurable durable) => new()
    {
        Round = durable.Round, Promised = durable.Promised, Accepted = durable.Accepted, Committed = durable.Committed, Applied = durable.Applied,
        CatchUpTurn = durable.CatchUpTurn, Store = durable.Store, Outputs = durable.Outputs,
    };
}

/// <summary>
/// A leader's volatile state: its ballot, phase-1 promises, the log it proposes, votes per slot, requests waiting for
/// phase 1, and as a candidate the timer ticks waited and how many it will wait before trying again.
/// </summary>
public sealed record LeaderState
{
    public required int Ballot { get; init; }
    public required bool Leading { get; init; }
    public required uint Promises { get; init; }
    public required ValueArray<LogEntry> Merged { get; init; }
    public required ValueArray<int> Proposals { get; init; }
    public required ValueArray<uint> Votes { get; init; }
    public required uint Pending { get; init; }
    public required int Ticks { get; init; }
    public required int Patience { get; init; }
}

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

    internal static Protocol<MultiPaxosState, MultiPaxosMessage, MultiPaxosTimer, ReplicaDurable, LogEvent> Create(MultiPaxosConfig config) =>
        new(config.SystemName, config.Nodes, _ => new MultiPaxosNode(config),
            ReplicatedLogSpec.Create(config.Slots, config.Commands, config.Replicas))
        {
            HistoryCheck = config.ClientsLinearizable ? LinearizabilityHistoryCheck.MultiPaxosClients() : null,
        };

    private bool Has(MultiPaxosBug bug) => (config.Bugs & bug) != 0;

    private IEnumerable<NodeId> Replicas => Enumerable.Range(0, config.Replicas).Select(i => new NodeId(i));

    private bool RunsForLeader(NodeId node) => node.Index < config.Replicas && (!config.StableLeader || node.Index == 0);

    private ReplicaState FreshReplica() => ReplicaState.Recovered(new ReplicaDurable
    {
        Round = 0, Promised = None, Accepted = ValueArray<LogEntry>.Filled(config.Slots, LogEntry.Empty), Committed = ValueArray<int>.Filled(config.Slots, None),
        Applied = 0, CatchUpTurn = 0, Store = "", Outputs = ValueArray<string>.Filled(config.Commands, ""),
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

    private LogClientState Returned(LogClientState client, ClientReply reply, Effects<MultiPaxosMessage, MultiPaxosTimer, ReplicaDurable> effects)
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

    private ReplicaState OnPrepare(ReplicaState replica, NodeId from, PrepareLog prepare, Effects<MultiPaxosMessage, MultiPaxosTimer, ReplicaDurable> effects)
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

    private ReplicaState OnAccept(ReplicaState replica, NodeId from, AcceptEntry accept, Effects<MultiPaxosMessage, MultiPaxosTimer, ReplicaDurable> effects)
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
        // Apply in slot order, as far as the log is committed without a gap.
        while (next.Applied < config.Slots && next.Committed[next.Applied] is var command && command != None)
        {
            // A command can sit in two slots (a retry proposed again by a new leader): it takes effect once.
            var duplicate = command >= 0 && Enumerable.Range(0, next.Applied).Any(s => next.Committed[s] == command);
            var execute = command >= 0 && (!duplicate || Has(MultiPaxosBug.ReplicaExecutesDuplicates));
            effects.Observe(new Applied(effects.Self.Index, next.Applied, command, execute));
            if (execute)
            {
                var (store, output) = StoreWorkload.Apply(next.Store, StoreWorkload.Operation(command, config.OperationsPerClient));
                next = next with { Store = store, Outputs = next.Outputs.With(command, output) };
            }
            if (command >= 0) effects.Send(config.ClientOf(command), new ClientReply(command, next.Applied, next.Outputs[command]));
            next = next with { Applied = next.Applied + 1 };
        }
        effects.Persist(next.Durable);
        return next;
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

/// <summary>Multi-Paxos as a registered system: the replicated log, a stable leader, the store, and one configuration per planted bug.</summary>
public sealed class MultiPaxosSystem : SystemDefinition<MultiPaxosConfig, MultiPaxosState, MultiPaxosMessage, MultiPaxosTimer, ReplicaDurable, LogEvent>
{
    public override string Name => "MultiPaxos";

    public override string Description => "Multi-Paxos replicas and clients as a replicated log, against the replicated-log spec";

    public override IReadOnlyList<(string Name, MultiPaxosConfig Configuration)> Configurations { get; } =
    [
        ("default", new MultiPaxosConfig()),
        ("stable-leader", new MultiPaxosConfig(StableLeader: true, MaxRounds: 50)),
        ("store", new MultiPaxosConfig(Slots: 8, OperationsPerClient: 3) { ClientsLinearizable = true }),
        ("bug:NewLeaderIgnoresAcceptedEntries", new MultiPaxosConfig(Bugs: MultiPaxosBug.NewLeaderIgnoresAcceptedEntries)),
        ("bug:ReplicaExecutesDuplicates", new MultiPaxosConfig(Bugs: MultiPaxosBug.ReplicaExecutesDuplicates)),
        ("bug:IgnoresCatchUp", new MultiPaxosConfig(StableLeader: true, MaxRounds: 50, Bugs: MultiPaxosBug.IgnoresCatchUp)),
    ];

    protected override Protocol<MultiPaxosState, MultiPaxosMessage, MultiPaxosTimer, ReplicaDurable, LogEvent> Create(MultiPaxosConfig configuration) => MultiPaxosNode.Create(configuration);

    private static readonly FaultModel Faults = FaultModel.Full(f: 1, losses: 3, duplicates: 2, partitions: 1);

    /// <summary>Liveness judged after a fair, synchronous suffix (messages beat timeouts).</summary>
    private static readonly TestOptions Live = new() { MaxSteps = 600, LivenessThreshold = 300, SynchronousAfterFairPoint = true };

    public override IReadOnlyList<SystemCheck> Checks { get; } =
    [
        new("MultiPaxos (3 replicas, 2 clients): loss, duplication, partition, crash-recover, leader changes", "default",
            new RandomRuns { Options = new TestOptions { Iterations = 20_000, MaxSteps = 250, CheckLiveness = false, Faults = Faults } },
            Expectation.Holds, "20,000 runs of the default portfolio against the replicated-log spec's safety properties"),
        new("MultiPaxos, stable leader: every request commits and is answered, every replica catches up", "stable-leader",
            new RandomRuns { Options = Live with { Iterations = 2000, Faults = new FaultModel { MaxLosses = 30, MaxDuplicates = 1, MaxCrashes = 1, MaxDownAtOnce = 1, CrashKinds = [CrashKind.Amnesia] } } },
            Expectation.Holds, "2,000 runs with up to 30 losses and an amnesia crash, liveness judged after a fair, synchronous suffix"),
        new("MultiPaxos key-value store: every run's client history is linearizable", "store",
            new RandomRuns { Options = new TestOptions { Iterations = 10_000, MaxSteps = 300, CheckLiveness = false, Faults = Faults } },
            Expectation.Holds, "10,000 runs, 2 clients each writing, reading and compare-and-setting, full fault model; histories checked by the linearizability checker"),
        .. new (MultiPaxosBug Bug, string Property)[] { (MultiPaxosBug.NewLeaderIgnoresAcceptedEntries, "SlotAgreement"), (MultiPaxosBug.ReplicaExecutesDuplicates, "ExecutedOnce") }
            .Select(planted => new SystemCheck($"MultiPaxos planted bug {planted.Bug} ({planted.Property})", $"bug:{planted.Bug}",
                new RandomRuns { Options = new TestOptions { Iterations = 50_000, MaxSteps = 250, CheckLiveness = false, Faults = FaultModel.Full(f: 1, losses: 2, duplicates: 1, partitions: 0) } },
                Expectation.Violated(FailureKind.Safety, planted.Property), "the default portfolio must find it with the property it breaks, and replay it")),
        new("MultiPaxos planted bug IgnoresCatchUp (EveryReplicaAppliesTheCommittedPrefix)", "bug:IgnoresCatchUp",
            new RandomRuns { Options = Live with { Iterations = 5000, Faults = new FaultModel { MaxLosses = 30 } } },
            Expectation.Violated(FailureKind.Liveness, "EveryReplicaAppliesTheCommittedPrefix"), "a replica that missed a commit stays behind for good"),
    ];
}
