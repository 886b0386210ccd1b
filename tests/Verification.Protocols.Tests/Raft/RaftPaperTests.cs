using Verification.Protocols.Raft;
using Verification.Runtime;
using static Verification.Protocols.Tests.Raft.RaftStates;

namespace Verification.Protocols.Tests.Raft;

/// <summary>
/// The rules of the Raft paper (Ongaro and Ousterhout, "In Search of an Understandable Consensus Algorithm", Figure 2
/// and §5.1–5.4, §8), one per test, in the style of etcd/raft's paper tests: one handler of one server is called on a
/// hand-built state, and the state it returns and the effects it asks for, in order, are compared with what the quoted
/// sentence requires. Each planted <see cref="RaftBug"/> that breaks a one-handler rule has a test showing that rule
/// fails with the bug on, so the rule's test is one that can fail.
/// </summary>
public class RaftPaperTests
{
    private static readonly RaftConfig Correct = Config();

    // §5.1 Raft basics ------------------------------------------------------------------------------------------------

    /// <summary>
    /// Figure 2, all servers: "If RPC request or response contains term T > currentTerm: set currentTerm = T, convert to
    /// follower (§5.1)". §5.1: "If a candidate or leader discovers that its term is out of date, it immediately reverts
    /// to follower state." The new term is persisted (with no vote in it) before the reply.
    /// </summary>
    [Theory]
    [InlineData(RaftRole.Follower)]
    [InlineData(RaftRole.Candidate)]
    [InlineData(RaftRole.Leader)]
    public void ARequestOfAHigherTerm_MakesAnyServerAdoptTheTerm_AndBecomeAFollower(RaftRole role)
    {
        var before = role switch
        {
            RaftRole.Follower => Follower(Correct, term: 3, votedFor: 2),
            RaftRole.Candidate => Candidate(Correct, self: 0, term: 3),
            _ => Leader(Correct, self: 0, term: 3),
        };

        var step = Deliver(Correct, before, self: 0, from: 1, new AppendEntries(5, 0, 0, Log(), 0));

        var after = before with { Term = 5, VotedFor = Nobody, Role = RaftRole.Follower, Votes = 0, Ticks = 0, LeaderHint = 1 };
        Assert.Equal(after, step.State);
        Effect[] steppedDown = role == RaftRole.Leader ? [Observes(new SteppedDown(0, 3))] : [];
        Assert.Equal([.. steppedDown, Persists(after), Persists(after), Sends(1, new AppendReply(5, true, 0))], step.Effects);
    }

    /// <summary>Figure 2, all servers: "If RPC request or response contains term T > currentTerm: set currentTerm = T, convert to follower (§5.1)" — here a response.</summary>
    [Theory]
    [InlineData(RaftRole.Candidate)]
    [InlineData(RaftRole.Leader)]
    public void AResponseOfAHigherTerm_MakesACandidateOrLeaderAdoptTheTerm_AndBecomeAFollower(RaftRole role)
    {
        var before = role == RaftRole.Candidate ? Candidate(Correct, self: 0, term: 3) : Leader(Correct, self: 0, term: 3);
        RaftMessage response = role == RaftRole.Candidate ? new VoteReply(5, false) : new AppendReply(5, false, 0);

        var step = Deliver(Correct, before, self: 0, from: 2, response);

        var after = before with { Term = 5, VotedFor = Nobody, Role = RaftRole.Follower, Votes = 0, LeaderHint = Nobody };
        Assert.Equal(after, step.State);
        Effect[] steppedDown = role == RaftRole.Leader ? [Observes(new SteppedDown(0, 3))] : [];
        Assert.Equal([.. steppedDown, Persists(after)], step.Effects);
    }

    /// <summary>§5.1: "If a server receives a request with a stale term number, it rejects the request." (RequestVote receiver, 1: "Reply false if term &lt; currentTerm".)</summary>
    [Fact]
    public void ARequestVoteOfAStaleTerm_IsRejected_EvenFromACandidateWithALongerLog()
    {
        var before = Follower(Correct, term: 3);

        var step = Deliver(Correct, before, self: 0, from: 1, new RequestVote(2, 5, 2));

        Assert.Equal(before, step.State);
        Assert.Equal([Sends(1, new VoteReply(3, false))], step.Effects);
    }

    /// <summary>
    /// §5.2: "If the term in the RPC is smaller than the candidate's current term, then the candidate rejects the RPC and
    /// continues in candidate state." (AppendEntries receiver, 1: "Reply false if term &lt; currentTerm".)
    /// </summary>
    [Fact]
    public void AnAppendEntriesOfAStaleTerm_IsRejected_AndTheCandidateStaysCandidate()
    {
        var before = Candidate(Correct, self: 0, term: 3);

        var step = Deliver(Correct, before, self: 0, from: 1, new AppendEntries(2, 0, 0, Log(), 0));

        Assert.Equal(before, step.State);
        Assert.Equal([Sends(1, new AppendReply(3, false, 0))], step.Effects);
    }

    // §5.2 Leader election --------------------------------------------------------------------------------------------

