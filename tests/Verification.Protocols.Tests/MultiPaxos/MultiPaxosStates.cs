using Verification.Protocols.MultiPaxos;
using Verification.Runtime;
using Verification.Specs.Replication;

namespace Verification.Protocols.Tests.MultiPaxos;

/// <summary>
/// Hand-built Multi-Paxos replica states and single handler calls, for the handler tests: replicas are nodes 0..R−1 and
/// clients R..R+C−1 (client k submits command k and is node R+k), ballots are round·R + replica, slots are 0-based, and
/// an empty slot, promise or proposal is <see cref="ReplicatedLogSpec.None"/>.
/// </summary>
internal static class MultiPaxosStates
{
    public const int None = ReplicatedLogSpec.None;
    public const int NoOp = ReplicatedLogSpec.NoOp;

    /// <summary>
    /// Three replicas, three clients (nodes 3, 4, 5), four slots. Client 0's command 0 puts "[0.0]"; clients 1 and 2
    /// append "[1.0]" and "[2.0]".
    /// </summary>
    public static MultiPaxosConfig Config(MultiPaxosBug bugs = MultiPaxosBug.None) => new(Replicas: 3, Clients: 3, Slots: 4, MaxRounds: 3, Bugs: bugs);

    /// <summary>What an acceptor accepted per slot: the given entries, then nothing.</summary>
    public static ValueArray<LogEntry> Accepted(MultiPaxosConfig config, params LogEntry[] entries) =>
        ValueArray<LogEntry>.From(entries.Concat(Enumerable.Repeat(LogEntry.Empty, config.Slots - entries.Length)));

    /// <summary>A command (or <see cref="None"/>) per slot: the given ones, then none.</summary>
    public static ValueArray<int> PerSlot(MultiPaxosConfig config, params int[] commands) =>
        ValueArray<int>.From(commands.Concat(Enumerable.Repeat(None, config.Slots - commands.Length)));

    /// <summary>A replica that has promised <paramref name="promised"/>, accepted, committed and applied nothing, and is not leading.</summary>
    public static ReplicaState Replica(MultiPaxosConfig config, int promised = None) => new()
    {
        Round = 0, Promised = promised, Accepted = Accepted(config), Committed = PerSlot(config), Applied = 0, CatchUpTurn = 0, Store = "",
        Outputs = ValueArray<string>.Filled(config.Commands, ""), Executed = ValueArray<bool>.Filled(config.Commands, false),
    };

    /// <summary>A replica's phase 1 of <paramref name="ballot"/> just begun: no promise, nothing merged, proposed or voted on yet.</summary>
    public static LeaderState Running(MultiPaxosConfig config, int ballot) => new()
    {
        Ballot = ballot, Leading = false, Promises = 0, Merged = Accepted(config), Proposals = PerSlot(config),
        Votes = ValueArray<uint>.Filled(config.Slots, 0), Pending = 0, Ticks = 0, Patience = 2,
    };

    /// <summary>What one handler call returned and asked for, in order.</summary>
    public sealed record Step(MultiPaxosState State, IReadOnlyList<Effect> Effects)
    {
        public ReplicaState Replica => (ReplicaState)State;

        public IEnumerable<object> Observed => Effects.OfType<Observe>().Select(observe => observe.Event);

        public IEnumerable<Send<MultiPaxosMessage>> Sent => Effects.OfType<Send<MultiPaxosMessage>>();
    }

    public static Step Deliver(MultiPaxosConfig config, MultiPaxosState state, int self, int from, MultiPaxosMessage message)
    {
        var effects = new Effects<MultiPaxosMessage, MultiPaxosTimer, ReplicaDurable>(new NodeId(self), config.Nodes);
        var next = new MultiPaxosNode(config).OnMessage(state, new NodeId(from), message, effects);
        return new Step(next, [.. effects.Items]);
    }

    public static Step Fire(MultiPaxosConfig config, MultiPaxosState state, int self, MultiPaxosTimer timer)
    {
        var effects = new Effects<MultiPaxosMessage, MultiPaxosTimer, ReplicaDurable>(new NodeId(self), config.Nodes);
        var next = new MultiPaxosNode(config).OnTimer(state, timer, effects);
        return new Step(next, [.. effects.Items]);
    }

    public static Step Recover(MultiPaxosConfig config, ReplicaDurable? durable, int self)
    {
        var effects = new Effects<MultiPaxosMessage, MultiPaxosTimer, ReplicaDurable>(new NodeId(self), config.Nodes);
        var next = new MultiPaxosNode(config).OnRecover(durable, effects);
        return new Step(next, [.. effects.Items]);
    }

    public static Effect Sends(int to, MultiPaxosMessage message) => new Send<MultiPaxosMessage>(new NodeId(to), message);

    /// <summary>The same message to every replica, in order (as a leader's phase 1 and 2 and its commits go).</summary>
    public static Effect[] SendsToEveryReplica(MultiPaxosConfig config, MultiPaxosMessage message) => [.. Enumerable.Range(0, config.Replicas).Select(r => Sends(r, message))];

    public static Effect Persists(ReplicaState state) => new Persist<ReplicaDurable>(state.Durable);

    public static Effect Observes(LogEvent specEvent) => new Observe(specEvent);

    public static Effect Sets(MultiPaxosTimer timer) => new SetTimer<MultiPaxosTimer>(timer);
}
