namespace Verification.AsyncExamples.AsyncRaft;

/// <summary>Timing, network behaviour and the planted bug of an async Raft cluster.</summary>
public sealed record AsyncRaftOptions
{
    /// <summary>A follower that hears nothing for a random time in [T, 2T) stands for election.</summary>
    public TimeSpan ElectionTimeout { get; init; } = TimeSpan.FromMilliseconds(150);

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(40);

    /// <summary>Each message is delivered after 0..MaxMessageDelay (whole milliseconds); zero delivers at once.</summary>
    public TimeSpan MaxMessageDelay { get; init; } = TimeSpan.FromMilliseconds(5);

    public double DropProbability { get; init; } = 0.05;

    /// <summary>A client that has no answer after this long asks another server.</summary>
    public TimeSpan ClientRetryInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The cluster stops when every command is answered or this much time has passed.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The planted bug. Every commit advance starts an applier (<c>_ = ApplyCommittedAsync()</c>); the fix serialises
    /// them with a <see cref="SemaphoreSlim"/> held across the state machine's await, the bug does not. An applier
    /// reads lastApplied, awaits the state machine, then writes lastApplied back: a second applier that reads
    /// lastApplied while the first is suspended applies the same index again, which breaks AppliedInOrder (RaftSpec,
    /// and ReplicatedLogSpec's Schneider's Order: each server applies index lastApplied + 1 next). It needs a specific
    /// interleaving: the first applier's continuation must wait while the server learns a second commit — a message
    /// round trip. A thread pool seldom does that with one client, now and then when several clients' commits come in a
    /// burst on a busy machine, so it cannot be relied on; a scheduler that delays that one continuation finds it with
    /// 3 servers and 1 command (the leader's commits of its no-op and of the command, or a follower's two advances).
    /// </summary>
    public bool UnserialisedApply { get; init; }
}

/// <summary>
/// A Raft server written as ordinary async .NET code: a receive loop, an election timer and a heartbeat loop run
/// concurrently and share the node's state under one lock; the state machine is applied asynchronously. Leader
/// election with the log up-to-date check, log replication with the consistency check and truncation of conflicts,
/// commit by a majority of the current term only, a no-op entry at the start of each term (Raft §8), apply in order.
/// </summary>
public sealed class RaftReplica : IDisposable
{
    /// <summary>The command of the entry a new leader appends so its term has an entry to commit.</summary>
    public const int NoOp = -2;

    private enum Role { Follower, Candidate, Leader }

    private readonly int id;
    private readonly int servers;
    private readonly InMemoryNetwork network;
    private readonly AsyncRaftOptions options;
    private readonly IRaftObserver observer;
    private readonly Random random;
    // A plain object, so `lock` compiles to Monitor.Enter/Exit (a System.Threading.Lock would not).
    private readonly object gate = new();
    private readonly SemaphoreSlim applying = new(1, 1);

    // Raft's state (Figure 2), guarded by gate. Indices are 1-based: entry i is log[i − 1].
    private int currentTerm;
    private int votedFor = -1;
    private readonly List<LogEntry> log = [];
    private int commitIndex;
    private int lastApplied;
    private Role role = Role.Follower;
    private int leaderId = -1;
    private bool heardFromLeaderOrCandidate;
    private readonly HashSet<int> votes = [];
    private readonly int[] nextIndex;
    private readonly int[] matchIndex;
    // The state machine: the commands executed, in order (a retried command may sit in the log twice, it runs once).
    private readonly List<int> executed = [];
    private readonly HashSet<int> executedSet = [];
    private readonly Dictionary<int, int> waitingClients = []; // command → client address
    private readonly List<Task> appliers = []; // awaited when the replica stops

    public RaftReplica(int id, int servers, InMemoryNetwork network, AsyncRaftOptions options, IRaftObserver observer, Random random)
    {
        (this.id, this.servers, this.network, this.options, this.observer, this.random) = (id, servers, network, options, observer, random);
        nextIndex = new int[servers];
        matchIndex = new int[servers];
    }

    public int Id => id;

    /// <summary>The commands this replica's state machine executed, in order.</summary>
    public IReadOnlyList<int> ExecutedCommands
    {
        get
        {
            lock (gate) return [.. executed];
        }
    }

    /// <summary>Runs the replica until <paramref name="cancellation"/> is cancelled, and then until its appliers finish.</summary>
    public async Task RunAsync(CancellationToken cancellation)
    {
        try
        {
            await Task.WhenAll(ReceiveLoopAsync(cancellation), ElectionTimerAsync(cancellation), HeartbeatLoopAsync(cancellation));
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
        }
        Task[] running;
        lock (gate) running = [.. appliers];
        await Task.WhenAll(running);
    }

    public void Dispose() => applying.Dispose();

    private async Task ReceiveLoopAsync(CancellationToken cancellation)
    {
        var inbox = network.InboxOf(id);
        while (true)
        {
            var message = await inbox.ReceiveAsync(cancellation);
            Step(outgoing => Handle(message, outgoing));
        }
    }

