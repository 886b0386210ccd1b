namespace Verification.Specs.Replication;

/// <summary>What a replicated log reports: clients submit commands, the protocol commits one command per slot, replicas apply them.</summary>
public abstract record LogEvent;

/// <summary>A client submits command <see cref="Command"/> (commands are unique ids 0..C−1).</summary>
/// <param name="Client">The client that submits it.</param>
/// <param name="Command">The command, 0..C−1.</param>
public sealed record Submitted(int Client, int Command) : LogEvent;

/// <summary>Node <see cref="Node"/> knows that slot <see cref="Slot"/> holds <see cref="Command"/> for good.</summary>
/// <param name="Node">The node that learns the commit.</param>
/// <param name="Slot">The slot, 0..S−1.</param>
/// <param name="Command">The command, 0..C−1, or <see cref="ReplicatedLogSpec.NoOp"/>.</param>
public sealed record Committed(int Node, int Slot, int Command) : LogEvent;

/// <summary>A client calls an operation of the replicated store (for the linearizability check of the clients' history).</summary>
/// <param name="Client">The client that calls.</param>
/// <param name="Command">The command that carries the call.</param>
/// <param name="Operation">"get", "put", "append" or "cas".</param>
/// <param name="Key">The key operated on.</param>
/// <param name="Value">The value a put, append or cas writes.</param>
/// <param name="Expected">The value a cas expects to find.</param>
public sealed record StoreCalled(int Client, int Command, string Operation, string Key, string Value, string Expected) : LogEvent;

/// <summary>The client's operation returns <see cref="Output"/>.</summary>
/// <param name="Client">The client the reply reaches.</param>
/// <param name="Command">The command the reply answers.</param>
/// <param name="Output">What the operation returned (a get's value, a cas's "ok" or "fail").</param>
public sealed record StoreReturned(int Client, int Command, string Output) : LogEvent;

/// <summary>
/// Replica <see cref="Replica"/> applies slot <see cref="Slot"/>: it executes <see cref="Command"/> on its state
/// machine, or (<see cref="Executed"/> false) skips it because it executed that command already — a log may hold a
/// retried command twice, so duplicates are removed where commands take effect.
/// </summary>
/// <param name="Replica">The replica, 0..R−1.</param>
/// <param name="Slot">The slot applied: the next one in its log.</param>
/// <param name="Command">The command committed in that slot.</param>
/// <param name="Executed">Whether the replica executed it, rather than skipping a duplicate.</param>
public sealed record Applied(int Replica, int Slot, int Command, bool Executed) : LogEvent;

/// <summary>
/// A replicated log (state machine replication after Schneider), over slots 0..S−1, commands 0..C−1 (plus
/// <see cref="NoOp"/>, which a new leader may commit to fill a gap) and replicas 0..R−1:
/// each slot commits at most one command (SlotAgreement); only submitted commands are committed (Validity); every
/// replica applies exactly the committed commands, in slot order (AppliedInOrder — Schneider's Order), executing each
/// command once (ExecutedOnce: a retried request is not executed twice) and skipping only what it already executed
/// (SkipsOnlyDuplicates). Liveness: every submitted command is eventually committed and its client answered, and every
/// replica eventually applies the committed prefix (Schneider's Agreement: every non-faulty replica receives every request).
/// Multi-Paxos and Raft both refine it.
/// </summary>
public static class ReplicatedLogSpec
{
    /// <summary>The spec's name, as the CLI takes it and reports show it.</summary>
    public const string Name = "ReplicatedLog";

    /// <summary>The value of committedCommand for a slot nothing is committed in yet, and of committedSlot for a command not committed yet.</summary>
    public const int None = -1;

    /// <summary>The command a new leader commits in a slot nobody proposed anything for.</summary>
    public const int NoOp = -2;

