using Verification.Runtime;

namespace Verification.Protocols.Raft;

public abstract record RaftNodeState;

/// <summary>A client: its index, the operation it is on (0-based), whether that one is outstanding, its retries.</summary>
public sealed record RaftClientState(int Client, int Next, bool Pending, int Retries) : RaftNodeState;

public enum RaftRole { Follower, Candidate, Leader }

/// <summary>
/// What a server persists before any reply, and all it has after a crash (etcd/raft's HardState and log):
/// currentTerm, votedFor, the log — and here also the commit index, the applied prefix with each client's last
/// executed sequence number and its output, and the store's value (a durable state machine), so the spec's apply
/// order survives crashes.
/// </summary>
public sealed record RaftDurable
{
    public required int Term { get; init; }
    public required int VotedFor { get; init; }
    public required ValueArray<RaftEntry> Log { get; init; }
    public required int CommitIndex { get; init; }
    public required int Applied { get; init; }
    public required ValueArray<int> LastExecuted { get; init; }
    public required string Store { get; init; }
    public required ValueArray<string> LastOutput { get; init; }
}

/// <summary>
/// A server: its durable part (<see cref="Durable"/>, what it persists) and what a crash forgets — role, votes,
/// nextIndex/matchIndex, election backoff, and the leader of the current term if known.
/// </summary>
public sealed record RaftServerState : RaftNodeState
{
    public required int Term { get; init; }
    public required int VotedFor { get; init; }
    public required ValueArray<RaftEntry> Log { get; init; }
    public required int CommitIndex { get; init; }
    public required int Applied { get; init; }
    public required ValueArray<int> LastExecuted { get; init; }
    public required string Store { get; init; }
    public required ValueArray<string> LastOutput { get; init; }

    public required RaftRole Role { get; init; }
    public required uint Votes { get; init; }
    public required ValueArray<int> NextIndex { get; init; }
    public required ValueArray<int> MatchIndex { get; init; }
    public required int Ticks { get; init; }
    public required int Patience { get; init; }
    public required int LeaderHint { get; init; }

    public int LastIndex => Log.Length;
    public int LastTerm => Log.Length == 0 ? 0 : Log[Log.Length - 1].Term;
    public int TermAt(int index) => index == 0 ? 0 : Log[index - 1].Term;

    /// <summary>What this server persists: its durable fields, none of what a crash forgets.</summary>
    public RaftDurable Durable => new()
    {
        Term = Term, VotedFor = VotedFor, Log = Log, CommitIndex = CommitIndex, Applied = Applied, LastExecuted = LastExecuted, Store = Store, LastOutput = LastOutput,
    };
}