    private async Task ElectionTimerAsync(CancellationToken cancellation)
    {
        while (true)
        {
            TimeSpan timeout;
            lock (gate) timeout = options.ElectionTimeout * (1 + random.NextDouble());
            await Task.Delay(timeout, cancellation);
            Step(outgoing =>
            {
                if (role != Role.Leader && !heardFromLeaderOrCandidate) StartElection(outgoing);
                heardFromLeaderOrCandidate = false;
            });
        }
    }

    private async Task HeartbeatLoopAsync(CancellationToken cancellation)
    {
        while (true)
        {
            await Task.Delay(options.HeartbeatInterval, cancellation);
            Step(outgoing =>
            {
                if (role == Role.Leader) ReplicateToAll(outgoing);
            });
        }
    }

    /// <summary>Changes the state under the lock, then (outside it) sends what the change produced and applies what it committed.</summary>
    private void Step(Action<List<(int, RaftMessage)>> change)
    {
        var outgoing = new List<(int To, RaftMessage Message)>();
        bool committed;
        lock (gate)
        {
            var commitBefore = commitIndex;
            change(outgoing);
            committed = commitIndex > commitBefore;
        }
        foreach (var (to, message) in outgoing) network.Send(to, message);
        if (!committed) return;
        var applier = ApplyCommittedAsync();
        lock (gate)
        {
            appliers.RemoveAll(a => a.IsCompleted);
            appliers.Add(applier);
        }
    }

    private void Handle(RaftMessage message, List<(int, RaftMessage)> outgoing)
    {
        switch (message)
        {
            case RequestVote request: HandleRequestVote(request, outgoing); break;
            case VoteReply reply: HandleVoteReply(reply, outgoing); break;
            case AppendEntries append: HandleAppendEntries(append, outgoing); break;
            case AppendReply reply: HandleAppendReply(reply, outgoing); break;
            case ClientRequest request: HandleClientRequest(request, outgoing); break;
        }
    }

    private void StartElection(List<(int, RaftMessage)> outgoing)
    {
        currentTerm++;
        role = Role.Candidate;
        votedFor = id;
        leaderId = -1;
        votes.Clear();
        votes.Add(id);
        if (votes.Count * 2 > servers) BecomeLeader(outgoing);
        else
            foreach (var peer in Peers()) outgoing.Add((peer, new RequestVote(id, currentTerm, log.Count, LastLogTerm())));
    }

    private void HandleRequestVote(RequestVote request, List<(int, RaftMessage)> outgoing)
    {
        if (request.Term > currentTerm) BecomeFollower(request.Term);
        // The candidate's log must be at least as up-to-date as ours (Raft §5.4.1): later last term, or same and as long.
        var upToDate = request.LastLogTerm > LastLogTerm() || (request.LastLogTerm == LastLogTerm() && request.LastLogIndex >= log.Count);
        var granted = request.Term == currentTerm && (votedFor == -1 || votedFor == request.From) && upToDate;
        if (granted)
        {
            votedFor = request.From;
            heardFromLeaderOrCandidate = true;
        }
        outgoing.Add((request.From, new VoteReply(id, currentTerm, granted)));
    }

    private void HandleVoteReply(VoteReply reply, List<(int, RaftMessage)> outgoing)
    {
        if (reply.Term > currentTerm) BecomeFollower(reply.Term);
        if (role != Role.Candidate || reply.Term != currentTerm || !reply.Granted) return;
        votes.Add(reply.From);
        if (votes.Count * 2 > servers) BecomeLeader(outgoing);
    }

    private void BecomeLeader(List<(int, RaftMessage)> outgoing)
    {
        role = Role.Leader;
        leaderId = id;
        observer.BecameLeader(id, currentTerm);
        Array.Fill(nextIndex, log.Count + 1);
        Array.Fill(matchIndex, 0);
        Append(NoOp);
        ReplicateToAll(outgoing);
    }

    private void BecomeFollower(int term)
    {
        if (term > currentTerm)
        {
            currentTerm = term;
            votedFor = -1;
        }
        if (role == Role.Leader) observer.SteppedDown(id, currentTerm);
        role = Role.Follower;
    }

    private void Append(int command)
    {
        log.Add(new LogEntry(currentTerm, command));
        observer.EntryStored(id, log.Count, currentTerm, command);
        matchIndex[id] = log.Count;
        AdvanceLeaderCommit(); // a one-server cluster commits at once
    }

    private void ReplicateToAll(List<(int, RaftMessage)> outgoing)
    {
        foreach (var peer in Peers()) outgoing.Add((peer, AppendEntriesFor(peer)));
    }

    private AppendEntries AppendEntriesFor(int peer)
    {
        var previous = nextIndex[peer] - 1;
        var entries = log.Skip(previous).ToArray();
        return new AppendEntries(id, currentTerm, previous, TermAt(previous), entries, commitIndex);
    }

