using Verification.Specs;
using Verification.Specs.Consensus;

namespace Verification.Protocols.Raft;

/// <summary>What Raft servers do, as the events of the history the induction proof reasons about (indices are 1-based).</summary>
public abstract record RaftStep;

/// <summary>A server times out and starts an election in <see cref="Term"/>: it votes for itself and asks for votes with its last log index and term.</summary>
public sealed record ElectionStarted(int Server, int Term) : RaftStep;

/// <summary>A server sees a message of a higher <see cref="Term"/> and adopts it (Figure 2, rules for all servers).</summary>
public sealed record TermObserved(int Server, int Term) : RaftStep;

/// <summary>A server grants its vote in <see cref="Term"/> to <see cref="Candidate"/>.</summary>
public sealed record VoteGranted(int Voter, int Candidate, int Term) : RaftStep;

/// <summary>A candidate with a quorum of votes becomes leader of <see cref="Term"/>.</summary>
public sealed record LeaderElected(int Server, int Term) : RaftStep;

/// <summary>The leader of <see cref="Term"/> appends a client's <see cref="Command"/> at the end of its log, <see cref="Index"/>.</summary>
public sealed record CommandAppended(int Leader, int Term, int Index, int Command) : RaftStep;

/// <summary>
/// A server accepts the entry at <see cref="Index"/> of the log of <see cref="Term"/>'s leader (AppendEntries), its
/// entry at the index before matching; a conflicting entry at <see cref="Index"/> is deleted with all that follow it.
/// </summary>
public sealed record EntryAccepted(int Follower, int Term, int Index) : RaftStep;

/// <summary>The leader of <see cref="Term"/> commits its entry at <see cref="Index"/>, of its own term, which a quorum stores.</summary>
public sealed record IndexCommitted(int Leader, int Term, int Index) : RaftStep;

/// <summary>A server in <see cref="Term"/> learns that its leader committed <see cref="Index"/> (leaderCommit), holding that entry itself.</summary>
public sealed record CommitLearned(int Server, int Term, int Index) : RaftStep;

/// <summary>
/// Raft's protocol as guarded events for a bounded configuration (servers 0..S−1, terms 0..T−1 with every server
/// starting in term 0, log indices 1..L, commands 0..C−1), in the shape of mypyvy's Raft model: elections with
/// vote requests that carry the candidate's last log index and term, one vote per term, a leader per quorum of
/// votes; each term's leader's log as a ghost (<c>termLog</c>: what its AppendEntries carry), followers accepting its
/// entries with the consistency check and truncating a conflicting suffix, acknowledgements, the current-term commit
/// rule, and servers learning commits. The guards are the protocol's rules; Election Safety, Log Matching, Leader
/// Completeness and State Machine Safety are proved by induction with <c>Prover</c>, together with the auxiliary
/// invariants below. <see cref="RaftRelational"/> is the same protocol for every size.
/// <para>
/// Logs are families indexed by (server, index) as in <see cref="RaftSpec"/>: <c>entryTerm[s·L + i]</c> and
/// <c>entryCommand[s·L + i]</c> hold server s's entry at index i+1, None when it has none.
/// </para>
/// </summary>
public static class RaftModel
{
    public const string Name = "RaftProtocol";
    public const int None = -1;

    /// <summary>
    /// The invariant that carries Raft's up-to-date check into the proof; drop it and induction fails with a new leader
    /// lacking an entry that a quorum holds.
    /// </summary>
    public const string VotedCandidateHoldsChoosableEntry = "VotedCandidateHoldsChoosableEntry";