    /// <summary>§5.2: "When servers start up, they begin as followers." A server that never persisted anything recovers the same way.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AServer_StartsAsAFollower_OfTermZero_WithAnEmptyLog(bool recoveringWithNothingPersisted)
    {
        var effects = new Effects<RaftMessage, RaftTimer, RaftDurable>(new NodeId(1), Correct.Nodes);
        var node = new RaftNode(Correct);
        var state = recoveringWithNothingPersisted ? node.OnRecover(null, effects) : node.Start(effects);

        var fresh = Follower(Correct, term: 0) with { Ticks = 0, Patience = 1 };
        Assert.Equal(fresh, state);
        Assert.Equal([Sets(RaftTimer.Election), Sets(RaftTimer.Heartbeat)], effects.Items);
    }

    /// <summary>
    /// §5.2: "To begin an election, a follower increments its current term and transitions to candidate state. It then
    /// votes for itself and issues RequestVote RPCs in parallel to each of the other servers in the cluster." Figure 2,
    /// candidates: "If election timeout elapses: start new election". The new term and vote are persisted before the
    /// requests go out, the requests carry the last log index and term (§5.4.1), and the next timeout is the runtime's
    /// random choice ("election timeouts are chosen randomly from a fixed interval").
    /// </summary>
    [Theory]
    [InlineData(RaftRole.Follower)]
    [InlineData(RaftRole.Candidate)]
    public void ElectionTimeout_StartsAnElection_InTheNextTerm_VotingForItself_PersistingBeforeRequestingVotes(RaftRole role)
    {
        var log = Log(NoOp(1), Request(2, 0));
        var before = (role == RaftRole.Follower ? Follower(Correct, term: 2, log, votedFor: 0) : Candidate(Correct, self: 1, term: 2, log)) with { Ticks = 2, Patience = 3 };

        var step = Fire(Correct, before, self: 1, RaftTimer.Election, new FixedChoice(2));

        var candidate = before with { Term = 3, VotedFor = 1, Role = RaftRole.Candidate, Votes = 0b010, Ticks = 0, Patience = 3 + 2, LeaderHint = Nobody };
        Assert.Equal(candidate, step.State);
        Assert.Equal([Sets(RaftTimer.Election), Persists(candidate), Sends(0, new RequestVote(3, 2, 2)), Sends(2, new RequestVote(3, 2, 2))], step.Effects);
    }

    /// <summary>Figure 2, followers: "If election timeout elapses without receiving AppendEntries RPC from current leader or granting vote to candidate: convert to candidate" — and not before it elapses.</summary>
    [Fact]
    public void ElectionTimer_BeforeTheTimeoutElapses_OnlyCountsATick()
    {
        var before = Follower(Correct, term: 2) with { Ticks = 1, Patience = 3 };

        var step = Fire(Correct, before, self: 0, RaftTimer.Election);

        Assert.Equal(before with { Ticks = 2 }, step.State);
        Assert.Equal([Sets(RaftTimer.Election)], step.Effects);
    }

    /// <summary>
    /// §5.2: "Each server will vote for at most one candidate in a given term, on a first-come-first-served basis."
    /// RequestVote receiver, 2: "If votedFor is null or candidateId, and candidate's log is at least as up-to-date as
    /// receiver's log, grant vote". A granted vote is persisted before the reply and resets the election timer.
    /// </summary>
    [Theory]
    [InlineData(Nobody, 1, true)]
    [InlineData(1, 1, true)]
    [InlineData(2, 1, false)]
    public void AServer_GrantsAtMostOneVotePerTerm(int votedFor, int candidate, bool granted)
    {
        var before = Follower(Correct, term: 2, votedFor: votedFor);

        var step = Deliver(Correct, before, self: 0, from: candidate, new RequestVote(2, 0, 0));

        if (granted)
        {
            var voted = before with { VotedFor = candidate, Ticks = 0 };
            Assert.Equal(voted, step.State);
            Assert.Equal([Persists(voted), Sends(candidate, new VoteReply(2, true))], step.Effects);
        }
        else
        {
            Assert.Equal(before, step.State);
            Assert.Equal([Sends(candidate, new VoteReply(2, false))], step.Effects);
        }
    }

    /// <summary>
    /// Figure 2: "Persistent state on all servers: (Updated on stable storage before responding to RPCs)": currentTerm,
    /// votedFor. A request of a new term is answered only after both the new term and the vote in it are persisted, so a
    /// server that crashes right after voting cannot vote again in that term.
    /// </summary>
    [Fact]
    public void CurrentTermAndVote_ArePersisted_BeforeTheVoteIsGranted()
    {
        var before = Follower(Correct, term: 1, votedFor: 2);

        var step = VoteInANewTerm(Correct, before);

        var adopted = before with { Term = 2, VotedFor = Nobody, Role = RaftRole.Follower, Votes = 0, LeaderHint = Nobody };
        var voted = adopted with { VotedFor = 1, Ticks = 0 };
        Assert.Equal(voted, step.State);
        Assert.Equal([Persists(adopted), Persists(voted), Sends(1, new VoteReply(2, true))], step.Effects);
        Assert.False(VotesAgainAfterACrash(Correct, step), "after a crash the server voted a second time in term 2");
    }

