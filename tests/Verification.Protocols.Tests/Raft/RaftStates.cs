using Verification.Protocols.Raft;
using Verification.Runtime;

namespace Verification.Protocols.Tests.Raft;

/// <summary>
/// Hand-built Raft server states and single handler calls, for the paper tests: servers are nodes 0..S−1 and clients
/// S..S+C−1 (see <see cref="RaftConfig"/>), log indices are 1-based, and an absent vote or leader is −1.
/// </summary>
internal static class RaftStates
{
    public const int Nobody = -1;

    /// <summary>Three servers and two clients (nodes 3 and 4), one operation each: client k's command k, sequence 1.</summary>
    public static RaftConfig Config(RaftBug bugs = RaftBug.None) => new(Servers: 3, Clients: 2, MaxTerm: 9, LogCapacity: 6, Bugs: bugs);

    /// <summary>A leader's no-op (Raft §8), which carries no client request.</summary>
    public static RaftEntry NoOp(int term) => new(term, Nobody, 0, RaftSpec.NoOp);

    /// <summary>Client <paramref name="client"/>'s first request (command = client, sequence 1), received by a leader of <paramref name="term"/>.</summary>
    public static RaftEntry Request(int term, int client) => new(term, client, 1, client);

    public static ValueArray<RaftEntry> Log(params RaftEntry[] entries) => ValueArray<RaftEntry>.From(entries);

    public static ValueArray<int> Ints(params int[] values) => ValueArray<int>.From(values);

    /// <summary>
    /// A follower in <paramref name="term"/> that has heard from no leader for two ticks of a three-tick timeout (so a
    /// reset of its election timer shows), nothing committed or applied, and an empty store.
    /// </summary>
    public static RaftServerState Follower(RaftConfig config, int term, ValueArray<RaftEntry>? log = null, int votedFor = Nobody) => new()
    {
        Term = term, VotedFor = votedFor, Log = log ?? ValueArray<RaftEntry>.Empty, CommitIndex = 0, Applied = 0,
        LastExecuted = ValueArray<int>.Filled(config.Clients, 0), Store = "", LastOutput = ValueArray<string>.Filled(config.Clients, ""),
        Role = RaftRole.Follower, Votes = 0, NextIndex = ValueArray<int>.Filled(config.Servers, 1), MatchIndex = ValueArray<int>.Filled(config.Servers, 0),
        Ticks = 2, Patience = 3, LeaderHint = Nobody,
    };

    /// <summary>Server <paramref name="self"/> as a candidate of <paramref name="term"/> that has voted for itself.</summary>
    public static RaftServerState Candidate(RaftConfig config, int self, int term, ValueArray<RaftEntry>? log = null) =>
        Follower(config, term, log, votedFor: self) with { Role = RaftRole.Candidate, Votes = 1u << self, Ticks = 0 };

    /// <summary>
    /// Server <paramref name="self"/> as the leader of <paramref name="term"/> just after its election: nextIndex just after
    /// its last entry for every follower, matchIndex 0 for the others and its own last index for itself.
    /// </summary>
    public static RaftServerState Leader(RaftConfig config, int self, int term, ValueArray<RaftEntry>? log = null)
    {
        var candidate = Candidate(config, self, term, log);
        return candidate with
        {
            Role = RaftRole.Leader, Votes = candidate.Votes | (1u << ((self + 1) % config.Servers)), // itself and the next server
            NextIndex = ValueArray<int>.Filled(config.Servers, candidate.LastIndex + 1),
            MatchIndex = ValueArray<int>.Filled(config.Servers, 0).With(self, candidate.LastIndex),
        };
    }

    /// <summary>What one handler call returned and asked for, in order.</summary>
    public sealed record Step(RaftNodeState State, IReadOnlyList<Effect> Effects)
    {
        public RaftServerState Server => (RaftServerState)State;
    }

    public static Step Deliver(RaftConfig config, RaftNodeState state, int self, int from, RaftMessage message, IChoiceSource? choices = null)
    {
        var effects = new Effects<RaftMessage, RaftTimer, RaftDurable>(new NodeId(self), config.Nodes, choices);
        var next = new RaftNode(config).OnMessage(state, new NodeId(from), message, effects);
        return new Step(next, [.. effects.Items]);
    }

    public static Step Fire(RaftConfig config, RaftNodeState state, int self, RaftTimer timer, IChoiceSource? choices = null)
    {
        var effects = new Effects<RaftMessage, RaftTimer, RaftDurable>(new NodeId(self), config.Nodes, choices);
        var next = new RaftNode(config).OnTimer(state, timer, effects);
        return new Step(next, [.. effects.Items]);
    }

    public static Step Recover(RaftConfig config, RaftDurable? durable, int self)
    {
        var effects = new Effects<RaftMessage, RaftTimer, RaftDurable>(new NodeId(self), config.Nodes);
        var next = new RaftNode(config).OnRecover(durable, effects);
        return new Step(next, [.. effects.Items]);
    }

    public static Effect Sends(int to, RaftMessage message) => new Send<RaftMessage>(new NodeId(to), message);

    public static Effect Persists(RaftServerState state) => new Persist<RaftDurable>(state.Durable);

    public static Effect Observes(RaftEvent specEvent) => new Observe(specEvent);

    public static Effect Sets(RaftTimer timer) => new SetTimer<RaftTimer>(timer);

    /// <summary>The runtime's random choice, fixed: always option <paramref name="option"/>.</summary>
    public sealed class FixedChoice(int option) : IChoiceSource
    {
        public int Choose(int count) => Math.Min(option, count - 1);
    }
}
