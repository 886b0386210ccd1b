using Verification.Runtime;

namespace Verification.Protocols.Raft;

public abstract record RaftMessage;

public sealed record RequestVote(int Term, int LastLogIndex, int LastLogTerm) : RaftMessage;

public sealed record VoteReply(int Term, bool Granted) : RaftMessage;

public sealed record AppendEntries(int Term, int PrevIndex, int PrevTerm, ValueArray<RaftEntry> Entries, int LeaderCommit) : RaftMessage;

public sealed record AppendReply(int Term, bool Success, int MatchIndex) : RaftMessage;

public sealed record RaftRequest(int Client, int Sequence, int Command) : RaftMessage;

public sealed record RaftResponse(int Client, int Sequence, string Output) : RaftMessage;

/// <summary>A log entry: its term and the client request it carries.</summary>
public sealed record RaftEntry(int Term, int Client, int Sequence, int Command);
