using Verification.Specs.Consensus;

namespace Verification.Protocols.Paxos;

/// <summary>Planted bugs, each switched on by configuration (they can be combined).</summary>
[Flags]
public enum PaxosBug
{
    None = 0,

    /// <summary>An acceptor does not persist its promise: after an amnesia crash it can promise a lower ballot.</summary>
    AcceptorForgetsPromise = 1,

    /// <summary>The 1b reply omits the acceptor's previously accepted value.</summary>
    PromiseOmitsAcceptedValue = 2,

    /// <summary>A proposer proposes its own value although a 1b reported an accepted one.</summary>
    ProposerIgnoresReportedValue = 4,

    /// <summary>Quorums of ⌊N/2⌋ acceptors: two quorums need not intersect.</summary>
    MinorityQuorum = 8,

    /// <summary>An acceptor accepts a 2a for a ballot lower than it promised.</summary>
    AcceptsLowerBallot = 16,
}

/// <summary>Nodes 0..P−1 are proposers (and learners), P..P+A−1 acceptors. Proposer i proposes value i; ballots are round·P + i.</summary>
/// <param name="MaxRounds">Ballots each proposer may start; <see cref="Unbounded"/> for searches that compare states up to a ballot shift.</param>
/// <param name="Learners">How many of the proposers also learn (receive 2b votes); fewer learners, fewer messages to explore.</param>
/// <param name="DistinguishedProposer">Only proposer 0 starts a ballot, once (Paxos Made Simple's remedy for duelling proposers; no retry, so for runs without faults).</param>
/// <param name="Preemption">
/// An acceptor that ignores a 1a or 2a because it promised a higher ballot tells the proposer (Paxos Made Simple's
/// optimisation), and the proposer at once starts a ballot above it; with this, proposers need no retry timer.
/// </param>
/// <param name="RetryOnTimer">A proposer's timer stays armed, so it may start a higher ballot at any time (needed under message loss).</param>
public sealed record PaxosConfig(int Proposers = 2, int Acceptors = 3, int MaxRounds = 2, PaxosBug Bugs = PaxosBug.None, int? Learners = null,
    bool DistinguishedProposer = false, bool Preemption = false, bool RetryOnTimer = true)
{
    /// <summary>Paxos Made Simple's duelling proposers: two proposers, unbounded ballots, preemption by rejection, no faults needed.</summary>
    public static PaxosConfig Duelling(int acceptors) => new(Proposers: 2, Acceptors: acceptors, MaxRounds: Unbounded, Learners: 1, Preemption: true, RetryOnTimer: false);

    public const int Unbounded = int.MaxValue;

    /// <summary>
    /// Which spec the nodes are checked against: the Paxos spec alone, or the chain "Paxos refines Consensus"
    /// (<see cref="PaxosRefinement"/>), with its correct event mapping or a planted mapping bug.
    /// </summary>
    public ConsensusMapping MapsToConsensus { get; init; }

    /// <summary>
    /// Acceptors are declared interchangeable (<see cref="PaxosNode.AcceptorSymmetry"/>): exhaustive searches count
    /// states up to renaming them. Proposers are not: a proposer's ballots (round·P + id) and value (its id) depend on
    /// its id. Only with the Paxos spec alone (the refinement's copy of Consensus is not declared).
    /// </summary>
    public bool AcceptorsSymmetric { get; init; }

    public int LearnerCount => Learners ?? Proposers;

    public int Nodes => Proposers + Acceptors;
    public int Ballots => MaxRounds * Proposers;

    public QuorumSystem Quorums => (Bugs & PaxosBug.MinorityQuorum) != 0
        ? QuorumSystem.AtLeast(Acceptors, Acceptors / 2)
        : QuorumSystem.Majority(Acceptors);
}

/// <summary>How a Paxos system is related to Consensus: not at all, by the correct refinement mapping, or by a planted mapping bug.</summary>
public enum ConsensusMapping
{
    /// <summary>Checked against the Paxos spec alone.</summary>
    None,

    /// <summary>Checked against "Paxos refines Consensus".</summary>
    Correct,

    /// <summary>The planted mapping bug <see cref="PaxosRefinement.DropsLearning"/>: learning is not passed up.</summary>
    DropsLearning,
}
