using Verification.Runtime;

namespace Verification.Protocols.MultiPaxos;

public abstract record MultiPaxosState;

/// <summary>A client: its index, the operation it is on (0-based), whether that one is outstanding, how often it retried.</summary>
public sealed record LogClientState(int Client, int Next, bool Pending, int Retries) : MultiPaxosState;

/// <summary>
/// What a replica persists before it replies, and all it has after a crash: the round it last ran for leader in (so
/// it never reuses a ballot), the acceptor's promise and accepted entries, the learner's committed slots and applied
/// count, the state machine (the store's value, each executed command's output, which commands it executed), and whose turn catch-up is.
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
    public required ValueArray<bool> Executed { get; init; }
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

    /// <summary>Which commands the state machine has executed (what the replicated-log spec's <c>executed</c> is a record of).</summary>
    public required ValueArray<bool> Executed { get; init; }

    public LeaderState? Leader { get; init; }

    /// <summary>What this replica persists: everything but its leadership.</summary>
    public ReplicaDurable Durable => new()
    {
        Round = Round, Promised = Promised, Accepted = Accepted, Committed = Committed, Applied = Applied, CatchUpTurn = CatchUpTurn, Store = Store, Outputs = Outputs, Executed = Executed,
    };

    /// <summary>A replica as it comes back from <paramref name="durable"/>: not leading.</summary>
    public static ReplicaState Recovered(ReplicaDurable durable) => new()
    {
        Round = durable.Round, Promised = durable.Promised, Accepted = durable.Accepted, Committed = durable.Committed, Applied = durable.Applied,
        CatchUpTurn = durable.CatchUpTurn, Store = durable.Store, Outputs = durable.Outputs, Executed = durable.Executed,
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