    /// <summary>The planted <see cref="RaftBug.ForgetsVote"/> breaks the rule above: the vote is not persisted, and the server votes twice in term 2 across a crash.</summary>
    [Fact]
    public void CurrentTermAndVote_ArePersisted_FailsWith_ForgetsVote()
    {
        var buggy = Config(RaftBug.ForgetsVote);
        var step = VoteInANewTerm(buggy, Follower(buggy, term: 1, votedFor: 2));

        Assert.Equal(Nobody, LastPersisted(step).VotedFor);
        Assert.True(VotesAgainAfterACrash(buggy, step));
    }

    private static Step VoteInANewTerm(RaftConfig config, RaftServerState follower) => Deliver(config, follower, self: 0, from: 1, new RequestVote(2, 0, 0));

    private static RaftDurable LastPersisted(Step step) => step.Effects.OfType<Persist<RaftDurable>>().Last().Durable;

    /// <summary>The server recovers from what it last persisted, and server 2 asks for its vote in the same term.</summary>
    private static bool VotesAgainAfterACrash(RaftConfig config, Step voted)
    {
        var recovered = Recover(config, LastPersisted(voted), self: 0);
        var second = Deliver(config, recovered.State, self: 0, from: 2, new RequestVote(2, 0, 0));
        return second.Effects.Contains(Sends(2, new VoteReply(2, true)));
    }

    /// <summary>
    /// §5.4.1: "Raft determines which of two logs is more up-to-date by comparing the index and term of the last entries
    /// in the logs. If the logs have last entries with different terms, then the log with the later term is more
    /// up-to-date. If the logs end with the same term, then whichever log is longer is more up-to-date." The voter's log
    /// ends with an entry of term 2 at index 2.
    /// </summary>
    [Theory]
    [InlineData(1, 3, true)]  // later last term, though shorter
    [InlineData(2, 2, true)]  // same last term, same length
    [InlineData(3, 2, true)]  // same last term, longer
    [InlineData(1, 2, false)] // same last term, shorter
    [InlineData(5, 1, false)] // earlier last term, though longer
    public void AVote_IsGrantedOnlyToACandidateWhoseLogIsAtLeastAsUpToDate(int lastLogIndex, int lastLogTerm, bool granted)
    {
        var before = Follower(Correct, term: 3, Log(NoOp(1), NoOp(2)));

        var step = Deliver(Correct, before, self: 0, from: 1, new RequestVote(3, lastLogIndex, lastLogTerm));

        var after = granted ? before with { VotedFor = 1, Ticks = 0 } : before;
        Assert.Equal(after, step.State);
        Effect[] persisted = granted ? [Persists(after)] : [];
        Assert.Equal([.. persisted, Sends(1, new VoteReply(3, granted))], step.Effects);
    }

    /// <summary>The planted <see cref="RaftBug.VotesWithoutLogCheck"/> breaks the rule above: a candidate with a less up-to-date log gets the vote.</summary>
    [Theory]
    [InlineData(1, 2)]
    [InlineData(5, 1)]
    public void AVote_IsGrantedOnlyToAnUpToDateLog_FailsWith_VotesWithoutLogCheck(int lastLogIndex, int lastLogTerm)
    {
        var buggy = Config(RaftBug.VotesWithoutLogCheck);

        var step = Deliver(buggy, Follower(buggy, term: 3, Log(NoOp(1), NoOp(2))), self: 0, from: 1, new RequestVote(3, lastLogIndex, lastLogTerm));

        Assert.Equal(1, step.Server.VotedFor);
        Assert.Contains(Sends(1, new VoteReply(3, true)), step.Effects);
    }

    /// <summary>
    /// §5.2: "A candidate wins an election if it receives votes from a majority of the servers in the full cluster for
    /// the same term." Five servers: the candidate has its own vote and server 1's; a repeated vote, a refusal and a vote
    /// of an earlier term change nothing, and a third vote of its term makes it leader.
    /// </summary>
    [Theory]
    [InlineData(1, 2, true, false)]
    [InlineData(2, 2, false, false)]
    [InlineData(3, 1, true, false)]
    [InlineData(3, 2, true, true)]
    public void ACandidate_BecomesLeader_OnlyWithVotesOfItsTermFromAMajority(int from, int term, bool granted, bool wins)
    {
        var five = new RaftConfig(Servers: 5, Clients: 2, MaxTerm: 9, LogCapacity: 6);
        var before = Candidate(five, self: 0, term: 2) with { Votes = 0b00011 };

        var step = Deliver(five, before, self: 0, from: from, new VoteReply(term, granted));

        if (!wins)
        {
            Assert.Equal(before, step.State);
            Assert.Empty(step.Effects);
            return;
        }
        var leader = before with
        {
            Role = RaftRole.Leader, Votes = 0b01011, NextIndex = Ints(1, 1, 1, 1, 1), MatchIndex = Ints(0, 0, 0, 0, 0),
        };
        Assert.Equal(leader, step.State);
        var heartbeat = new AppendEntries(2, 0, 0, Log(), 0);
        Assert.Equal([Observes(new BecameLeader(0, 2)), Sends(1, heartbeat), Sends(2, heartbeat), Sends(3, heartbeat), Sends(4, heartbeat)], step.Effects);
    }

