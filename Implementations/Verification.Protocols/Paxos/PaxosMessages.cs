namespace Verification.Protocols.Paxos;

public abstract record PaxosMessage;

public sealed record Prepare(int Ballot) : PaxosMessage;

public sealed record Promise(int Ballot, int LastBallot, int LastValue) : PaxosMessage;

public sealed record Accept(int Ballot, int Value) : PaxosMessage;

public sealed record AcceptedVote(int Ballot, int Value) : PaxosMessage;

/// <summary>The acceptor ignored ballot <see cref="Ballot"/>: it promised <see cref="Higher"/>.</summary>
public sealed record Preempted(int Ballot, int Higher) : PaxosMessage;
