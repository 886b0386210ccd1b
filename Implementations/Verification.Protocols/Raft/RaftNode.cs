using System.Numerics;
using Verification.Runtime;

namespace Verification.Protocols.Raft;

/// <summary>Raft's timers: a server's election timeout and heartbeat, a client's (re)submission.</summary>
public enum RaftTimer { Election, Heartbeat, Submit }

/// <summary>
/// Raft (Ongaro and Ousterhout): leader election with randomised timeouts (a random number of timer ticks, chosen
/// through the runtime so it is a controlled choice), terms, RequestVote with the up-to-date check, AppendEntries with
/// the consistency check and truncation of conflicting suffixes, commitment only of current-term entries by counting
/// (with a no-op appended by each new leader so its term has one),
/// persistence before replies, and client requests deduplicated by (client, sequence).
/// </summary>
public sealed class RaftNode(RaftConfig config) : INode<RaftNodeState, RaftMessage, RaftTimer, RaftDurable>
{
    private const int None = -1;

    /// <summary>The registered Raft system in <paramref name="config"/>.</summary>
    public static Protocol<RaftNodeState, RaftMessage, RaftTimer, RaftDurable, RaftEvent> System(RaftConfig config) => new RaftSystem().Build(config);

    internal static Protocol<RaftNodeState, RaftMessage, RaftTimer, RaftDurable, RaftEvent> Create(RaftConfig config)
    {
        config.Validate();
        var spec = config.RefinesReplicatedLog
            ? RaftRefinement.RefinesReplicatedLog(config.Servers, config.LogCapacity, config.MaxTerm + 1, config.Commands)
            : RaftSpec.Create(config.Servers, config.LogCapacity, config.MaxTerm + 1, config.Commands);
        return new(config.SystemName, config.Nodes, _ => new RaftNode(config), spec)
        {
            StateMapping = config.RefinesReplicatedLog ? RaftRefinement.ServersToLog(spec, config) : null,
            // A leader that crashes (except a pause, which keeps its memory) stops leading at that moment; a
            // crash-stopped server is faulty, and liveness stops waiting for it.
            EnvironmentEvents = e => e switch
            {
                NodeCrashed { Kind: not CrashKind.Pause } crash when crash.Node.Index < config.Servers => new ServerCrashed(crash.Node.Index, crash.Kind == CrashKind.Stop),
                NodeCrashed { Kind: CrashKind.Stop } crash => new ClientStopped(crash.Node.Index - config.Servers),
                _ => null,
            },
            HistoryCheck = config.ClientsLinearizable ? RaftSystem.LinearizableClients() : null,
            IgnoredForever = IgnoredForever,
            Symmetry = config.ServersSymmetric ? ServerSymmetry(config) : null,
        };
    }

    /// <summary>
    /// The servers are interchangeable (with <see cref="RaftConfig.ServersSymmetric"/>: clients send to every server):
    /// they run the same code, break no tie by id, and refer to servers only through votedFor (volatile and durable),
    /// the votes bit set, nextIndex/matchIndex (indexed by server) and the leader hint, all renamed here; messages carry
    /// no server ids (the network renames sender and addressee), timers none. The spec's per-server families are indexed
    /// by servers (entryTerm/entryCommand L per server, executed one per command), leaderOfTerm holds a server, and
    /// the rest is per index, term, command or client. Its properties quantify over all servers alike (majorities).
    /// </summary>
    public static NodeSymmetry<RaftNodeState, RaftMessage, RaftTimer, RaftDurable> ServerSymmetry(RaftConfig config)
    {
        static RaftNodeState State(RaftNodeState state, NodePermutation π) => state switch
        {
            RaftServerState server => server with
            {
                VotedFor = π.Relative(server.VotedFor, 0), Votes = π.Bits(server.Votes), NextIndex = π.Indexed(server.NextIndex), MatchIndex = π.Indexed(server.MatchIndex),
                LeaderHint = π.Relative(server.LeaderHint, 0),
            },
            _ => state, // a client names no server
        };
        return new NodeSymmetry<RaftNodeState, RaftMessage, RaftTimer, RaftDurable>(
            [[.. Enumerable.Range(0, config.Servers)]], State, (message, _) => message, (durable, π) => durable with { VotedFor = π.Relative(durable.VotedFor, 0) })
        {
            SpecIndexed =
            [
                new SpecIndexedByNodes("leadingTerm"), new SpecIndexedByNodes("entryTerm", Stride: config.LogCapacity), new SpecIndexedByNodes("entryCommand", Stride: config.LogCapacity),
                new SpecIndexedByNodes("appliedCount"), new SpecIndexedByNodes("executed", Stride: Math.Max(1, config.Commands)), new SpecIndexedByNodes("stopped"),
            ],
            SpecNodeValued = [new SpecNodeValued("leaderOfTerm")],
            SpecUnaffected = ["committedTerm", "committedCommand", "committedInTerm", "submitted", "returned", "caller", "abandoned"],
        };
    }

