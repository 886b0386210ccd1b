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

    /// <param name="skipLiveServers">A planted bug: a server may take updates from any earlier server still in the chain, skipping live ones between.</param>
    public static Spec<ChainEvent> Create(int servers, int updates, bool skipLiveServers = false)
    {
        if (servers < 1 || updates < 1) throw new SpecException($"chain replication needs at least one server and one update (got {servers} servers, {updates} updates)");
        var spec = new SpecBuilder<ChainEvent>(skipLiveServers ? Name + "SkippingLiveServers" : Name);
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
        return spec.Build();
    }
}