    /// <summary>
    /// §5.2: "Once a candidate wins an election, it becomes leader. It then sends heartbeat messages to all of the other
    /// servers to establish its authority and prevent new elections." Figure 2, leaders: "Upon election: send initial
    /// empty AppendEntries RPCs (heartbeat) to each server". §5.3: "When a leader first comes to power, it initializes
    /// all nextIndex values to the index just after the last one in its log".
    /// </summary>
    [Fact]
    public void ACandidateWithVotesFromAMajority_BecomesLeader_AndSendsHeartbeatsToEveryPeerAtOnce()
    {
        var before = Candidate(Correct, self: 0, term: 2, Log(NoOp(1))) with { CommitIndex = 1, Applied = 1 };

        var step = Deliver(Correct, before, self: 0, from: 2, new VoteReply(2, true));

        var leader = before with { Role = RaftRole.Leader, Votes = 0b101, NextIndex = Ints(2, 2, 2), MatchIndex = Ints(1, 0, 0) };
        Assert.Equal(leader, step.State);
        var heartbeat = new AppendEntries(2, 1, 1, Log(), 1);
        Assert.Equal([Observes(new BecameLeader(0, 2)), Sends(1, heartbeat), Sends(2, heartbeat)], step.Effects);
    }

    /// <summary>
    /// §8: "Raft handles this by having each leader commit a blank no-op entry into the log at the start of its term."
    /// A new leader that inherited an uncommitted entry appends a no-op of its own term, persists it, and sends it to
    /// every peer (only an entry of its own term can commit the inherited one, §5.4.2).
    /// </summary>
    [Fact]
    public void ANewLeader_WithUncommittedEntries_AppendsANoOpOfItsTerm_PersistsIt_ThenReplicatesIt()
    {
        var before = Candidate(Correct, self: 0, term: 3, Log(Request(1, 0)));

        var step = Deliver(Correct, before, self: 0, from: 1, new VoteReply(3, true));

        var leader = before with
        {
            Role = RaftRole.Leader, Votes = 0b011, Log = Log(Request(1, 0), NoOp(3)), NextIndex = Ints(2, 2, 2), MatchIndex = Ints(2, 0, 0),
        };
        Assert.Equal(leader, step.State);
        var append = new AppendEntries(3, 1, 1, Log(NoOp(3)), 0);
        Assert.Equal(
            [Observes(new BecameLeader(0, 3)), Observes(new EntryStored(0, 2, 3, RaftSpec.NoOp)), Persists(leader), Sends(1, append), Sends(2, append)],
            step.Effects);
    }

    /// <summary>
    /// §5.2: "If the leader's term (included in its RPC) is at least as large as the candidate's current term, then the
    /// candidate recognizes the leader as legitimate and returns to follower state."
    /// </summary>
    [Fact]
    public void ACandidate_ReceivingAppendEntriesFromALeaderOfItsTerm_ReturnsToFollower()
    {
        var before = Candidate(Correct, self: 0, term: 2);

        var step = Deliver(Correct, before, self: 0, from: 1, new AppendEntries(2, 0, 0, Log(), 0));

        var follower = before with { Role = RaftRole.Follower, Ticks = 0, LeaderHint = 1 };
        Assert.Equal(follower, step.State);
        Assert.Equal([Persists(follower), Sends(1, new AppendReply(2, true, 0))], step.Effects);
    }

    // §5.3 Log replication --------------------------------------------------------------------------------------------

    /// <summary>
    /// §5.3: "The leader appends the command to its log as a new entry, then issues AppendEntries RPCs in parallel to each
    /// of the other servers to replicate the entry." "When sending an AppendEntries RPC, the leader includes the index and
    /// term of the entry in its log that immediately precedes the new entries." The entry is persisted before it is sent.
    /// </summary>
    [Fact]
    public void ALeader_AppendsAClientCommandToItsLog_PersistsIt_ThenSendsItToEveryPeer()
    {
        var before = Leader(Correct, self: 0, term: 2, Log(NoOp(2))) with { CommitIndex = 1, Applied = 1, MatchIndex = Ints(1, 1, 1) };

        var step = Deliver(Correct, before, self: 0, from: 4, new RaftRequest(1, 1, 1));

        var after = before with { Log = Log(NoOp(2), Request(2, 1)), MatchIndex = Ints(2, 1, 1) };
        Assert.Equal(after, step.State);
        var append = new AppendEntries(2, 1, 2, Log(Request(2, 1)), 1);
        Assert.Equal([Observes(new EntryStored(0, 2, 2, 1)), Persists(after), Sends(1, append), Sends(2, append)], step.Effects);
    }