    /// <summary>
    /// The messages a node ignores now and for ever: a reply of an earlier term (terms only grow, and survive crashes);
    /// a vote of the current term once the server is no longer its candidate (it never is again in that term:
    /// elections start a new one); an append reply of the current term at a follower (which never leads in that term;
    /// a candidate may — replies carry the replier's term, so one can reach a candidate — and the declaration's check
    /// found that when it first said "not the leader"). Requests of an earlier term are not ignored: they are answered
    /// with a rejection. Nor are a client's stale responses: a client keeps nothing across a crash with amnesia, so
    /// after one it may take an old response for its first operation (the declaration's check found that).
    /// </summary>
    private static bool IgnoredForever(RaftNodeState state, NodeId from, RaftMessage message) => (state, message) switch
    {
        (RaftServerState server, VoteReply reply) => reply.Term < server.Term || (reply.Term == server.Term && server.Role != RaftRole.Candidate),
        (RaftServerState server, AppendReply reply) => reply.Term < server.Term || (reply.Term == server.Term && server.Role == RaftRole.Follower),
        _ => false,
    };

    private bool Has(RaftBug bug) => (config.Bugs & bug) != 0;

    private IEnumerable<NodeId> Peers(NodeId self) => Enumerable.Range(0, config.Servers).Where(i => i != self.Index).Select(i => new NodeId(i));

    public RaftNodeState Start(Effects<RaftMessage, RaftTimer, RaftDurable> effects)
    {
        if (effects.Self.Index >= config.Servers)
        {
            effects.SetTimer(RaftTimer.Submit);
            return new RaftClientState(effects.Self.Index - config.Servers, 0, false, 0);
        }
        effects.SetTimer(RaftTimer.Election);
        if (config.Heartbeats) effects.SetTimer(RaftTimer.Heartbeat);
        return Recovered(new RaftDurable
        {
            Term = 0, VotedFor = None, Log = ValueArray<RaftEntry>.Empty, CommitIndex = 0, Applied = 0, LastExecuted = ValueArray<int>.Filled(config.Clients, 0),
            Store = "", LastOutput = ValueArray<string>.Filled(config.Clients, ""),
        });
    }

