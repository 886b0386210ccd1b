namespace Verification.Protocols.DistinguishedProposer;

public abstract record DpMessage;

public sealed record Propose(int Value) : DpMessage;

public sealed record AcceptReply(int Value) : DpMessage;

public sealed record Poll : DpMessage;

public sealed record PollReply(int Accepted) : DpMessage;

public sealed record Copy(int Value) : DpMessage;

public sealed record CopyAck(int Value) : DpMessage;

/// <summary>A perfect failure detector's report: D has halted.</summary>
public sealed record DHalted : DpMessage;