    /// <summary>
    /// AppendEntries receiver, 2: "Reply false if log doesn't contain an entry at prevLogIndex whose term matches
    /// prevLogTerm (§5.3)". §5.3: "If the follower does not find an entry in its log with the same index and term, then
    /// it refuses the new entries." The follower's log holds two entries of term 1.
    /// </summary>
    [Theory]
    [InlineData(2, 2)] // an entry at index 2, of another term
    [InlineData(3, 1)] // no entry at index 3
    public void AFollower_RefusesEntries_WhosePrecedingEntryItDoesNotHave(int prevLogIndex, int prevLogTerm)
    {
        var before = Follower(Correct, term: 2, Log(NoOp(1), NoOp(1)));

        var step = Deliver(Correct, before, self: 0, from: 1, new AppendEntries(2, prevLogIndex, prevLogTerm, Log(NoOp(2)), 0));

        Assert.Equal(before with { Ticks = 0, LeaderHint = 1 }, step.State);
        Assert.Equal([Sends(1, new AppendReply(2, false, 0))], step.Effects);
    }

    /// <summary>
    /// AppendEntries receiver, 3: "If an existing entry conflicts with a new one (same index but different terms), delete
    /// the existing entry and all that follow it (§5.3)". Then 4: "Append any new entries not already in the log".
    /// </summary>
    [Fact]
    public void AFollower_DeletesAConflictingEntryAndAllThatFollowIt_ThenAppends()
    {
        var step = AppendConflictingEntry(Correct);

        Assert.Equal(ConflictResolved(Correct), step.State);
        Assert.Equal(
            [Observes(new LogTruncated(0, 2)), Observes(new EntryStored(0, 2, 3, 0)), Persists(ConflictResolved(Correct)), Sends(1, new AppendReply(3, true, 2))],
            step.Effects);
    }

    /// <summary>The planted <see cref="RaftBug.AppendsWithoutTruncating"/> breaks the rule above: the entry after the conflicting one stays.</summary>
    [Fact]
    public void AFollower_DeletesAConflictingEntryAndAllThatFollowIt_FailsWith_AppendsWithoutTruncating()
    {
        var buggy = Config(RaftBug.AppendsWithoutTruncating);

        var step = AppendConflictingEntry(buggy);

        Assert.Equal(Log(NoOp(1), Request(3, 0), NoOp(2)), step.Server.Log);
        Assert.NotEqual(ConflictResolved(buggy), step.State);
    }

    /// <summary>The follower has entries of term 2 at indices 2 and 3; the leader of term 3 sends its own entry for index 2.</summary>
    private static Step AppendConflictingEntry(RaftConfig config) =>
        Deliver(config, Follower(config, term: 3, Log(NoOp(1), NoOp(2), NoOp(2))), self: 0, from: 1, new AppendEntries(3, 1, 1, Log(Request(3, 0)), 0));

    private static RaftServerState ConflictResolved(RaftConfig config) => Follower(config, term: 3, Log(NoOp(1), Request(3, 0))) with { Ticks = 0, LeaderHint = 1 };

    /// <summary>AppendEntries receiver, 4: "Append any new entries not already in the log" — the entry it has already is skipped, the two it lacks are appended and persisted before the reply.</summary>
    [Fact]
    public void AFollower_AppendsTheEntriesNotAlreadyInItsLog()
    {
        var before = Follower(Correct, term: 2, Log(NoOp(1)));

        var step = Deliver(Correct, before, self: 0, from: 1, new AppendEntries(2, 0, 0, Log(NoOp(1), Request(2, 0), Request(2, 1)), 0));

        var after = before with { Log = Log(NoOp(1), Request(2, 0), Request(2, 1)), Ticks = 0, LeaderHint = 1 };
        Assert.Equal(after, step.State);
        Assert.Equal([Observes(new EntryStored(0, 2, 2, 0)), Observes(new EntryStored(0, 3, 2, 1)), Persists(after), Sends(1, new AppendReply(2, true, 3))], step.Effects);
    }

    /// <summary>
    /// AppendEntries receiver, 3 deletes only an entry that "conflicts with a new one (same index but different terms)":
    /// a delayed AppendEntries whose entries the follower already has truncates nothing, and the reply vouches only for
    /// what that message matched (index 1), not for the rest of the follower's log.
    /// </summary>
    [Fact]
    public void AFollower_NeverTruncates_OnAStaleAppendEntriesWhoseEntriesMatch()
    {
        var before = Follower(Correct, term: 2, Log(NoOp(1), Request(2, 0), Request(2, 1)));

        var step = Deliver(Correct, before, self: 0, from: 1, new AppendEntries(2, 0, 0, Log(NoOp(1)), 0));

        var after = before with { Ticks = 0, LeaderHint = 1 };
        Assert.Equal(after, step.State);
        Assert.Equal([Persists(after), Sends(1, new AppendReply(2, true, 1))], step.Effects);
    }