    public RaftNodeState OnTimer(RaftNodeState state, RaftTimer timer, Effects<RaftMessage, RaftTimer, RaftDurable> effects)
    {
        switch (state, timer)
        {
            case (RaftClientState client, RaftTimer.Submit):
                if (client.Next >= config.OperationsPerClient) return client;
                if (config.ClientRetries) effects.SetTimer(RaftTimer.Submit);
                var command = client.Client * config.OperationsPerClient + client.Next;
                if (!client.Pending)
                {
                    var (operation, key, value, expected) = config.Operation(command);
                    effects.Observe(new CommandSubmitted(client.Client, command));
                    effects.Observe(new ClientCalled(client.Client, command, operation, key, value, expected));
                    if (!config.ClientRetries) effects.Send(new NodeId(client.Client % config.Servers), new RaftRequest(client.Client, client.Next + 1, command));
                    else for (var s = 0; s < config.Servers; s++) effects.Send(new NodeId(s), new RaftRequest(client.Client, client.Next + 1, command));
                    return client with { Pending = true, Retries = 0 };
                }
                // Retry until answered: requests may be lost and leaders change (one server per retry, in turn; with
                // the servers interchangeable, every server, since a turn in id order is not renamed with them).
                if (!config.ClientRetries) return client;
                if (config.ServersSymmetric)
                {
                    for (var s = 0; s < config.Servers; s++) effects.Send(new NodeId(s), new RaftRequest(client.Client, client.Next + 1, command));
                    return client;
                }
                effects.Send(new NodeId(client.Retries % config.Servers), new RaftRequest(client.Client, client.Next + 1, command));
                return client with { Retries = (client.Retries + 1) % config.Servers }; // only its turn matters: kept bounded for exhaustive search
            case (RaftServerState server, RaftTimer.Election):
                effects.SetTimer(RaftTimer.Election);
                if (server.Role == RaftRole.Leader) return server;
                if (server.Ticks + 1 < server.Patience) return server with { Ticks = server.Ticks + 1 };
                if (server.Term >= config.MaxTerm) return server;
                // A new election; the next timeout is a random number of ticks (Raft's randomised election timeout).
                var candidate = server with
                {
                    Term = server.Term + 1, VotedFor = effects.Self.Index, Role = RaftRole.Candidate, Votes = 1u << effects.Self.Index,
                    Ticks = 0, Patience = config.ElectionTimeoutTicks + effects.Choose(config.ElectionTimeoutSpread), LeaderHint = -1,
                };
                Persist(candidate, effects);
                foreach (var peer in Peers(effects.Self)) effects.Send(peer, new RequestVote(candidate.Term, candidate.LastIndex, candidate.LastTerm));
                // Its own vote may already be a majority (a single server): no reply will come to count it.
                return BitOperations.PopCount(candidate.Votes) >= config.Majority ? WinElection(candidate, effects) : candidate;
            case (RaftServerState { Role: RaftRole.Leader } leader, RaftTimer.Heartbeat):
                effects.SetTimer(RaftTimer.Heartbeat);
                foreach (var peer in Peers(effects.Self)) SendAppend(leader, peer, effects);
                return leader;
            case (RaftServerState server, RaftTimer.Heartbeat):
                effects.SetTimer(RaftTimer.Heartbeat);
                return server;
            default:
                return state;
        }
    }

    /// <summary>Writes the durable part (with the planted bug, without the vote).</summary>
    private void Persist(RaftServerState server, Effects<RaftMessage, RaftTimer, RaftDurable> effects) =>
        effects.Persist(server.Durable with { VotedFor = Has(RaftBug.ForgetsVote) ? None : server.VotedFor });

    /// <summary>A server as it is after recovery (or at start): its durable part, and a follower that knows no leader and has no election under way.</summary>
    private RaftServerState Recovered(RaftDurable durable) => new()
    {
        Term = durable.Term, VotedFor = durable.VotedFor, Log = durable.Log, CommitIndex = durable.CommitIndex, Applied = durable.Applied,
        LastExecuted = durable.LastExecuted, Store = durable.Store, LastOutput = durable.LastOutput,
        Role = RaftRole.Follower, Votes = 0, Ticks = 0, Patience = 1, LeaderHint = -1, NextIndex = initialNextIndex, MatchIndex = initialMatchIndex,
    };

    private readonly ValueArray<int> initialNextIndex = ValueArray<int>.Filled(config.Servers, 1), initialMatchIndex = ValueArray<int>.Filled(config.Servers, 0);

    private static void SendAppend(RaftServerState leader, NodeId peer, Effects<RaftMessage, RaftTimer, RaftDurable> effects)
    {
        var prev = leader.NextIndex[peer.Index] - 1;
        var entries = ValueArray<RaftEntry>.From(Enumerable.Range(prev, leader.LastIndex - prev).Select(i => leader.Log[i]));
        effects.Send(peer, new AppendEntries(leader.Term, prev, leader.TermAt(prev), entries, leader.CommitIndex));
    }