    public static Spec<RaftStep> Create(int servers = 3, int terms = 3, int logLength = 2, int commands = 2, QuorumSystem? quorums = null)
    {
        quorums ??= QuorumSystem.Majority(servers);
        if (quorums.Nodes != servers) throw new SpecException($"the quorum system is over {quorums.Nodes} nodes but the model has {servers} servers");
        if (terms < 2 || logLength < 1 || commands < 1)
            throw new SpecException($"Raft needs at least two terms (an election starts above term 0), one log index and one command (got {terms} terms, {logLength} indices, {commands} commands)");
        var quorumCount = quorums.MinimalQuorums.Count;
        var S = servers;
        var T = terms;
        var L = logLength;
        var spec = new SpecBuilder<RaftStep>(Name);
        var current = spec.Family<int>("currentTerm", S, s => $"s{s}");
        // vote[s·T + t]: the candidate server s voted for in term t, or None.
        var vote = spec.Family<int>("vote", S * T, k => $"s{k / T},t{k % T}");
        // requestIndex/requestTerm[c·T + t]: the last log index and term candidate c's vote request in term t carried (None: no request).
        var requestIndex = spec.Family<int>("requestIndex", S * T, k => $"s{k / T},t{k % T}");
        var requestTerm = spec.Family<int>("requestTerm", S * T, k => $"s{k / T},t{k % T}");
        var leader = spec.Family<bool>("leader", S * T, k => $"s{k / T},t{k % T}");
        var entryTerm = spec.Family<int>("entryTerm", S * L, k => $"s{k / L},i{k % L + 1}");
        var entryCommand = spec.Family<int>("entryCommand", S * L, k => $"s{k / L},i{k % L + 1}");
        // termLogTerm/termLogCommand[t·L + i]: the log of term t's leader (a ghost: what its AppendEntries carry).
        var termLogTerm = spec.Family<int>("termLogTerm", T * L, k => $"t{k / L},i{k % L + 1}");
        var termLogCommand = spec.Family<int>("termLogCommand", T * L, k => $"t{k / L},i{k % L + 1}");
        // acked[(s·T + t)·L + i]: server s told term t's leader it stores its entry at index i+1 (a successful AppendEntries reply).
        var acked = spec.Family<bool>("acked", S * T * L, k => $"s{k / (T * L)},t{k / L % T},i{k % L + 1}");
        // chosen[t·L + i]: term t's leader committed index i+1.
        var chosen = spec.Family<bool>("chosen", T * L, k => $"t{k / L},i{k % L + 1}");
        var commitIndex = spec.Family<int>("commitIndex", S, s => $"s{s}");

        // Raft's vocabulary, named once.
        var isServer = spec.Helper("IsServer", (int s) => s >= 0 && s < S);
        var isTerm = spec.Helper("IsTerm", (int t) => t >= 0 && t < T);
        var isIndex = spec.Helper("IsIndex", (int i) => i >= 1 && i <= L);
        var started = spec.Helper("Started", (int t) => Bounded.Any(S, s => leader.Now(s * T + t)));
        var lastIndex = spec.Helper("LastIndex", (int s) => Bounded.Count(L, i => entryTerm.Now(s * L + i) != None));
        // The term of the last entry (0 for an empty log): the number of terms below it.
        var lastTerm = spec.Helper("LastTerm", (int s) => Bounded.Count(T, t =>
            Bounded.Any(L - 1, i => entryTerm.Now(s * L + i) > t && entryTerm.Now(s * L + i + 1) == None) || entryTerm.Now(s * L + L - 1) > t));
        // Term t's entry at index i+1 may still be committed: some quorum each member of which acked it or is still in t or below.
        var choosable = spec.Helper("Choosable", (int t, int i) => Bounded.Any(quorumCount, q =>
            Bounded.All(S, m => !quorums.IsMember(q, m) || acked.Now((m * T + t) * L + i) || current.Now(m) <= t)));

        spec.Define(current, s => 0, (e, s) => e
            .When((ElectionStarted x) => x.Server == s ? x.Term : current.Now(s))
            .When((TermObserved x) => x.Server == s ? x.Term : current.Now(s))
            .When((VoteGranted x) => x.Voter == s ? x.Term : current.Now(s))
            .When((EntryAccepted x) => x.Follower == s ? x.Term : current.Now(s))
            .Else(current.Now(s)));
        spec.Define(vote, k => None, (e, k) => e
            .When((ElectionStarted x) => x.Server * T + x.Term == k ? x.Server : vote.Now(k))
            .When((VoteGranted x) => x.Voter * T + x.Term == k ? x.Candidate : vote.Now(k))
            .Else(vote.Now(k)));
        // An equation reads a family at an index an event names only for an event within bounds: the guards, which
        // reject the others, are checked on the state an event leads to, so every event must lead to one.
        spec.Define(requestIndex, k => None, (e, k) => e.When((ElectionStarted x) => x.Server * T + x.Term == k && isServer(x.Server) ? lastIndex(x.Server) : requestIndex.Now(k)).Else(requestIndex.Now(k)));
        spec.Define(requestTerm, k => None, (e, k) => e.When((ElectionStarted x) => x.Server * T + x.Term == k && isServer(x.Server) ? lastTerm(x.Server) : requestTerm.Now(k)).Else(requestTerm.Now(k)));
        spec.Define(leader, k => false, (e, k) => leader.Now(k) || e.Is((LeaderElected x) => x.Server * T + x.Term == k));
        // A follower writes the leader's entry at Index; if its own entry there had another term, everything after it goes.
        spec.Define(entryTerm, k => None, (e, k) => e
            .When((CommandAppended x) => x.Leader * L + x.Index - 1 == k ? x.Term : entryTerm.Now(k))
            .When((EntryAccepted x) => k / L != x.Follower || !isTerm(x.Term) || !isIndex(x.Index) ? entryTerm.Now(k)
                : k % L + 1 == x.Index ? termLogTerm.Now(x.Term * L + x.Index - 1)
                : k % L + 1 > x.Index && entryTerm.Now(x.Follower * L + x.Index - 1) != None
                    && entryTerm.Now(x.Follower * L + x.Index - 1) != termLogTerm.Now(x.Term * L + x.Index - 1) ? None
                : entryTerm.Now(k))
            .Else(entryTerm.Now(k)));
        spec.Define(entryCommand, k => None, (e, k) => e
            .When((CommandAppended x) => x.Leader * L + x.Index - 1 == k ? x.Command : entryCommand.Now(k))
            .When((EntryAccepted x) => k / L != x.Follower || !isTerm(x.Term) || !isIndex(x.Index) ? entryCommand.Now(k)
                : k % L + 1 == x.Index ? termLogCommand.Now(x.Term * L + x.Index - 1)
                : k % L + 1 > x.Index && entryTerm.Now(x.Follower * L + x.Index - 1) != None
                    && entryTerm.Now(x.Follower * L + x.Index - 1) != termLogTerm.Now(x.Term * L + x.Index - 1) ? None
                : entryCommand.Now(k))
            .Else(entryCommand.Now(k)));
        // A new leader's log becomes its term's log; its appends extend both.
        spec.Define(termLogTerm, k => None, (e, k) => e
            .When((LeaderElected x) => k / L == x.Term && isServer(x.Server) ? entryTerm.Now(x.Server * L + k % L) : termLogTerm.Now(k))
            .When((CommandAppended x) => x.Term * L + x.Index - 1 == k ? x.Term : termLogTerm.Now(k))
            .Else(termLogTerm.Now(k)));
        spec.Define(termLogCommand, k => None, (e, k) => e
            .When((LeaderElected x) => k / L == x.Term && isServer(x.Server) ? entryCommand.Now(x.Server * L + k % L) : termLogCommand.Now(k))
            .When((CommandAppended x) => x.Term * L + x.Index - 1 == k ? x.Command : termLogCommand.Now(k))
            .Else(termLogCommand.Now(k)));
        // The leader acks its own appended entry; a follower acks what it accepted.
        spec.Define(acked, k => false, (e, k) => acked.Now(k)
            || e.Is((CommandAppended x) => (x.Leader * T + x.Term) * L + x.Index - 1 == k)
            || e.Is((EntryAccepted x) => (x.Follower * T + x.Term) * L + x.Index - 1 == k));
        spec.Define(chosen, k => false, (e, k) => chosen.Now(k) || e.Is((IndexCommitted x) => x.Term * L + x.Index - 1 == k));
        spec.Define(commitIndex, s => 0, (e, s) => e.When((CommitLearned x) => x.Server == s ? Math.Max(commitIndex.Now(s), x.Index) : commitIndex.Now(s)).Else(commitIndex.Now(s)));

        // The protocol's rules.
        spec.Guard("EventWithinBounds", e => e
            .When((ElectionStarted x) => isServer(x.Server) && isTerm(x.Term))
            .When((TermObserved x) => isServer(x.Server) && isTerm(x.Term))
            .When((VoteGranted x) => isServer(x.Voter) && isServer(x.Candidate) && isTerm(x.Term))
            .When((LeaderElected x) => isServer(x.Server) && isTerm(x.Term))
            .When((CommandAppended x) => isServer(x.Leader) && isTerm(x.Term) && isIndex(x.Index) && x.Command >= 0 && x.Command < commands)
            .When((EntryAccepted x) => isServer(x.Follower) && isTerm(x.Term) && isIndex(x.Index))
            .When((IndexCommitted x) => isServer(x.Leader) && isTerm(x.Term) && isIndex(x.Index))
            .When((CommitLearned x) => isServer(x.Server) && isTerm(x.Term) && isIndex(x.Index))
            .Else(false));
        spec.Guard("ElectionInAHigherTerm", e => e.IfIs((ElectionStarted x) => x.Term > current.Now(x.Server)));
        spec.Guard("ObserveOnlyAnAskedTerm", e => e.IfIs((TermObserved x) => x.Term > current.Now(x.Server)
            && Bounded.Any(S, c => requestIndex.Now(c * T + x.Term) != None)));
        // RequestVote (§5.2, §5.4.1): a vote in a term not below the voter's, once per term, for a candidate that asked
        // and whose log is at least as up-to-date: a higher last term, or the same last term and at least as long.
        spec.Guard("VoteOnlyWhenAsked", e => e.IfIs((VoteGranted x) => requestIndex.Now(x.Candidate * T + x.Term) != None && x.Term >= current.Now(x.Voter)));
        spec.Guard("OneVotePerTerm", e => e.IfIs((VoteGranted x) => vote.Now(x.Voter * T + x.Term) == None));
        spec.Guard("VoteOnlyForAnUpToDateLog", e => e.IfIs((VoteGranted x) => requestTerm.Now(x.Candidate * T + x.Term) > lastTerm(x.Voter)
            || (requestTerm.Now(x.Candidate * T + x.Term) == lastTerm(x.Voter) && requestIndex.Now(x.Candidate * T + x.Term) >= lastIndex(x.Voter))));
        spec.Guard("ElectedByAQuorumOfVotes", e => e.IfIs((LeaderElected x) => current.Now(x.Server) == x.Term
            && Bounded.Any(quorumCount, q => Bounded.All(S, m => !quorums.IsMember(q, m) || vote.Now(m * T + x.Term) == x.Server))));
        spec.Guard("OnlyTheLeaderAppends", e => e.IfIs((CommandAppended x) => leader.Now(x.Leader * T + x.Term) && current.Now(x.Leader) == x.Term));
        spec.Guard("AppendAtTheEnd", e => e.IfIs((CommandAppended x) => x.Index == lastIndex(x.Leader) + 1));
        // AppendEntries (§5.3): from a term not below the follower's, an entry its leader's log holds, the entry before
        // it matching (the consistency check).
        spec.Guard("AcceptFromACurrentLeader", e => e.IfIs((EntryAccepted x) => x.Term >= current.Now(x.Follower) && termLogTerm.Now(x.Term * L + x.Index - 1) != None));
        spec.Guard("AcceptWhenThePreviousEntryMatches", e => e.IfIs((EntryAccepted x) =>
            Bounded.All(L, j => j + 2 != x.Index || entryTerm.Now(x.Follower * L + j) == termLogTerm.Now(x.Term * L + j))));
        // The current-term rule (§5.4.2): a leader commits an entry of its own term once a quorum stores it.
        spec.Guard("CommitOwnTermEntryStoredByQuorum", e => e.IfIs((IndexCommitted x) => leader.Now(x.Leader * T + x.Term) && current.Now(x.Leader) == x.Term
            && entryTerm.Now(x.Leader * L + x.Index - 1) == x.Term
            && Bounded.Any(quorumCount, q => Bounded.All(S, m => !quorums.IsMember(q, m) || acked.Now((m * T + x.Term) * L + x.Index - 1)))));
        spec.Guard("LearnACommitOfTheLeader", e => e.IfIs((CommitLearned x) => chosen.Now(x.Term * L + x.Index - 1) && current.Now(x.Server) == x.Term
            && entryTerm.Now(x.Server * L + x.Index - 1) == x.Term));

        // Raft's safety properties (Figure 3).
        // Election Safety: at most one leader per term.
        spec.Invariant("ElectionSafety", () => Bounded.All(T, t => Bounded.All(S, a => Bounded.All(S, b => a >= b || !leader.Now(a * T + t) || !leader.Now(b * T + t)))));
        // Log Matching: two logs with an entry of the same index and term are identical up to it.
        spec.Invariant("LogMatching", () => Bounded.All(S, a => Bounded.All(S, b => a >= b || Bounded.All(L, i =>
            entryTerm.Now(a * L + i) == None || entryTerm.Now(a * L + i) != entryTerm.Now(b * L + i)
            || Bounded.All(i + 1, j => entryTerm.Now(a * L + j) == entryTerm.Now(b * L + j) && entryCommand.Now(a * L + j) == entryCommand.Now(b * L + j))))));
        // Leader Completeness: an entry committed in term t1 is in the log of every leader of a later term.
        spec.Invariant("LeaderCompleteness", () => Bounded.All(S, s => Bounded.All(T, t2 => !leader.Now(s * T + t2) || current.Now(s) != t2
            || Bounded.All(t2, t1 => Bounded.All(L, i => !chosen.Now(t1 * L + i) || entryTerm.Now(s * L + i) == t1)))));
        // State Machine Safety: two servers that know index j committed hold the same command there.
        spec.Invariant("StateMachineSafety", () => Bounded.All(S, a => Bounded.All(S, b => a >= b || Bounded.All(L, j =>
            j >= commitIndex.Now(a) || j >= commitIndex.Now(b) || entryCommand.Now(a * L + j) == entryCommand.Now(b * L + j)))));

        // The auxiliary invariants that make the set inductive.
        // Every number is in its range, and an entry has both a term (≥ 1) and a command, or neither (SMT integers are unbounded).
        spec.Invariant("WithinRange", () =>
            Bounded.All(S, s => current.Now(s) >= 0 && current.Now(s) < T && commitIndex.Now(s) >= 0 && commitIndex.Now(s) <= L)
            && Bounded.All(S * T, k => vote.Now(k) >= None && vote.Now(k) < S && requestIndex.Now(k) >= None && requestIndex.Now(k) <= L
                && (requestIndex.Now(k) == None ? requestTerm.Now(k) == None : requestTerm.Now(k) >= 0 && requestTerm.Now(k) < T))
            && Bounded.All(S * L, k => entryTerm.Now(k) == None ? entryCommand.Now(k) == None
                : entryTerm.Now(k) >= 1 && entryTerm.Now(k) < T && entryCommand.Now(k) >= 0 && entryCommand.Now(k) < commands)
            && Bounded.All(T * L, k => termLogTerm.Now(k) == None ? termLogCommand.Now(k) == None
                : termLogTerm.Now(k) >= 1 && termLogTerm.Now(k) < T && termLogCommand.Now(k) >= 0 && termLogCommand.Now(k) < commands));
        // Nobody asks for votes, votes or leads in term 0, the term every server starts in.
        spec.Invariant("NoElectionInTerm0", () => Bounded.All(S, s => vote.Now(s * T) == None && requestIndex.Now(s * T) == None && !leader.Now(s * T)));
        // A server votes only in terms it reached.
        spec.Invariant("VotesOnlyInReachedTerms", () => Bounded.All(S, s => Bounded.All(T, t => vote.Now(s * T + t) == None || t <= current.Now(s))));
        // A vote in term t goes to a candidate that reached t (it asked for it there).
        spec.Invariant("VotesForCandidatesThatReachedTheTerm", () => Bounded.All(S, s => Bounded.All(T, t => Bounded.All(S, c => vote.Now(s * T + t) != c || t <= current.Now(c)))));
        // A term's leader had the votes of a quorum.
        spec.Invariant("LeaderHasQuorumOfVotes", () => Bounded.All(S, s => Bounded.All(T, t => !leader.Now(s * T + t)
            || Bounded.Any(quorumCount, q => Bounded.All(S, m => !quorums.IsMember(q, m) || vote.Now(m * T + t) == s)))));
        // A candidate asks for votes only in a term it reached.
        spec.Invariant("RequestsOnlyInReachedTerms", () => Bounded.All(S, c => Bounded.All(T, t => requestIndex.Now(c * T + t) == None || t <= current.Now(c))));
        // While a candidate is still in its term and nobody leads it, its log ends where its vote request said.
        spec.Invariant("RequestReflectsCandidateLog", () => Bounded.All(S, c => Bounded.All(T, t => requestIndex.Now(c * T + t) == None
            || current.Now(c) != t || started(t) || (lastIndex(c) == requestIndex.Now(c * T + t) && lastTerm(c) == requestTerm.Now(c * T + t)))));
        // Logs have no gaps: an entry at index i+1 means one at index i.
        spec.Invariant("LogsHaveNoGaps", () => Bounded.All(S, s => Bounded.All(L - 1, i => entryTerm.Now(s * L + i + 1) == None || entryTerm.Now(s * L + i) != None))
            && Bounded.All(T, t => Bounded.All(L - 1, i => termLogTerm.Now(t * L + i + 1) == None || termLogTerm.Now(t * L + i) != None)));
        // A server's entries are of terms it reached.
        spec.Invariant("EntryTermsNotAboveCurrent", () => Bounded.All(S, s => Bounded.All(L, i => entryTerm.Now(s * L + i) <= current.Now(s))));
        // Term t's log holds entries of terms up to t.
        spec.Invariant("TermLogEntriesNotAboveItsTerm", () => Bounded.All(T, t => Bounded.All(L, i => termLogTerm.Now(t * L + i) <= t)));
        // Only a started term has a log.
        spec.Invariant("TermLogsOnlyOfStartedTerms", () => Bounded.All(T, t => Bounded.All(L, i => termLogTerm.Now(t * L + i) == None || started(t))));
        // A leader still in its term has exactly its term's log.
        spec.Invariant("LeaderLogIsTermLog", () => Bounded.All(S, s => Bounded.All(T, t => !leader.Now(s * T + t) || current.Now(s) != t
            || Bounded.All(L, i => entryTerm.Now(s * L + i) == termLogTerm.Now(t * L + i) && entryCommand.Now(s * L + i) == termLogCommand.Now(t * L + i)))));
        // An entry of term x at index i, in any log, is term x's log's entry at i.
        spec.Invariant("EntriesComeFromTermLogs", () => Bounded.All(T, x => Bounded.All(L, i =>
            Bounded.All(S, s => entryTerm.Now(s * L + i) != x || (termLogTerm.Now(x * L + i) == x && termLogCommand.Now(x * L + i) == entryCommand.Now(s * L + i)))
            && Bounded.All(T, t => termLogTerm.Now(t * L + i) != x || (termLogTerm.Now(x * L + i) == x && termLogCommand.Now(x * L + i) == termLogCommand.Now(t * L + i))))));
        // Log Matching between a server's log and a term's log ...
        spec.Invariant("LogsMatchTermLogs", () => Bounded.All(S, s => Bounded.All(T, t => Bounded.All(L, i =>
            entryTerm.Now(s * L + i) == None || entryTerm.Now(s * L + i) != termLogTerm.Now(t * L + i)
            || Bounded.All(i + 1, j => entryTerm.Now(s * L + j) == termLogTerm.Now(t * L + j) && entryCommand.Now(s * L + j) == termLogCommand.Now(t * L + j))))));
        // ... and between two terms' logs.
        spec.Invariant("TermLogsMatch", () => Bounded.All(T, a => Bounded.All(T, b => a >= b || Bounded.All(L, i =>
            termLogTerm.Now(a * L + i) == None || termLogTerm.Now(a * L + i) != termLogTerm.Now(b * L + i)
            || Bounded.All(i + 1, j => termLogTerm.Now(a * L + j) == termLogTerm.Now(b * L + j) && termLogCommand.Now(a * L + j) == termLogCommand.Now(b * L + j))))));
        // A server acks only an entry of a term's log.
        spec.Invariant("AckedEntriesAreInTermLogs", () => Bounded.All(S, s => Bounded.All(T, t => Bounded.All(L, i => !acked.Now((s * T + t) * L + i) || termLogTerm.Now(t * L + i) != None))));
        // While term t's own entry at i may still be committed, every server that acked it keeps it ...
        spec.Invariant("AckedChoosableEntryKept", () => Bounded.All(T, t => Bounded.All(L, i => termLogTerm.Now(t * L + i) != t || !choosable(t, i)
            || Bounded.All(S, s => !acked.Now((s * T + t) * L + i) || entryTerm.Now(s * L + i) == t))));
        // ... every candidate of a later, not yet started term that got the vote of a server that acked it holds it (the up-to-date check) ...
        spec.Invariant(VotedCandidateHoldsChoosableEntry, () => Bounded.All(T, t1 => Bounded.All(L, i => termLogTerm.Now(t1 * L + i) != t1 || !choosable(t1, i)
            || Bounded.All(S, n => !acked.Now((n * T + t1) * L + i) || Bounded.All(T, t2 => t2 <= t1 || started(t2)
                || Bounded.All(S, c => vote.Now(n * T + t2) != c || current.Now(c) != t2 || entryTerm.Now(c * L + i) == t1))))));
        // ... and every later term's log holds it.
        spec.Invariant("LaterTermLogsHoldChoosableEntries", () => Bounded.All(T, t1 => Bounded.All(L, i => termLogTerm.Now(t1 * L + i) != t1 || !choosable(t1, i)
            || Bounded.All(T, t2 => t2 < t1 || !started(t2) || termLogTerm.Now(t2 * L + i) == t1))));
        // Term t's leader commits its own entry i once a quorum acked it.
        spec.Invariant("ChosenWasAcked", () => Bounded.All(T, t => Bounded.All(L, i => !chosen.Now(t * L + i) || (termLogTerm.Now(t * L + i) == t
            && Bounded.Any(quorumCount, q => Bounded.All(S, m => !quorums.IsMember(q, m) || acked.Now((m * T + t) * L + i)))))));
        // A server's commit index was committed by the leader of a term it reached, and it holds that entry.
        spec.Invariant("CommitIndexWasChosen", () => Bounded.All(S, s => commitIndex.Now(s) == 0 || Bounded.Any(T, t => Bounded.Any(L, i =>
            commitIndex.Now(s) == i + 1 && chosen.Now(t * L + i) && t <= current.Now(s) && entryTerm.Now(s * L + i) == t))));
        return spec.Build();
    }
}
