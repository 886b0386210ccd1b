using Verification.Specs;
using Verification.Runtime;

namespace Verification.Protocols.MultiPaxos;

/// <summary>Planted bugs of Multi-Paxos, each switched on by configuration.</summary>
[Flags]
public enum MultiPaxosBug
{
    None = 0,

    /// <summary>A new leader ignores the entries its promises report and fills slots from 0 with its own requests.</summary>
    NewLeaderIgnoresAcceptedEntries = 1,

    /// <summary>A replica executes a command again when the log holds it twice (a retried request is applied twice).</summary>
    ReplicaExecutesDuplicates = 2,

    /// <summary>Replicas do not answer catch-up requests: one that missed a commit stays behind for good.</summary>
    IgnoresCatchUp = 4,

    /// <summary>
    /// A replica runs a command committed past a gap at once, before the lower slots are committed, yet reports every
    /// Applied event in slot order: every property of the events holds, and only the refinement mapping (the state
    /// machine's executed commands against the spec's) sees that the replica does not refine the replicated log.
    /// </summary>
    ReplicaAppliesAhead = 8,
}

/// <summary>
/// Nodes 0..R−1 are replicas (acceptor, learner and would-be leader each), R..R+C−1 clients; client k submits command k
/// and retries until a replica replies. Ballots are round·R + replica. The log has <see cref="Slots"/> slots.
/// </summary>
/// <param name="StableLeader">Only replica 0 ever runs for leader, once: a stable distinguished proposer (for liveness without faults).</param>
/// <param name="OperationsPerClient">Store operations each client runs in turn (<see cref="StoreWorkload"/>); command k·P + j is client k's j-th.</param>
public sealed record MultiPaxosConfig(int Replicas = 3, int Clients = 2, int Slots = 4, int MaxRounds = 3, bool StableLeader = false, MultiPaxosBug Bugs = MultiPaxosBug.None,
    int OperationsPerClient = 1)
{
    public int Commands => Clients * OperationsPerClient;

    /// <summary>Throws, naming the setting, when this configuration cannot run (replica and command sets are 32-bit masks; catch-up asks a peer).</summary>
    public void Validate()
    {
        if (Replicas < 2 || Replicas > 32) throw new SpecException($"{SystemName}: Multi-Paxos here needs 2 to 32 replicas (got {Replicas})");
        if (Clients < 0 || OperationsPerClient < 0) throw new SpecException($"{SystemName}: clients and operations per client cannot be negative");
        if (Commands > 32) throw new SpecException($"{SystemName}: at most 32 commands (clients × operations per client; got {Commands})");
        if (Slots < 1 || MaxRounds < 1) throw new SpecException($"{SystemName}: the slot and round bounds must be at least 1");
    }

    public NodeId ClientOf(int command) => new(Replicas + command / OperationsPerClient);

    public int Nodes => Replicas + Clients;
    public int Majority => Replicas / 2 + 1;

    /// <summary>The system's name: every setting, so a saved schedule names the exact configuration it replays on.</summary>
    public string SystemName => $"MultiPaxos[bugs={Bugs};replicas={Replicas};clients={Clients};slots={Slots};rounds={MaxRounds};stable={StableLeader};ops={OperationsPerClient}{(ClientsLinearizable ? ";linearizable" : "")}]";

    /// <summary>The key-value store's clients' call/return history is checked for linearizability at the end of every run.</summary>
    public bool ClientsLinearizable { get; init; }
}
