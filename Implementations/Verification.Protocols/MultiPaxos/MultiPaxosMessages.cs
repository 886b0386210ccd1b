using Verification.Runtime;
using Verification.Specs.Replication;

namespace Verification.Protocols.MultiPaxos;

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