    /// <summary>
    /// AppendEntries receiver, 5: "If leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of last new
    /// entry)". §5.3: "Once a follower learns that a log entry is committed, it applies the entry to its local state
    /// machine (in log order)." The follower's entry at index 2 came from a deposed leader and is not vouched for by this
    /// message, so the commit index stops at 1 though the leader's is 2.
    /// </summary>
    [Fact]
    public void AFollower_CommitsUpToTheLeadersCommitIndex_ButNotPastTheLastNewEntry()
    {
        var before = Follower(Correct, term: 3, Log(Request(1, 0), NoOp(2)));

        var step = Deliver(Correct, before, self: 0, from: 1, new AppendEntries(3, 0, 0, Log(Request(1, 0)), 2));

        var after = before with { CommitIndex = 1, Applied = 1, Store = "[0.0]", LastExecuted = Ints(1, 0), Ticks = 0, LeaderHint = 1 };
        Assert.Equal(after, step.State);
        Assert.Equal(
            [Observes(new EntryCommitted(0, 1, 1, 0, 3)), Observes(new EntryApplied(0, 1, 0, true)), Persists(after), Sends(1, new AppendReply(3, true, 1))],
            step.Effects);
    }

    /// <summary>
    /// §5.3: "After a rejection, the leader decrements nextIndex and retries the AppendEntries RPC." Figure 2, leaders:
    /// "If AppendEntries fails because of log inconsistency: decrement nextIndex and retry (§5.3)".
    /// </summary>
    [Fact]
    public void ALeader_OnARejection_DecrementsNextIndex_AndRetriesFromThere()
    {
        var before = Leader(Correct, self: 0, term: 3, Log(NoOp(1), NoOp(1), NoOp(3))) with { CommitIndex = 2, Applied = 2 };

        var step = Deliver(Correct, before, self: 0, from: 1, new AppendReply(3, false, 0));

        Assert.Equal(before with { NextIndex = Ints(4, 3, 4) }, step.State);
        Assert.Equal([Sends(1, new AppendEntries(3, 2, 1, Log(NoOp(3)), 2))], step.Effects);
    }

    /// <summary>
    /// Figure 2, leaders: "Upon election: send initial empty AppendEntries RPCs (heartbeat) to each server; repeat during
    /// idle periods to prevent election timeouts (§5.2)" and "If last log index ≥ nextIndex for a follower: send
    /// AppendEntries RPC with log entries starting at nextIndex". Follower 2 still lacks the leader's entry.
    /// </summary>
    [Fact]
    public void ALeader_OnItsHeartbeatTimer_SendsEveryPeerTheEntriesFromItsNextIndex()
    {
        var before = Leader(Correct, self: 0, term: 2, Log(NoOp(2))) with { CommitIndex = 1, Applied = 1, NextIndex = Ints(2, 2, 1), MatchIndex = Ints(1, 1, 0) };

        var step = Fire(Correct, before, self: 0, RaftTimer.Heartbeat);

        Assert.Equal(before, step.State);
        Assert.Equal([Sets(RaftTimer.Heartbeat), Sends(1, new AppendEntries(2, 1, 2, Log(), 1)), Sends(2, new AppendEntries(2, 0, 0, Log(NoOp(2)), 1))], step.Effects);
    }

    /// <summary>
    /// §5.3: "A log entry is committed once the leader that created the entry has replicated it on a majority of the
    /// servers (e.g., entry 7 in Figure 6). This also commits all preceding entries in the leader's log, including
    /// entries created by previous leaders." Figure 2, leaders: "If command received from client: append entry to local
    /// log, respond after entry applied to state machine (§5.3)". The new commit index is persisted.
    /// </summary>
    [Fact]
    public void ALeader_CommitsAnEntryOfItsTerm_OnceAMajorityHasIt_WithTheEntriesBefore_AndAnswersTheirClients()
    {
        var before = Leader(Correct, self: 0, term: 4, Log(Request(2, 0), Request(4, 1)));

        var step = Deliver(Correct, before, self: 0, from: 1, new AppendReply(4, true, 2));

        var after = before with
        {
            MatchIndex = Ints(2, 2, 0), NextIndex = Ints(3, 3, 3), CommitIndex = 2, Applied = 2, Store = "[0.0][1.0]", LastExecuted = Ints(1, 1),
        };
        Assert.Equal(after, step.State);
        Assert.Equal(
            [
                Observes(new EntryCommitted(0, 1, 2, 0, 4)), Observes(new EntryCommitted(0, 2, 4, 1, 4)),
                Observes(new EntryApplied(0, 1, 0, true)), Sends(3, new RaftResponse(0, 1, "")),
                Observes(new EntryApplied(0, 2, 1, true)), Sends(4, new RaftResponse(1, 1, "")),
                Persists(after),
            ],
            step.Effects);
    }

    // §5.4 Safety -----------------------------------------------------------------------------------------------------