    public RaftNodeState OnMessage(RaftNodeState state, NodeId from, RaftMessage message, Effects<RaftMessage, RaftTimer, RaftDurable> effects)
    {
        if (state is RaftClientState client)
        {
            if (message is not RaftResponse response || !client.Pending || response.Sequence != client.Next + 1) return client;
            effects.Observe(new ClientReturned(client.Client, client.Client * config.OperationsPerClient + client.Next, response.Output));
            if (client.Next + 1 < config.OperationsPerClient) effects.SetTimer(RaftTimer.Submit); // the next operation (armed already when retrying)
            return client with { Next = client.Next + 1, Pending = false };
        }
        var server = (RaftServerState)state;
        // Any message from a higher term: adopt it and become a follower.
        var term = message switch
        {
            RequestVote m => m.Term,
            VoteReply m => m.Term,
            AppendEntries m => m.Term,
            AppendReply m => m.Term,
            _ => 0,
        };
        if (term > server.Term)
        {
            if (server.Role == RaftRole.Leader) effects.Observe(new SteppedDown(effects.Self.Index, server.Term));
            server = server with { Term = term, VotedFor = None, Role = RaftRole.Follower, Votes = 0, LeaderHint = -1 };
            Persist(server, effects);
        }
        return message switch
        {
            RequestVote m => OnRequestVote(server, from, m, effects),
            VoteReply m => OnVoteReply(server, from, m, effects),
            AppendEntries m => OnAppendEntries(server, from, m, effects),
            AppendReply m => OnAppendReply(server, from, m, effects),
            RaftRequest m => OnRequest(server, m, effects),
            _ => server,
        };
    }

    private RaftServerState OnRequestVote(RaftServerState server, NodeId from, RequestVote request, Effects<RaftMessage, RaftTimer, RaftDurable> effects)
    {
        var upToDate = request.LastLogTerm > server.LastTerm || (request.LastLogTerm == server.LastTerm && request.LastLogIndex >= server.LastIndex);
        var grant = request.Term == server.Term && (server.VotedFor == None || server.VotedFor == from.Index) && (upToDate || Has(RaftBug.VotesWithoutLogCheck));
        if (grant)
        {
            server = server with { VotedFor = from.Index, Ticks = 0 };
            Persist(server, effects); // before the reply
        }
        effects.Send(from, new VoteReply(server.Term, grant));
        return server;
    }

    private RaftServerState OnVoteReply(RaftServerState server, NodeId from, VoteReply reply, Effects<RaftMessage, RaftTimer, RaftDurable> effects)
    {
        if (server.Role != RaftRole.Candidate || reply.Term != server.Term || !reply.Granted) return server;
        var votes = server.Votes | (1u << from.Index);
        if (BitOperations.PopCount(votes) < config.Majority) return server with { Votes = votes };
        return WinElection(server with { Votes = votes }, effects);
    }

    /// <summary>A candidate with votes from a majority becomes leader and at once sends every peer AppendEntries.</summary>
    private RaftServerState WinElection(RaftServerState server, Effects<RaftMessage, RaftTimer, RaftDurable> effects)
    {
        var leader = server with
        {
            Role = RaftRole.Leader,
            NextIndex = ValueArray<int>.Filled(config.Servers, server.LastIndex + 1),
            MatchIndex = ValueArray<int>.Filled(config.Servers, 0).With(effects.Self.Index, server.LastIndex),
        };
        effects.Observe(new BecameLeader(effects.Self.Index, server.Term));
        // A no-op of the new term (Raft §8): only entries of the leader's own term commit by counting, so without one
        // the entries it inherited would wait for the next client request, which may never come. (Only when it
        // inherited uncommitted entries: the log here is bounded.)
        if (config.NoOpOnElection && leader.LastIndex > leader.CommitIndex && leader.LastIndex < config.LogCapacity)
        {
            leader = leader with { Log = leader.Log.Append(new RaftEntry(leader.Term, None, 0, RaftSpec.NoOp)) };
            leader = leader with { MatchIndex = leader.MatchIndex.With(effects.Self.Index, leader.LastIndex) };
            effects.Observe(new EntryStored(effects.Self.Index, leader.LastIndex, leader.Term, RaftSpec.NoOp));
            Persist(leader, effects);
        }
        foreach (var peer in Peers(effects.Self)) SendAppend(leader, peer, effects);
        return leader;
    }

