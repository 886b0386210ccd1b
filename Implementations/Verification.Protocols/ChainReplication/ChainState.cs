using Verification.Checkers.Systematic;
using Verification.Runtime;
using Verification.Specs;

namespace Verification.Protocols.ChainReplication;

/// <summary>The planted bugs, one per configuration.</summary>
public enum ChainBug
{
    /// <summary>The correct protocol.</summary>
    None,

    /// <summary>When a middle server fails, its predecessor does not resend its Sent list to its new successor: what the failed server had not forwarded is lost.</summary>
    NoResendAfterMiddleFailure,

    /// <summary>The head replies to the client as soon as it accepts an update, before the tail has it.</summary>
    HeadReplies,

    /// <summary>A server applies an update its predecessor resends (one it already has) to its store again.</summary>
    ResentUpdateAppliedTwice,

    /// <summary>The tail answers a query from its store without first applying the updates it has taken but not yet applied.</summary>
    TailAnswersBeforeApplying,
}

/// <summary>
/// A chain of <see cref="Servers"/> servers (n0 the head … n(S−1) the tail), the master n(S), and clients after it,
/// each sending <see cref="UpdatesPerClient"/> updates one after the other and then one query.
/// </summary>
public sealed record ChainConfig(int Servers = 3, int Clients = 2, int UpdatesPerClient = 1, ChainBug Bug = ChainBug.None)
{
    /// <summary>The updates 0..U−1; update u is client u / UpdatesPerClient's.</summary>
    public int Updates => Clients * UpdatesPerClient;

    /// <summary>The master's node number.</summary>
    public int Master => Servers;

    /// <summary>The nodes: servers, the master, clients.</summary>
    public int Nodes => Servers + 1 + Clients;

    /// <summary>Whether <paramref name="node"/> is a client.</summary>
    public bool IsClient(int node) => node > Master && node < Nodes;

    /// <summary>The node of the client that sends update <paramref name="update"/>.</summary>
    public NodeId ClientOf(int update) => new(Master + 1 + update / UpdatesPerClient);

    /// <summary>The fault model the protocol is built for: one server may halt, the master is told by a perfect failure detector, links are FIFO (and may duplicate one message), master and clients are reliable.</summary>
    public FaultModel Faults => new()
    {
        Network = NetworkOrder.Fifo,
        MaxDuplicates = 1,
        Roles = [NodeRole.MayCrash("servers", Enumerable.Range(0, Servers).ToArray(), maxCrashes: 1, CrashKind.Stop)],
        Detector = FailureDetector.Perfect with { Subscribers = [Master] },
    };

    /// <summary>Rejects a configuration the nodes cannot run, naming the setting.</summary>
    public void Validate()
    {
        if (Servers < 2 || Servers > 16) throw new SpecException($"ChainReplication: 2 to 16 servers (got {Servers})");
        if (Clients < 1 || UpdatesPerClient < 1) throw new SpecException($"ChainReplication: at least one client and one update per client (got {Clients} clients, {UpdatesPerClient} updates each)");
        if (Updates > 16) throw new SpecException($"ChainReplication: at most 16 updates in all (got {Clients} × {UpdatesPerClient})");
    }
}

/// <summary>A chain replication node's state.</summary>
public abstract record ChainNodeState;

/// <summary>
/// A server: who it takes updates from and forwards them to (−1: none — it is the head, or the tail), its history
/// (updates in the head's order, each at its position), its store (the updates applied, in order), its Sent list
/// (what it forwarded that the tail has not yet acknowledged, resent when its successor changes), and how much of its
/// history the tail has acknowledged. A server applies only acknowledged updates — the tail's whole history —
/// so a failed head's store never holds an update that was lost with it, and every store is a prefix of one order.
/// </summary>
public sealed record ServerState(int Predecessor, int Successor, ValueArray<int> History, ValueArray<int> Store, ValueArray<Forward> Sent, int Acknowledged, bool ApplyArmed) : ChainNodeState
{
    /// <summary>How much of the history may be applied: what the tail has acknowledged (the tail: all of it).</summary>
    public int Stable => Successor == -1 ? History.Length : Acknowledged;

    /// <summary>What a fail-stop server leaves in stable storage (what the refinement mapping reads of a failed server).</summary>
    public ServerLog Log => new(History, Store);
}

/// <summary>A server's stable storage: its history and its store.</summary>
public sealed record ServerLog(ValueArray<int> History, ValueArray<int> Store);

/// <summary>The master: the chain's live servers in order, and the failed ones it is removing (the first being fenced off).</summary>
public sealed record MasterState(ValueArray<int> Chain, ValueArray<int> Removing) : ChainNodeState;

/// <summary>A client: which of its updates it is on (= UpdatesPerClient: its query; above: done), and where to send.</summary>
public sealed record ClientState(int Next, int Head, int Tail) : ChainNodeState;

/// <summary>A server's deferred apply, and a client's retry.</summary>
public enum ChainTimer { Apply, Retry }
