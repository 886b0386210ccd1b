using Verification.Specs;

namespace Verification.Protocols.Raft;

/// <summary>What Raft servers report: leadership, log writes and truncations, commits and applies, client submissions.</summary>
public abstract record RaftEvent;

public sealed record BecameLeader(int Server, int Term) : RaftEvent;

public sealed record SteppedDown(int Server, int Term) : RaftEvent;

/// <summary>
/// A server crashes and loses its volatile state (so it leads no more). A permanent crash (crash-stop) makes it
/// faulty: Schneider's Agreement no longer waits for it.
/// </summary>
public sealed record ServerCrashed(int Server, bool Permanently) : RaftEvent;

/// <summary>A client crash-stops: its outstanding request is owed no answer.</summary>
public sealed record ClientStopped(int Client) : RaftEvent;

/// <summary>Server writes the entry (term, command) at 1-based <see cref="Index"/> of its log.</summary>
public sealed record EntryStored(int Server, int Index, int Term, int Command) : RaftEvent;

/// <summary>Server deletes its log entries from 1-based <see cref="FromIndex"/> on (a conflicting suffix).</summary>
public sealed record LogTruncated(int Server, int FromIndex) : RaftEvent;

/// <summary>Server's commit index passes <see cref="Index"/>, which holds (term, command) in its log, while the server is in term <see cref="InTerm"/>.</summary>
public sealed record EntryCommitted(int Server, int Index, int Term, int Command, int InTerm) : RaftEvent;

/// <summary>Server applies the entry at <see cref="Index"/>: executes it, or skips a duplicate of a command it executed.</summary>
public sealed record EntryApplied(int Server, int Index, int Command, bool Executed) : RaftEvent;

public sealed record CommandSubmitted(int Client, int Command) : RaftEvent;

/// <summary>A client calls an operation of the replicated store (for the linearizability check of the clients' history).</summary>
public sealed record ClientCalled(int Client, int Command, string Operation, string Key, string Value, string Expected) : RaftEvent;

/// <summary>The client's operation returns <see cref="Output"/>.</summary>
public sealed record ClientReturned(int Client, int Command, string Output) : RaftEvent;

/// <summary>
/// The five safety properties of the Raft paper (Figure 3) as state equations over servers 0..S−1, log indices
/// 1..L, terms 0..T−1 and commands 0..C−1, plus state machine replication after Schneider (in-order, once-only
/// execution of committed entries) and liveness (a leader is eventually elected, every submitted command is
/// eventually committed and its client answered, and every non-faulty server applies the committed prefix).
/// </summary>
public static class RaftSpec
{
    public const string Name = "Raft";
    public const int None = -1;

    /// <summary>The command of the entry a new leader appends to commit its term's first entry (Raft §8).</summary>
    public const int NoOp = -2;