    /// <summary>Builds the spec for the given bounds; events outside them break the guard EventWithinBounds.</summary>
    /// <param name="slots">S, the log's length: slots 0..S−1.</param>
    /// <param name="commands">C, the number of distinct commands 0..C−1 clients may submit.</param>
    /// <param name="replicas">R, the replicas 0..R−1 that apply the log.</param>
    public static Spec<LogEvent> Create(int slots, int commands, int replicas)
    {
        var spec = new SpecBuilder<LogEvent>(Name);
        var committed = spec.Family<int>("committedCommand", slots, s => $"slot{s}");
        var slotOf = spec.Family<int>("committedSlot", commands, c => $"cmd{c}");
        var submitted = spec.Family<bool>("submitted", commands, c => $"cmd{c}");
        var returned = spec.Family<bool>("returned", commands, c => $"cmd{c}");
        var appliedUpTo = spec.Family<int>("appliedCount", replicas, r => $"r{r}");
        // executed[r·C + c]: whether replica r has executed command c.
        var executed = spec.Family<bool>("executed", replicas * commands, i => $"r{i / commands},cmd{i % commands}");

        spec.Define(committed, s => None, (e, s) => e.When((Committed c) => c.Slot == s ? c.Command : committed.Now(s)).Else(committed.Now(s)));
        // The first slot a command is committed in (a retried command may be committed again later).
        spec.Define(slotOf, c => None, (e, c) => e.When((Committed k) => k.Command == c && slotOf.Now(c) == None ? k.Slot : slotOf.Now(c)).Else(slotOf.Now(c)));
        spec.Define(submitted, c => false, (e, c) => submitted.Now(c) || e.Is((Submitted s) => s.Command == c));
        spec.Define(returned, c => false, (e, c) => returned.Now(c) || e.Is((StoreReturned r) => r.Command == c));
        spec.Define(executed, i => false, (e, i) => executed.Now(i)
            || e.Is((Applied a) => a.Executed && a.Replica * commands + a.Command == i && a.Command >= 0));
        spec.Define(appliedUpTo, r => 0, (e, r) => e.Is((Applied a) => a.Replica == r) ? appliedUpTo.Now(r) + 1 : appliedUpTo.Now(r));

        spec.Guard("EventWithinBounds", e => e
            .When((Submitted s) => s.Command >= 0 && s.Command < commands)
            .When((Committed c) => c.Slot >= 0 && c.Slot < slots && c.Command >= NoOp && c.Command < commands && c.Command != None)
            .When((Applied a) => a.Replica >= 0 && a.Replica < replicas && a.Slot >= 0 && a.Slot < slots)
            .Else(true));
        spec.StepProperty("SlotAgreement", e => e.IfIs((Committed c) => committed.Now(c.Slot) == None || committed.Now(c.Slot) == c.Command));
        spec.StepProperty("Validity", e => e.IfIs((Committed k) => k.Command == NoOp
            || Bounded.Any(commands, c => c == k.Command && submitted.Now(c))));
        spec.StepProperty("AppliedInOrder", e => e.IfIs((Applied a) =>
            a.Slot == appliedUpTo.Now(a.Replica) && committed.Now(a.Slot) == a.Command));
        spec.StepProperty("ExecutedOnce", e => e.IfIs((Applied a) => !a.Executed || a.Command == NoOp
            || Bounded.All(commands, c => c != a.Command || !executed.Now(a.Replica * commands + c))));
        spec.StepProperty("SkipsOnlyDuplicates", e => e.IfIs((Applied a) => a.Executed || a.Command == NoOp
            || Bounded.Any(commands, c => c == a.Command && executed.Now(a.Replica * commands + c))));
        spec.Liveness("EverySubmittedCommandCommitted", () => Bounded.Any(commands, c => submitted.Now(c) && slotOf.Now(c) == None));
        spec.Liveness("EveryRequestCompletes", () => Bounded.Any(commands, c => submitted.Now(c) && !returned.Now(c)));
        // Schneider's Agreement as liveness: every replica applies the whole committed prefix of the log.
        spec.Liveness("EveryReplicaAppliesTheCommittedPrefix", () => Bounded.Any(replicas, r =>
            appliedUpTo.Now(r) < Bounded.Count(slots, s => Bounded.All(s + 1, t => committed.Now(t) != None))));
        return spec.Build();
    }
}