    /// <summary>
    /// §5.4.2, Figure 8: "Raft never commits log entries from previous terms by counting replicas. Only log entries from
    /// the leader's current term are committed by counting replicas". Figure 2, leaders: "If there exists an N such that
    /// N > commitIndex, a majority of matchIndex[i] ≥ N, and log[N].term == currentTerm: set commitIndex = N". The leader
    /// of term 4 holds an entry of term 2 at index 2, and a reply makes it stored on a majority: it stays uncommitted.
    /// </summary>
    [Fact]
    public void ALeader_NeverCommitsAnEntryOfAnEarlierTerm_ByCountingReplicas()
    {
        var figure8 = Correct with { NoOpOnElection = false };
        var before = Figure8Leader(figure8);

        var step = Deliver(figure8, before, self: 0, from: 1, new AppendReply(4, true, 2));

        Assert.Equal(before with { MatchIndex = Ints(2, 2, 0) }, step.State);
        Assert.Empty(step.Effects);
    }

    /// <summary>The planted <see cref="RaftBug.CommitsEarlierTermByCounting"/> breaks the rule above: the term-2 entry is committed and applied by counting.</summary>
    [Fact]
    public void ALeader_NeverCommitsAnEntryOfAnEarlierTerm_FailsWith_CommitsEarlierTermByCounting()
    {
        var buggy = Config(RaftBug.CommitsEarlierTermByCounting) with { NoOpOnElection = false };

        var step = Deliver(buggy, Figure8Leader(buggy), self: 0, from: 1, new AppendReply(4, true, 2));

        Assert.Equal(2, step.Server.CommitIndex);
        Assert.Contains(Observes(new EntryCommitted(0, 2, 2, 1, 4)), step.Effects);
    }

    /// <summary>Server 0, leader of term 4, with client 0's entry of term 1 committed and client 1's entry of term 2 at index 2.</summary>
    private static RaftServerState Figure8Leader(RaftConfig config) =>
        Leader(config, self: 0, term: 4, Log(Request(1, 0), Request(2, 1))) with { CommitIndex = 1, Applied = 1, Store = "[0.0]", LastExecuted = Ints(1, 0) };

    // §8 Client interaction -------------------------------------------------------------------------------------------

    /// <summary>Two operations per client: client 0's command 0 (sequence 1) writes "[0.0]", its command 1 (sequence 2) reads.</summary>
    private static RaftConfig TwoOperationsEach(RaftBug bugs = RaftBug.None) => Config(bugs) with { OperationsPerClient = 2 };

    /// <summary>
    /// §8: "The solution is for clients to assign unique serial numbers to every command. Then, the state machine tracks
    /// the latest serial number processed for each client, along with the associated response. If it receives a command
    /// whose serial number has already been executed, it responds immediately without re-executing the request."
    /// </summary>
    [Fact]
    public void ALeader_AnswersARetriedRequestItExecuted_WithTheRecordedResponse_WithoutAppendingItAgain()
    {
        var config = TwoOperationsEach();
        var before = ExecutedTheRead(config);

        var step = Deliver(config, before, self: 0, from: 3, new RaftRequest(0, 2, 1));

        Assert.Equal(before, step.State);
        Assert.Equal([Sends(3, new RaftResponse(0, 2, "[0.0]"))], step.Effects);
    }

    /// <summary>A retried request still in the leader's log, not yet executed, is not appended a second time either.</summary>
    [Fact]
    public void ALeader_DoesNotAppendARetriedRequest_AlreadyInItsLog()
    {
        var before = Leader(Correct, self: 0, term: 2, Log(Request(2, 0)));

        var step = Deliver(Correct, before, self: 0, from: 3, new RaftRequest(0, 1, 0));

        Assert.Equal(before, step.State);
        Assert.Empty(step.Effects);
    }

    /// <summary>The planted <see cref="RaftBug.NoDeduplication"/> breaks both rules above: retried requests are appended again, to be executed again.</summary>
    [Fact]
    public void ALeader_DeduplicatesRetriedRequests_FailsWith_NoDeduplication()
    {
        var executed = TwoOperationsEach(RaftBug.NoDeduplication);
        var retried = Deliver(executed, ExecutedTheRead(executed), self: 0, from: 3, new RaftRequest(0, 2, 1));
        Assert.Equal(Log(new RaftEntry(2, 0, 1, 0), new RaftEntry(2, 0, 2, 1), new RaftEntry(2, 0, 2, 1)), retried.Server.Log);

        var inFlight = Config(RaftBug.NoDeduplication);
        var again = Deliver(inFlight, Leader(inFlight, self: 0, term: 2, Log(Request(2, 0))), self: 0, from: 3, new RaftRequest(0, 1, 0));
        Assert.Equal(Log(Request(2, 0), Request(2, 0)), again.Server.Log);
    }

    /// <summary>Leader 0 of term 2 has executed client 0's write (sequence 1) and read (sequence 2, which returned "[0.0]").</summary>
    private static RaftServerState ExecutedTheRead(RaftConfig config) =>
        Leader(config, self: 0, term: 2, Log(new RaftEntry(2, 0, 1, 0), new RaftEntry(2, 0, 2, 1))) with
        {
            CommitIndex = 2, Applied = 2, Store = "[0.0]", LastExecuted = Ints(2, 0), LastOutput = ValueArray<string>.From(["[0.0]", ""]), MatchIndex = Ints(2, 2, 2),
        };