    private void HandleAppendEntries(AppendEntries append, List<(int, RaftMessage)> outgoing)
    {
        if (append.Term < currentTerm)
        {
            outgoing.Add((append.From, new AppendReply(id, currentTerm, false, log.Count)));
            return;
        }
        if (append.Term > currentTerm || role != Role.Follower) BecomeFollower(append.Term);
        leaderId = append.From;
        heardFromLeaderOrCandidate = true;
        // Consistency check: our log must hold the leader's entry just before the new ones.
        if (append.PrevLogIndex > log.Count || TermAt(append.PrevLogIndex) != append.PrevLogTerm)
        {
            outgoing.Add((append.From, new AppendReply(id, currentTerm, false, Math.Min(log.Count, append.PrevLogIndex - 1))));
            return;
        }
        for (var k = 0; k < append.Entries.Count; k++)
        {
            var index = append.PrevLogIndex + 1 + k;
            var entry = append.Entries[k];
            if (index <= log.Count)
            {
                if (log[index - 1].Term == entry.Term) continue; // the same entry (Log Matching)
                log.RemoveRange(index - 1, log.Count - index + 1); // a conflict: drop it and all that follow
                observer.LogTruncated(id, index);
            }
            log.Add(entry);
            observer.EntryStored(id, index, entry.Term, entry.Command);
        }
        // Only what this message vouched for: entries past it may be stale ones from an old term.
        var lastNewEntry = append.PrevLogIndex + append.Entries.Count;
        if (append.LeaderCommit > commitIndex) CommitUpTo(Math.Min(append.LeaderCommit, lastNewEntry));
        outgoing.Add((append.From, new AppendReply(id, currentTerm, true, lastNewEntry)));
    }

    private void HandleAppendReply(AppendReply reply, List<(int, RaftMessage)> outgoing)
    {
        if (reply.Term > currentTerm) BecomeFollower(reply.Term);
        if (role != Role.Leader || reply.Term != currentTerm) return; // stale: from an earlier term
        if (reply.Success)
        {
            // Replies may arrive out of order: what a follower matched never goes back.
            matchIndex[reply.From] = Math.Max(matchIndex[reply.From], reply.MatchIndex);
            nextIndex[reply.From] = Math.Max(nextIndex[reply.From], matchIndex[reply.From] + 1);
            AdvanceLeaderCommit();
        }
        else
        {
            nextIndex[reply.From] = Math.Max(matchIndex[reply.From] + 1, Math.Min(nextIndex[reply.From] - 1, reply.MatchIndex + 1));
            outgoing.Add((reply.From, AppendEntriesFor(reply.From)));
        }
    }

    /// <summary>Commits the highest index of the current term a majority stores (Raft §5.4.2: never by counting an older term's entry).</summary>
    private void AdvanceLeaderCommit()
    {
        for (var n = log.Count; n > commitIndex; n--)
        {
            if (log[n - 1].Term != currentTerm) break;
            if (matchIndex.Count(m => m >= n) * 2 > servers)
            {
                CommitUpTo(n);
                return;
            }
        }
    }

    private void CommitUpTo(int index)
    {
        for (var i = commitIndex + 1; i <= index; i++)
            observer.EntryCommitted(id, i, log[i - 1].Term, log[i - 1].Command, currentTerm);
        commitIndex = Math.Max(commitIndex, index);
    }

    private void HandleClientRequest(ClientRequest request, List<(int, RaftMessage)> outgoing)
    {
        if (role != Role.Leader)
        {
            outgoing.Add((request.From, new ClientReply(id, request.Command, false, leaderId)));
            return;
        }
        if (executedSet.Contains(request.Command))
        {
            outgoing.Add((request.From, new ClientReply(id, request.Command, true, id)));
            return;
        }
        waitingClients[request.Command] = request.From;
        if (log.Any(e => e.Command == request.Command)) return; // a retry of an entry on its way
        Append(request.Command);
        ReplicateToAll(outgoing);
    }

    /// <summary>Applies the committed entries not applied yet; started on every commit advance.</summary>
    private async Task ApplyCommittedAsync()
    {
        if (!options.UnserialisedApply) await applying.WaitAsync();
        try
        {
            while (true)
            {
                int index;
                LogEntry entry;
                lock (gate)
                {
                    if (lastApplied >= commitIndex) return;
                    index = lastApplied + 1;
                    entry = log[index - 1];
                }
                var ran = await ExecuteAsync(entry.Command);
                ClientReply? answer = null;
                int client = -1;
                lock (gate)
                {
                    lastApplied = index;
                    observer.EntryApplied(id, index, entry.Command, ran);
                    if (waitingClients.Remove(entry.Command, out client)) answer = new ClientReply(id, entry.Command, true, id);
                }
                if (answer is not null) network.Send(client, answer);
            }
        }
        finally
        {
            if (!options.UnserialisedApply) applying.Release();
        }
    }

    /// <summary>The state machine: runs a command once (an asynchronous store would write it here).</summary>
    private async Task<bool> ExecuteAsync(int command)
    {
        await Task.Yield();
        lock (gate)
        {
            if (command == NoOp || !executedSet.Add(command)) return false;
            executed.Add(command);
            return true;
        }
    }

    private int LastLogTerm() => TermAt(log.Count);

    private int TermAt(int index) => index == 0 ? 0 : log[index - 1].Term;

    private IEnumerable<int> Peers() => Enumerable.Range(0, servers).Where(s => s != id);
}
