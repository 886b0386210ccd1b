namespace Verification.Protocols.DistinguishedProposer;

public abstract record DpState;

/// <summary>D (or the recovery process): the value it is pushing, the acceptors that confirmed it, what it learned; for recovery, the poll answers.</summary>
public sealed record DpProposerState(int Value, uint Confirmed, int Learned, uint Polled, int Found) : DpState;

/// <summary>An acceptor's accepted value (volatile: the seed's protocol claims it needs no reliable storage).</summary>
public sealed record DpAcceptorState(int Accepted) : DpState;

/// <summary>D after it halts (with a perfect failure detector, this is how D fails).</summary>
public sealed record DpHalted : DpState;
