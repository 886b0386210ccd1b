using Verification.Specs;

namespace Verification.Protocols.ChainReplication;

/// <summary>What chain servers do with updates: the head accepts one, a server takes one from its predecessor, a server fails (fail-stop) and leaves the chain.</summary>
public abstract record ChainEvent;

/// <summary>The head — the first server still in the chain — accepts a client's update and gives it its place in the order.</summary>
public sealed record UpdateAccepted(int Server, int Update) : ChainEvent;

/// <summary>Server <see cref="To"/> processes the next update of its predecessor <see cref="From"/> (the nearest server before it still in the chain).</summary>
public sealed record UpdateForwarded(int From, int To, int Update) : ChainEvent;

/// <summary>A server fails and the master removes it from the chain.</summary>
public sealed record ServerRemoved(int Server) : ChainEvent;

/// <summary>A server applies an update of its history to its copy of the store (a server may apply later than it takes an update).</summary>
public sealed record UpdateApplied(int Server, int Update) : ChainEvent;

/// <summary>A server tells the update's client it is done.</summary>
public sealed record UpdateReplied(int Server, int Update) : ChainEvent;

/// <summary>A server answers a query with its store after <see cref="Seen"/> updates.</summary>
public sealed record QueryAnswered(int Server, int Seen) : ChainEvent;

/// <summary>A client sends an update for the first time.</summary>
public sealed record UpdateRequested(int Client, int Update) : ChainEvent;

/// <summary>A client learns its update is done (the first reply it gets for it).</summary>
public sealed record UpdateAcknowledged(int Client, int Update) : ChainEvent;

/// <summary>
/// Chain replication (van Renesse and Schneider; seed 003) over servers 0..S−1 in chain order and updates 0..U−1:
/// each server's history of processed updates is a sequence, the head orders updates, and every other server
/// processes its predecessor's updates in that order (FIFO down the chain). The Update Propagation Invariant — a
/// server's history is a prefix of every earlier server's — is one line, and inductive on its own.
/// </summary>
public static class ChainReplicationSpec
{
    public const string Name = "ChainReplication";

    /// <summary>The invariant the issue asks to read as one line.</summary>
    public const string UpdatePropagation = "UpdatePropagation";

    /// <summary>The service obligations' names (<see cref="WithClients"/>).</summary>
    public const string EachUpdateAppliedOnce = "EachUpdateAppliedOnce", AppliesItsHistoryInOrder = "AppliesItsHistoryInOrder",
        RepliesFromTheTailsHistory = "RepliesFromTheTailsHistory", QueriesReadTheTail = "QueriesReadTheTail", EveryUpdateAcknowledged = "EveryUpdateAcknowledged";

    /// <param name="skipLiveServers">A planted bug: a server may take updates from any earlier server still in the chain, skipping live ones between.</param>
    public static Spec<ChainEvent> Create(int servers, int updates, bool skipLiveServers = false) => Build(servers, updates, skipLiveServers, withClients: false);

    /// <summary>
    /// The spec an implementation with clients is checked against: the histories of <see cref="Create"/> (the same
    /// guards and invariants) and what the service promises on top — each server applies its history in order, each
    /// update once; only the tail replies, and only for an update in its history; a query reads the tail's whole
    /// history; and (liveness) every update a client sends is acknowledged. The obligations are steps of the
    /// implementation, not consequences of the guards, so this spec is checked online rather than proved alone.
    /// </summary>
    public static Spec<ChainEvent> WithClients(int servers, int updates) => Build(servers, updates, skipLiveServers: false, withClients: true);