    /// <summary>
    /// §8: "Read-only operations can be handled without writing anything into the log. However, with no additional
    /// measures, this would run the risk of returning stale data, since the leader responding to the request might have
    /// been superseded by a newer leader of which it is unaware." This implementation's measure: a read goes through the
    /// log like any command, and is answered once committed.
    /// </summary>
    [Fact]
    public void ALeader_ServesAReadThroughTheLog_NotFromItsOwnState()
    {
        var config = TwoOperationsEach();
        var before = WroteThenAskedToRead(config);

        var step = Deliver(config, before, self: 0, from: 3, new RaftRequest(0, 2, 1));

        var after = before with { Log = Log(new RaftEntry(2, 0, 1, 0), new RaftEntry(2, 0, 2, 1)), MatchIndex = Ints(2, 1, 1) };
        Assert.Equal(after, step.State);
        var append = new AppendEntries(2, 1, 2, Log(new RaftEntry(2, 0, 2, 1)), 1);
        Assert.Equal([Observes(new EntryStored(0, 2, 2, 1)), Persists(after), Sends(1, append), Sends(2, append)], step.Effects);
    }

    /// <summary>The planted <see cref="RaftBug.LeaderReadsLocally"/> breaks the rule above: the leader answers from its own store at once.</summary>
    [Fact]
    public void ALeader_ServesAReadThroughTheLog_FailsWith_LeaderReadsLocally()
    {
        var buggy = TwoOperationsEach(RaftBug.LeaderReadsLocally);
        var before = WroteThenAskedToRead(buggy);

        var step = Deliver(buggy, before, self: 0, from: 3, new RaftRequest(0, 2, 1));

        Assert.Equal(before, step.State);
        Assert.Equal([Sends(3, new RaftResponse(0, 2, "[0.0]"))], step.Effects);
    }

    /// <summary>Leader 0 of term 2 has committed and executed client 0's write, replicated on every server.</summary>
    private static RaftServerState WroteThenAskedToRead(RaftConfig config) =>
        Leader(config, self: 0, term: 2, Log(new RaftEntry(2, 0, 1, 0))) with { CommitIndex = 1, Applied = 1, Store = "[0.0]", LastExecuted = Ints(1, 0), MatchIndex = Ints(1, 1, 1) };

    // Recovery --------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Figure 2 separates "Persistent state on all servers" from "Volatile state on all servers" and "Volatile state on
    /// leaders (Reinitialized after election)". A leader that crashes comes back with exactly what it persisted, as a
    /// follower with no leader known and no progress of its followers; its role, votes and nextIndex/matchIndex are gone.
    /// </summary>
    [Fact]
    public void ARecoveringServer_RestartsFromItsDurableStateOnly_AsAFollower()
    {
        var leader = Leader(Correct, self: 0, term: 4, Log(Request(2, 0), Request(4, 1))) with
        {
            CommitIndex = 2, Applied = 2, Store = "[0.0][1.0]", LastExecuted = Ints(1, 1), MatchIndex = Ints(2, 2, 1), NextIndex = Ints(3, 3, 2),
        };

        var step = Recover(Correct, leader.Durable, self: 0);

        var recovered = new RaftServerState
        {
            Term = 4, VotedFor = 0, Log = Log(Request(2, 0), Request(4, 1)), CommitIndex = 2, Applied = 2, LastExecuted = Ints(1, 1), Store = "[0.0][1.0]",
            LastOutput = ValueArray<string>.From(["", ""]),
            Role = RaftRole.Follower, Votes = 0, NextIndex = Ints(1, 1, 1), MatchIndex = Ints(0, 0, 0), Ticks = 0, Patience = 1, LeaderHint = Nobody,
        };
        Assert.Equal(recovered, step.State);
        Assert.Equal([Sets(RaftTimer.Election), Sets(RaftTimer.Heartbeat)], step.Effects);
    }

    // Defects found ---------------------------------------------------------------------------------------------------

    /// <summary>
    /// §5.2: "A candidate wins an election if it receives votes from a majority of the servers in the full cluster for
    /// the same term." In a one-server cluster (which <see cref="RaftConfig.Validate"/> accepts) the server's own vote is
    /// that majority.
    /// </summary>
    [Fact]
    public void ASingleServer_WinsTheElection_WithItsOwnVote()
    {
        var alone = new RaftConfig(Servers: 1, Clients: 1, MaxTerm: 9, LogCapacity: 6);
        var before = Follower(alone, term: 0) with { Ticks = 0, Patience = 1 };

        var step = Fire(alone, before, self: 0, RaftTimer.Election);

        Assert.Equal(RaftRole.Leader, step.Server.Role);
        Assert.Equal(1, step.Server.Term);
        Assert.Contains(Observes(new BecameLeader(0, 1)), step.Effects);
    }
}