    private RaftServerState OnAppendEntries(RaftServerState server, NodeId from, AppendEntries append, Effects<RaftMessage, RaftTimer, RaftDurable> effects)
    {
        if (append.Term < server.Term)
        {
            effects.Send(from, new AppendReply(server.Term, false, 0));
            return server;
        }
        server = server with { Role = RaftRole.Follower, Ticks = 0, LeaderHint = from.Index }; // a candidate of this term defers to the leader
        if (append.PrevIndex > server.LastIndex || server.TermAt(append.PrevIndex) != append.PrevTerm)
        {
            effects.Send(from, new AppendReply(server.Term, false, 0));
            return server;
        }
        var log = server.Log;
        for (var k = 0; k < append.Entries.Length; k++)
        {
            var index = append.PrevIndex + 1 + k;
            var entry = append.Entries[k];
            if (index <= log.Length)
            {
                if (log[index - 1].Term == entry.Term) continue;
                if (!Has(RaftBug.AppendsWithoutTruncating))
                {
                    effects.Observe(new LogTruncated(effects.Self.Index, index)); // the conflicting suffix goes
                    log = log.Take(index - 1).Append(entry);
                }
                else log = log.With(index - 1, entry);
            }
            else if (index <= config.LogCapacity) log = log.Append(entry);
            else break;
            effects.Observe(new EntryStored(effects.Self.Index, index, entry.Term, entry.Command));
        }
        server = server with { Log = log };
        var lastNew = Math.Min(append.PrevIndex + append.Entries.Length, log.Length);
        if (append.LeaderCommit > server.CommitIndex) server = Commit(server, Math.Min(append.LeaderCommit, lastNew), effects);
        Persist(server, effects); // before the reply
        effects.Send(from, new AppendReply(server.Term, true, lastNew));
        return server;
    }

    private RaftServerState OnAppendReply(RaftServerState leader, NodeId from, AppendReply reply, Effects<RaftMessage, RaftTimer, RaftDurable> effects)
    {
        if (leader.Role != RaftRole.Leader || reply.Term != leader.Term) return leader;
        if (!reply.Success)
        {
            leader = leader with { NextIndex = leader.NextIndex.With(from.Index, Math.Max(1, leader.NextIndex[from.Index] - 1)) };
            SendAppend(leader, from, effects);
            return leader;
        }
        var match = Math.Max(leader.MatchIndex[from.Index], reply.MatchIndex);
        leader = leader with { MatchIndex = leader.MatchIndex.With(from.Index, match), NextIndex = leader.NextIndex.With(from.Index, match + 1) };
        // The commit rule: the highest index replicated on a majority, if its entry is of the leader's own term.
        for (var n = leader.LastIndex; n > leader.CommitIndex; n--)
        {
            var replicas = Enumerable.Range(0, config.Servers).Count(s => s == effects.Self.Index ? leader.LastIndex >= n : leader.MatchIndex[s] >= n);
            if (replicas >= config.Majority && (leader.TermAt(n) == leader.Term || Has(RaftBug.CommitsEarlierTermByCounting)))
            {
                leader = Commit(leader, n, effects);
                Persist(leader, effects);
                // Without heartbeats to carry it, the new commit index is announced at once (as etcd's raft does).
                if (!config.Heartbeats) foreach (var peer in Peers(effects.Self)) SendAppend(leader, peer, effects);
                break;
            }
        }
        return leader;
    }