    private static Spec<ChainEvent> Build(int servers, int updates, bool skipLiveServers, bool withClients)
    {
        if (servers < 1 || updates < 1) throw new SpecException($"chain replication needs at least one server and one update (got {servers} servers, {updates} updates)");
        var spec = new SpecBuilder<ChainEvent>(skipLiveServers ? Name + "SkippingLiveServers" : withClients ? Name + "Service" : Name);
        var hist = spec.Sequences<int>("hist", servers, bound: updates, s => $"s{s}");
        var removed = spec.Family<bool>("removed", servers, s => $"s{s}");

        spec.Define(hist, (e, s) => e
            .When((UpdateAccepted a) => a.Server == s ? hist.Now(s).Append(a.Update) : hist.Now(s))
            .When((UpdateForwarded f) => f.To == s ? hist.Now(s).Append(f.Update) : hist.Now(s))
            .Else(hist.Now(s)));
        spec.Define(removed, s => false, (e, s) => removed.Now(s) || e.Is((ServerRemoved r) => r.Server == s));

        var inChain = spec.Helper("InChain", (int s) => s >= 0 && s < servers && !Bounded.Any(servers, r => r == s && removed.Now(r)));
        // Every server before s has been removed: s is the head.
        var isHead = spec.Helper("IsHead", (int s) => inChain(s) && Bounded.All(servers, r => r >= s || removed.Now(r)));
        // p is the nearest server before s still in the chain.
        var isPredecessor = spec.Helper("IsPredecessor", (int p, int s) => inChain(p) && p < s && Bounded.All(servers, r => r <= p || r >= s || removed.Now(r)));

        spec.Guard("HeadOrdersNewUpdates", e => e.IfIs((UpdateAccepted a) => isHead(a.Server) && a.Update >= 0 && a.Update < updates
            && !hist.Now(a.Server).Contains(a.Update)));
        spec.Guard("FifoDownTheChain", e => e.IfIs((UpdateForwarded f) => inChain(f.To) && (skipLiveServers ? inChain(f.From) && f.From < f.To : isPredecessor(f.From, f.To))
            && hist.Now(f.To).Length < hist.Now(f.From).Length && f.Update == hist.Now(f.From).At(hist.Now(f.To).Length)));
        spec.Guard("OnlyServersFail", e => e.IfIs((ServerRemoved r) => inChain(r.Server)));

        // Each update is processed at most once per server, and only updates that exist: with these a history never outgrows the U updates.
        spec.Invariant("EachUpdateOnce", () => Bounded.All(servers, s => Bounded.All(updates, u => hist.Now(s).Count(x => x == u) <= 1)));
        spec.Invariant("OnlyRealUpdates", () => Bounded.All(servers, s => hist.Now(s).All(x => x >= 0 && x < updates)));
        spec.Invariant(UpdatePropagation, () => Bounded.All(servers, i => Bounded.All(servers, j => i >= j || removed.Now(i) || removed.Now(j) || hist.Now(j).IsPrefixOf(hist.Now(i)))));
        if (withClients) AddServiceObligations(spec, servers, updates, hist, removed, inChain);
        return spec.Build();
    }

    private static void AddServiceObligations(SpecBuilder<ChainEvent> spec, int servers, int updates, SeqFamily<int> hist, Family<bool> removed, Func<int, bool> inChain)
    {
        var applied = spec.Sequences<int>("applied", servers, bound: updates, s => $"s{s}");
        var requested = spec.Family<bool>("requested", updates, u => $"u{u}");
        var acknowledged = spec.Family<bool>("acknowledged", updates, u => $"u{u}");
        spec.Define(applied, (e, s) => e.When((UpdateApplied a) => a.Server == s ? applied.Now(s).Append(a.Update) : applied.Now(s)).Else(applied.Now(s)));
        spec.Define(requested, u => false, (e, u) => requested.Now(u) || e.Is((UpdateRequested r) => r.Update == u));
        spec.Define(acknowledged, u => false, (e, u) => acknowledged.Now(u) || e.Is((UpdateAcknowledged a) => a.Update == u));

        // Every server after s has been removed: s is the tail.
        var isTail = spec.Helper("IsTail", (int s) => inChain(s) && Bounded.All(servers, r => r <= s || removed.Now(r)));
        spec.StepProperty(EachUpdateAppliedOnce, e => e.IfIs((UpdateApplied a) => !applied.Now(a.Server).Contains(a.Update)));
        spec.StepProperty(AppliesItsHistoryInOrder, e => e.IfIs((UpdateApplied a) => applied.Now(a.Server).Length < hist.Now(a.Server).Length
            && a.Update == hist.Now(a.Server).At(applied.Now(a.Server).Length)));
        spec.StepProperty(RepliesFromTheTailsHistory, e => e.IfIs((UpdateReplied r) => isTail(r.Server) && hist.Now(r.Server).Contains(r.Update)));
        spec.StepProperty(QueriesReadTheTail, e => e.IfIs((QueryAnswered q) => isTail(q.Server) && q.Seen == hist.Now(q.Server).Length));
        spec.Liveness(EveryUpdateAcknowledged, () => Bounded.Any(updates, u => requested.Now(u) && !acknowledged.Now(u)));
    }
}
