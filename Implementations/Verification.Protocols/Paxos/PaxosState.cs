namespace Verification.Protocols.Paxos;

/// <summary>Proposer and learner state; acceptor sets are bit masks over acceptor indices.</summary>
public sealed record ProposerState : PaxosNodeState
{
    /// <summary>How many ballots it has started (persisted: a restarted proposer must not reuse one).</summary>
    public required int Round { get; init; }

    public required int Ballot { get; init; }
    public required int Phase { get; init; }
    public required uint Promises { get; init; }
    public required int BestBallot { get; init; }
    public required int BestValue { get; init; }
    public required int LearnBallot { get; init; }
    public required int LearnValue { get; init; }
    public required uint LearnVoters { get; init; }
    public required int Learned { get; init; }
}

public sealed record AcceptorState(int Promised, int AcceptedBallot, int AcceptedValue) : PaxosNodeState;

public abstract record PaxosNodeState;