    private RaftServerState OnRequest(RaftServerState server, RaftRequest request, Effects<RaftMessage, RaftTimer, RaftDurable> effects)
    {
        if (server.Role != RaftRole.Leader)
        {
            // A follower passes the request on to the leader it knows (Raft's clients are redirected).
            if (server.LeaderHint >= 0 && server.LeaderHint != effects.Self.Index) effects.Send(new NodeId(server.LeaderHint), request);
            return server;
        }
        if (!Has(RaftBug.NoDeduplication))
        {
            if (server.LastExecuted[request.Client] >= request.Sequence)
            {
                effects.Send(new NodeId(config.Servers + request.Client), new RaftResponse(request.Client, request.Sequence, server.LastOutput[request.Client]));
                return server;
            }
            if (server.Log.AsEnumerable().Any(e => e.Client == request.Client && e.Sequence == request.Sequence)) return server; // in flight already
        }
        if (Has(RaftBug.LeaderReadsLocally) && config.Operation(request.Command).Operation == "get")
        {
            effects.Send(new NodeId(config.Servers + request.Client), new RaftResponse(request.Client, request.Sequence, server.Store));
            return server;
        }
        if (server.LastIndex >= config.LogCapacity) return server; // the bounded log is full
        var entry = new RaftEntry(server.Term, request.Client, request.Sequence, request.Command);
        server = server with { Log = server.Log.Append(entry) };
        server = server with { MatchIndex = server.MatchIndex.With(effects.Self.Index, server.LastIndex) };
        effects.Observe(new EntryStored(effects.Self.Index, server.LastIndex, entry.Term, entry.Command));
        Persist(server, effects);
        foreach (var peer in Peers(effects.Self)) SendAppend(server, peer, effects);
        return server;
    }

    /// <summary>Advances the commit index and applies in order; a request already executed for its client is skipped.</summary>
    private RaftServerState Commit(RaftServerState server, int commitIndex, Effects<RaftMessage, RaftTimer, RaftDurable> effects)
    {
        for (var i = server.CommitIndex + 1; i <= commitIndex; i++)
            effects.Observe(new EntryCommitted(effects.Self.Index, i, server.Log[i - 1].Term, server.Log[i - 1].Command, server.Term));
        server = server with { CommitIndex = Math.Max(server.CommitIndex, commitIndex) };
        while (server.Applied < server.CommitIndex)
        {
            var index = server.Applied + 1;
            var entry = server.Log[index - 1];
            var request = entry.Client >= 0;
            var execute = request && (Has(RaftBug.NoDeduplication) || server.LastExecuted[entry.Client] < entry.Sequence);
            effects.Observe(new EntryApplied(effects.Self.Index, index, entry.Command, execute));
            server = server with { Applied = index };
            if (execute)
            {
                var (store, output) = StoreWorkload.Apply(server.Store, config.Operation(entry.Command));
                server = server with
                {
                    Store = store,
                    LastExecuted = server.LastExecuted.With(entry.Client, Math.Max(server.LastExecuted[entry.Client], entry.Sequence)),
                    LastOutput = server.LastOutput.With(entry.Client, output),
                };
            }
            if (request && server.Role == RaftRole.Leader && server.LastExecuted[entry.Client] == entry.Sequence)
                effects.Send(new NodeId(config.Servers + entry.Client), new RaftResponse(entry.Client, entry.Sequence, server.LastOutput[entry.Client]));
        }
        return server;
    }

    /// <summary>A server comes back with what it persisted; a client persists nothing and starts again from its first operation.</summary>
    public RaftNodeState OnRecover(RaftDurable? durable, Effects<RaftMessage, RaftTimer, RaftDurable> effects)
    {
        if (durable is null) return Start(effects);
        effects.SetTimer(RaftTimer.Election);
        if (config.Heartbeats) effects.SetTimer(RaftTimer.Heartbeat);
        return Recovered(durable);
    }
}
