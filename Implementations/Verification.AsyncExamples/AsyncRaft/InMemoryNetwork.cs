namespace Verification.AsyncExamples.AsyncRaft;

/// <summary>An entry of a replica's log: the term it was created in and its command.</summary>
public sealed record LogEntry(int Term, int Command);

/// <summary>What travels between replicas and clients; <see cref="From"/> is the sender's address.</summary>
public abstract record RaftMessage(int From);

public sealed record RequestVote(int From, int Term, int LastLogIndex, int LastLogTerm) : RaftMessage(From);

public sealed record VoteReply(int From, int Term, bool Granted) : RaftMessage(From);

public sealed record AppendEntries(int From, int Term, int PrevLogIndex, int PrevLogTerm, IReadOnlyList<LogEntry> Entries, int LeaderCommit)
    : RaftMessage(From);

/// <summary>A follower's answer: on success <see cref="MatchIndex"/> is the last index it now shares with the leader, on failure its log length (where to retry from).</summary>
public sealed record AppendReply(int From, int Term, bool Success, int MatchIndex) : RaftMessage(From);

public sealed record ClientRequest(int From, int Command) : RaftMessage(From);

/// <summary>Applied (<see cref="Applied"/>), or "not the leader, try <see cref="LeaderHint"/>" (−1: unknown).</summary>
public sealed record ClientReply(int From, int Command, bool Applied, int LeaderHint) : RaftMessage(From);

/// <summary>
/// One receiver's queue of messages. A waiting receiver is a <see cref="TaskCompletionSource{TResult}"/> rather than a
/// <c>System.Threading.Channels</c> channel so that every hand-over is a primitive a controlled runtime sees.
/// </summary>
public sealed class Inbox
{
    private readonly Queue<RaftMessage> queue = new();
    private readonly object gate = new();
    private TaskCompletionSource<RaftMessage>? waiter;

    public void Post(RaftMessage message)
    {
        TaskCompletionSource<RaftMessage>? receiver;
        lock (gate)
        {
            receiver = waiter;
            waiter = null;
            if (receiver is null) queue.Enqueue(message);
        }
        // A receiver cancelled meanwhile leaves the message for the next one.
        if (receiver is not null && !receiver.TrySetResult(message))
            lock (gate) queue.Enqueue(message);
    }

    /// <summary>The next message; one receiver at a time.</summary>
    public async Task<RaftMessage> ReceiveAsync(CancellationToken cancellation)
    {
        TaskCompletionSource<RaftMessage> receiver;
        lock (gate)
        {
            if (queue.TryDequeue(out var queued)) return queued;
            // Asynchronous continuations: the receiver must not run inside the sender's Post.
            receiver = new TaskCompletionSource<RaftMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
            waiter = receiver;
        }
        using (cancellation.Register(() => receiver.TrySetCanceled(cancellation)))
            return await receiver.Task;
    }
}

/// <summary>
/// The wire between replicas and clients (addresses 0..n−1). Each message is dropped with probability
/// <paramref name="dropProbability"/> or delivered after a delay of 0..<paramref name="maxDelay"/> drawn from the
/// injected <paramref name="random"/>, so messages are lost and overtake each other as the seed decides.
/// </summary>
public sealed class InMemoryNetwork(int endpoints, TimeSpan maxDelay, double dropProbability, Random random, CancellationToken shutdown)
{
    private readonly Inbox[] inboxes = Enumerable.Range(0, endpoints).Select(_ => new Inbox()).ToArray();
    private readonly object gate = new();

    public Inbox InboxOf(int address) => inboxes[address];

    public void Send(int to, RaftMessage message)
    {
        bool dropped;
        int delayMilliseconds;
        lock (gate)
        {
            dropped = random.NextDouble() < dropProbability;
            delayMilliseconds = random.Next((int)maxDelay.TotalMilliseconds + 1);
        }
        if (dropped) return;
        if (delayMilliseconds == 0) inboxes[to].Post(message);
        else _ = DeliverLaterAsync(inboxes[to], message, TimeSpan.FromMilliseconds(delayMilliseconds));
    }

    private async Task DeliverLaterAsync(Inbox inbox, RaftMessage message, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, shutdown);
        }
        catch (OperationCanceledException)
        {
            return; // the network is shutting down: what is in flight is lost
        }
        inbox.Post(message);
    }
}