    public static Spec<RaftEvent> Create(int servers, int logLength, int terms, int commands)
    {
        var spec = new SpecBuilder<RaftEvent>(Name);
        var L = logLength;
        var leaderOfTerm = spec.Family<int>("leaderOfTerm", terms, t => $"t{t}");
        var leading = spec.Family<int>("leadingTerm", servers, s => $"s{s}");
        // entryTerm[s·L + i], entryCommand[s·L + i]: server s's entry at index i+1, or None.
        var entryTerm = spec.Family<int>("entryTerm", servers * L, k => $"s{k / L},i{k % L + 1}");
        var entryCommand = spec.Family<int>("entryCommand", servers * L, k => $"s{k / L},i{k % L + 1}");
        var committedTerm = spec.Family<int>("committedTerm", L, i => $"i{i + 1}");
        var committedCommand = spec.Family<int>("committedCommand", L, i => $"i{i + 1}");
        // The earliest term in which index i was known committed (Leader Completeness speaks of higher terms).
        var committedInTerm = spec.Family<int>("committedInTerm", L, i => $"i{i + 1}");
        var appliedCount = spec.Family<int>("appliedCount", servers, s => $"s{s}");
        var executed = spec.Family<bool>("executed", servers * commands, k => $"s{k / commands},cmd{k % commands}");
        var submitted = spec.Family<bool>("submitted", commands, c => $"cmd{c}");
        var returned = spec.Family<bool>("returned", commands, c => $"cmd{c}");
        var caller = spec.Family<int>("caller", commands, c => $"cmd{c}");
        var abandoned = spec.Family<bool>("abandoned", commands, c => $"cmd{c}");
        var stopped = spec.Family<bool>("stopped", servers, s => $"s{s}");

        spec.Define(leaderOfTerm, t => None, (e, t) => e
            .When((BecameLeader l) => l.Term == t && leaderOfTerm.Now(t) == None ? l.Server : leaderOfTerm.Now(t))
            .Else(leaderOfTerm.Now(t)));
        spec.Define(leading, s => None, (e, s) => e
            .When((BecameLeader l) => l.Server == s ? l.Term : leading.Now(s))
            .When((SteppedDown d) => d.Server == s ? None : leading.Now(s))
            .When((ServerCrashed c) => c.Server == s ? None : leading.Now(s))
            .Else(leading.Now(s)));
        // entryTerm and entryCommand hold every server's log: slot k is server k / L, index k % L + 1.
        spec.Define(entryTerm, k => None, (e, k) => e
            .When((EntryStored stored) => stored.Server * L + stored.Index - 1 == k ? stored.Term : entryTerm.Now(k))
            .When((LogTruncated cut) => cut.Server == k / L && k % L + 1 >= cut.FromIndex ? None : entryTerm.Now(k))
            .Else(entryTerm.Now(k)));
        spec.Define(entryCommand, k => None, (e, k) => e
            .When((EntryStored stored) => stored.Server * L + stored.Index - 1 == k ? stored.Command : entryCommand.Now(k))
            .When((LogTruncated cut) => cut.Server == k / L && k % L + 1 >= cut.FromIndex ? None : entryCommand.Now(k))
            .Else(entryCommand.Now(k)));
        spec.Define(committedTerm, i => None, (e, i) => e
            .When((EntryCommitted c) => c.Index == i + 1 && committedTerm.Now(i) == None ? c.Term : committedTerm.Now(i))
            .Else(committedTerm.Now(i)));
        spec.Define(committedCommand, i => None, (e, i) => e
            .When((EntryCommitted c) => c.Index == i + 1 && committedCommand.Now(i) == None ? c.Command : committedCommand.Now(i))
            .Else(committedCommand.Now(i)));
        spec.Define(committedInTerm, i => None, (e, i) => e
            .When((EntryCommitted c) => c.Index == i + 1 && (committedInTerm.Now(i) == None || c.InTerm < committedInTerm.Now(i)) ? c.InTerm : committedInTerm.Now(i))
            .Else(committedInTerm.Now(i)));
        spec.Define(appliedCount, s => 0, (e, s) => e.Is((EntryApplied a) => a.Server == s) ? appliedCount.Now(s) + 1 : appliedCount.Now(s));
        spec.Define(executed, k => false, (e, k) => executed.Now(k)
            || e.Is((EntryApplied a) => a.Executed && a.Command >= 0 && a.Server * commands + a.Command == k));
        spec.Define(submitted, c => false, (e, c) => submitted.Now(c) || e.Is((CommandSubmitted s) => s.Command == c));
        spec.Define(returned, c => false, (e, c) => returned.Now(c) || e.Is((ClientReturned r) => r.Command == c));
        spec.Define(caller, c => None, (e, c) => e.When((ClientCalled call) => call.Command == c ? call.Client : caller.Now(c)).Else(caller.Now(c)));
        spec.Define(abandoned, c => false, (e, c) => abandoned.Now(c) || e.Is((ClientStopped stop) => stop.Client == caller.Now(c)));
        spec.Define(stopped, s => false, (e, s) => stopped.Now(s) || e.Is((ServerCrashed crash) => crash.Permanently && crash.Server == s));

        spec.Guard("EventWithinBounds", e => e
            .When((BecameLeader l) => l.Server >= 0 && l.Server < servers && l.Term >= 0 && l.Term < terms)
            .When((SteppedDown d) => d.Server >= 0 && d.Server < servers)
            .When((ServerCrashed c) => c.Server >= 0 && c.Server < servers)
            .When((EntryStored stored) => stored.Server >= 0 && stored.Server < servers && stored.Index >= 1 && stored.Index <= L
                && stored.Command >= NoOp && stored.Command != None && stored.Command < commands)
            .When((LogTruncated cut) => cut.Server >= 0 && cut.Server < servers)
            .When((EntryCommitted c) => c.Server >= 0 && c.Server < servers && c.Index >= 1 && c.Index <= L && c.Term >= 0 && c.Term < terms
                && c.Command >= NoOp && c.Command != None && c.Command < commands)
            .When((EntryApplied a) => a.Server >= 0 && a.Server < servers && a.Index >= 1 && a.Index <= L
                && a.Command >= NoOp && a.Command != None && a.Command < commands)
            .When((CommandSubmitted s) => s.Command >= 0 && s.Command < commands)
            .Else(true));

        // Election Safety: at most one leader per term.
        spec.StepProperty("ElectionSafety", e => e.IfIs((BecameLeader l) => leaderOfTerm.Now(l.Term) == None || leaderOfTerm.Now(l.Term) == l.Server));
        // Leader Append-Only: a leader never overwrites or deletes entries in its log.
        spec.StepProperty("LeaderAppendOnly", e =>
            e.IfIs((EntryStored stored) => leading.Now(stored.Server) == None || entryTerm.Now(stored.Server * L + stored.Index - 1) == None)
            && e.IfIs((LogTruncated cut) => leading.Now(cut.Server) == None));
        // Log Matching: two logs with an entry of the same index and term are identical up to it.
        spec.Invariant("LogMatching", () => Bounded.All(servers, a => Bounded.All(servers, b => a >= b || Bounded.All(L, i =>
            entryTerm.Now(a * L + i) == None || entryTerm.Now(a * L + i) != entryTerm.Now(b * L + i)
            || Bounded.All(i + 1, j => entryTerm.Now(a * L + j) == entryTerm.Now(b * L + j) && entryCommand.Now(a * L + j) == entryCommand.Now(b * L + j))))));
        // Leader Completeness: a leader's log holds every entry committed in a lower term.
        spec.StepProperty("LeaderCompleteness", e => e.IfIs((BecameLeader l) => Bounded.All(L, i => committedTerm.Now(i) == None || committedInTerm.Now(i) >= l.Term
            || (entryTerm.Now(l.Server * L + i) == committedTerm.Now(i) && entryCommand.Now(l.Server * L + i) == committedCommand.Now(i)))));
        // State Machine Safety: an index, once committed, commits nothing else; servers apply only what is committed there.
        spec.StepProperty("StateMachineSafety", e =>
            e.IfIs((EntryCommitted c) => committedTerm.Now(c.Index - 1) == None
                || (committedTerm.Now(c.Index - 1) == c.Term && committedCommand.Now(c.Index - 1) == c.Command))
            && e.IfIs((EntryApplied a) => committedCommand.Now(a.Index - 1) == a.Command));
        // The records of a commit are made together: an index has a committed term exactly when it has a committed command.
        spec.Invariant("CommitRecordsAgree", () => Bounded.All(L, i => (committedTerm.Now(i) == None) == (committedCommand.Now(i) == None)));
        // Validity: only a command some client submitted (or a new leader's no-op) is ever committed.
        spec.StepProperty("Validity", e => e.IfIs((EntryCommitted c) => c.Command == NoOp || Bounded.Any(commands, k => k == c.Command && submitted.Now(k))));
        // With AppliedInOrder this is Schneider's Order: every server applies the committed commands in log order.
        spec.StepProperty("AppliedInOrder", e => e.IfIs((EntryApplied a) => a.Index == appliedCount.Now(a.Server) + 1));
        spec.StepProperty("NoOpNotExecuted", e => e.IfIs((EntryApplied a) => a.Command != NoOp || !a.Executed));
        spec.StepProperty("ExecutedOnce", e => e.IfIs((EntryApplied a) => !a.Executed
            || Bounded.All(commands, c => c != a.Command || !executed.Now(a.Server * commands + c))));
        spec.StepProperty("SkipsOnlyDuplicates", e => e.IfIs((EntryApplied a) => a.Executed || a.Command == NoOp
            || Bounded.Any(commands, c => c == a.Command && executed.Now(a.Server * commands + c))));
        spec.Liveness("SomeLeader", () => Bounded.All(servers, s => leading.Now(s) == None));
        spec.Liveness("EverySubmittedCommandCommitted", () => Bounded.Any(commands, c => submitted.Now(c)
            && Bounded.All(L, i => committedCommand.Now(i) != c)));
        spec.Liveness("EveryRequestCompletes", () => Bounded.Any(commands, c => submitted.Now(c) && !returned.Now(c) && !abandoned.Now(c)));
        // Schneider's Agreement as liveness: every non-faulty server applies the whole committed prefix of the log.
        spec.Liveness("EveryServerAppliesTheCommittedPrefix", () => Bounded.Any(servers, s => !stopped.Now(s)
            && appliedCount.Now(s) < Bounded.Count(L, i => Bounded.All(i + 1, j => committedCommand.Now(j) != None))));
        return spec.Build();
    }
}
