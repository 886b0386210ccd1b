using Verification.Specs;

namespace Verification.Protocols.Raft;

/// <summary>Planted Raft bugs, each switched on by configuration.</summary>
[Flags]
public enum RaftBug
{
    None = 0,

    /// <summary>Figure 8 of the Raft paper: a leader commits an entry of an earlier term by counting replicas.</summary>
    CommitsEarlierTermByCounting = 1,

    /// <summary>A vote is granted without the up-to-date-log check.</summary>
    VotesWithoutLogCheck = 2,

    /// <summary>votedFor is not persisted: after a crash a server can vote twice in one term.</summary>
    ForgetsVote = 4,

    /// <summary>A follower overwrites a conflicting entry but keeps the suffix after it.</summary>
    AppendsWithoutTruncating = 8,

    /// <summary>A leader appends a retried request again and servers execute it again.</summary>
    NoDeduplication = 16,

    /// <summary>A leader answers a read from its own state at once, without confirming it is still leader (stale reads).</summary>
    LeaderReadsLocally = 32,
}

/// <summary>
/// Servers 0..S−1 and clients S..S+C−1. The servers replicate a key-value store; client k runs
/// <see cref="OperationsPerClient"/> operations one after another (command k·P + j, sequence j+1), retrying each until
/// answered: see <see cref="Operation"/>.
/// </summary>
/// <param name="NoOpOnElection">A new leader appends a no-op of its term (Raft §8); off reproduces the paper's Figure 8 setting.</param>
public sealed record RaftConfig(int Servers = 3, int Clients = 2, int MaxTerm = 4, int LogCapacity = 4, RaftBug Bugs = RaftBug.None, bool NoOpOnElection = true,
    int OperationsPerClient = 1)
{
    /// <summary>
    /// A follower starts an election after <see cref="ElectionTimeoutTicks"/> plus a random 0 ..
    /// <see cref="ElectionTimeoutSpread"/> − 1 further ticks of its election timer without hearing from a leader.
    /// </summary>
    public int ElectionTimeoutTicks { get; init; } = 3;

    public int ElectionTimeoutSpread { get; init; } = 3;

    /// <summary>
    /// The leader's periodic AppendEntries to every follower, which repair lost messages. Without them a leader
    /// announces a new commit index at once instead (as etcd's raft does), and a lost message stays lost.
    /// </summary>
    public bool Heartbeats { get; init; } = true;

    /// <summary>A client sends its request to every server at first, then retries one server at a time until answered. Off: it sends once, to server client mod Servers, which passes it on to the leader it knows.</summary>
    public bool ClientRetries { get; init; } = true;

    /// <summary>
    /// The configuration checked exhaustively (3 servers, 2 client requests, terms ≤ 2, logs ≤ 3 entries, explored
    /// with at most <see cref="ExhaustiveSearchInFlight"/> messages in flight and no faults). An election timeout of
    /// one tick loses no behaviour: the checker fires timers at every point, so counting ticks only delays an
    /// election it can start anyway. Heartbeats and client retries are off: they repair losses, which this search
    /// has none of, and would keep adding messages forever; their retransmissions (stale AppendEntries, retried
    /// requests) are left to the randomised runs under the full fault model.
    /// <para>
    /// No node symmetry is declared: without retries client k sends its request to server k mod S, which no renaming
    /// of the servers commutes with (the search refuses it: RaftSymmetryTests); with retries a client tries servers
    /// in id order (r, r+1, …), which no renaming of r commutes with either. The servers' own code is symmetric, so
    /// <see cref="ServersSymmetric"/> (retries to every server) declares them: <see cref="ForExhaustiveSearchWithRealBehaviourSymmetric"/>.
    /// </para>
    /// </summary>
    public static RaftConfig ForExhaustiveSearch(RaftBug bug = RaftBug.None) =>
        new(Servers: 3, Clients: 2, MaxTerm: 2, LogCapacity: 3, Bugs: bug) { ElectionTimeoutTicks = 1, ElectionTimeoutSpread = 1, Heartbeats = false, ClientRetries = false };

    /// <summary>
    /// Raft with its real behaviour in a configuration an exhaustive search completes: heartbeats and client retries
    /// on, 3 servers, one client request, one term (a second election needs terms ≤ 2: bench --raft-real).
    /// </summary>
    public static RaftConfig ForExhaustiveSearchWithRealBehaviour() =>
        new(Servers: 3, Clients: 1, MaxTerm: 1, LogCapacity: 2) { ElectionTimeoutTicks = 1, ElectionTimeoutSpread = 1, Heartbeats = true, ClientRetries = true };

    /// <summary>
    /// The servers are declared interchangeable (<see cref="RaftNode.ServerSymmetry"/>), so an exhaustive search counts
    /// states up to renaming them. Sound only when clients treat servers alike, so it needs <see cref="ClientRetries"/>
    /// (without them client k sends to server k mod S), and then a retry goes to every server, as the first send does,
    /// instead of to one server at a time in id order (which no renaming commutes with). The servers' own code is
    /// symmetric: no id tie-break, and election timeouts are a controlled choice, not derived from the id.
    /// </summary>
    public bool ServersSymmetric { get; init; }

    /// <summary>The real-behaviour configuration with the servers interchangeable (retries then go to every server).</summary>
    public static RaftConfig ForExhaustiveSearchWithRealBehaviourSymmetric() => ForExhaustiveSearchWithRealBehaviour() with { ServersSymmetric = true };

    /// <summary>The network bound the real-behaviour configuration is searched within.</summary>
    public const int ExhaustiveSearchWithRealBehaviourInFlight = 3;

    /// <summary>
    /// The network bound the symmetric real-behaviour configuration is searched within: one more than the asymmetric
    /// one's, since a retry to every server puts three messages in flight at once (with ≤ 3 nearly every retry is cut).
    /// </summary>
    public const int ExhaustiveSearchSymmetricInFlight = 4;

    /// <summary>The network bound the exhaustive configuration is searched within (messages in flight).</summary>
    public const int ExhaustiveSearchInFlight = 4;

    /// <summary>Throws, naming the setting, when this configuration cannot run.</summary>
    public void Validate()
    {
        if (Servers < 1 || Servers > 30) throw new SpecException($"{SystemName}: Raft needs 1 to 30 servers (got {Servers})");
        if (Clients < 0 || OperationsPerClient < 0) throw new SpecException($"{SystemName}: clients and operations per client cannot be negative");
        if (MaxTerm < 1 || LogCapacity < 1) throw new SpecException($"{SystemName}: the term and log bounds must be at least 1");
        if (ElectionTimeoutTicks < 1 || ElectionTimeoutSpread < 1)
            throw new SpecException($"{SystemName}: an election timeout needs at least one tick and a spread of at least one (got {ElectionTimeoutTicks} and {ElectionTimeoutSpread})");
        if (ServersSymmetric && !ClientRetries)
            throw new SpecException($"{SystemName}: ServersSymmetric needs ClientRetries: without retries client k sends only to server k mod {Servers}, so the servers are not interchangeable");
        if (ServersSymmetric && (RefinesReplicatedLog || ClientsLinearizable))
            throw new SpecException($"{SystemName}: ServersSymmetric is declared for the Raft spec alone, not with {(RefinesReplicatedLog ? "the refinement of the replicated log" : "the clients' linearizability check")}");
    }

    public int Commands => Clients * OperationsPerClient;

    /// <summary>
    /// The configuration a planted bug is checked in (tests, CLI and benchmarks alike): five servers for the truncation
    /// bug, whose conflicting suffix must be missing from a majority; Figure 8 without the new leader's no-op, as in
    /// the paper (with one, the old entry commits legitimately); for the stale read, two operations per client (a
    /// write, then a read that can miss it) and room in the log for them, with the clients' history checked for
    /// linearizability (the stale read breaks no Raft property).
    /// </summary>
    public static RaftConfig ForPlantedBug(RaftBug bug) =>
        new(Bugs: bug, MaxTerm: 5, LogCapacity: bug == RaftBug.LeaderReadsLocally ? 8 : 5, Servers: bug == RaftBug.AppendsWithoutTruncating ? 5 : 3,
            NoOpOnElection: bug != RaftBug.CommitsEarlierTermByCounting, OperationsPerClient: bug == RaftBug.LeaderReadsLocally ? 2 : 1)
        { ClientsLinearizable = bug == RaftBug.LeaderReadsLocally };

    /// <summary>The store operation of a command (see <see cref="StoreWorkload"/>).</summary>
    public (string Operation, string Key, string Value, string Expected) Operation(int command) => StoreWorkload.Operation(command, OperationsPerClient);

    public int Nodes => Servers + Clients;
    public int Majority => Servers / 2 + 1;

    /// <summary>The system's name: every setting, so a saved schedule names the exact configuration it replays on.</summary>
    public string SystemName => $"Raft[bugs={Bugs};servers={Servers};clients={Clients};terms={MaxTerm};log={LogCapacity};noop={NoOpOnElection};ops={OperationsPerClient}"
        + $";timeout={ElectionTimeoutTicks};spread={ElectionTimeoutSpread};heartbeats={Heartbeats};retries={ClientRetries}{(ClientsLinearizable ? ";linearizable" : "")}{(RefinesReplicatedLog ? ";refines-log" : "")}{(ServersSymmetric ? ";servers-symmetric" : "")}]";

    /// <summary>The key-value store's clients' call/return history is checked for linearizability at the end of every run.</summary>
    public bool ClientsLinearizable { get; init; }

    /// <summary>
    /// Checked against "Raft refines ReplicatedLog" (<see cref="RaftRefinement"/>) instead of the Raft spec alone, with
    /// the servers' logs, commit and applied indices mapped to the replicated log's state after every step.
    /// </summary>
    public bool RefinesReplicatedLog { get; init; }
}
