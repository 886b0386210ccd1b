namespace Verification.AsyncExamples.AsyncRaft;

/// <summary>
/// What a replica and its clients report, at the moment the state changes (called under the replica's lock, so the
/// calls from one replica come in the order its state changed). Indices are 1-based log indices; a command is a
/// client's command id 0..N−1 or <see cref="RaftReplica.NoOp"/>. Implementations must be thread-safe: replicas
/// and clients call concurrently.
/// </summary>
public interface IRaftObserver
{
    void BecameLeader(int server, int term);

    /// <summary>A leader learns of a higher term (<paramref name="term"/>, its new one) and leads no more.</summary>
    void SteppedDown(int server, int term);

    void EntryStored(int server, int index, int term, int command);

    /// <summary>A follower deletes its entries from <paramref name="fromIndex"/> on (they conflict with the leader's).</summary>
    void LogTruncated(int server, int fromIndex);

    /// <summary>The server's commit index passes <paramref name="index"/> while it is in term <paramref name="inTerm"/>.</summary>
    void EntryCommitted(int server, int index, int term, int command, int inTerm);

    /// <summary>The server applies <paramref name="index"/>: executes its command, or skips a command it already executed.</summary>
    void EntryApplied(int server, int index, int command, bool executed);

    /// <summary>A client submits a command for the first time (retries are not submissions).</summary>
    void CommandSubmitted(int client, int command);

    /// <summary>A client hears that its command was applied.</summary>
    void ClientAnswered(int client, int command);
}

/// <summary>An observer that ignores everything, for runs nobody watches.</summary>
public sealed class IgnoringRaftObserver : IRaftObserver
{
    public void BecameLeader(int server, int term) { }

    public void SteppedDown(int server, int term) { }

    public void EntryStored(int server, int index, int term, int command) { }

    public void LogTruncated(int server, int fromIndex) { }

    public void EntryCommitted(int server, int index, int term, int command, int inTerm) { }

    public void EntryApplied(int server, int index, int command, bool executed) { }

    public void CommandSubmitted(int client, int command) { }

    public void ClientAnswered(int client, int command) { }
}
