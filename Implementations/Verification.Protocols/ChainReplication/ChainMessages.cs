namespace Verification.Protocols.ChainReplication;

/// <summary>What clients, servers and the master of chain replication send each other.</summary>
public abstract record ChainMessage;

/// <summary>Client → head: apply update <see cref="Update"/> (sent again on a timer until the tail's reply comes).</summary>
public sealed record UpdateRequest(int Update) : ChainMessage;

/// <summary>Client → tail: what does the store hold? (one query per client, its id the client's number).</summary>
public sealed record QueryRequest(int Query) : ChainMessage;

/// <summary>Server → its successor: the update at <see cref="Position"/> of the head's order (<see cref="Resent"/>: sent again, from the Sent list, to a new successor).</summary>
public sealed record Forward(int Position, int Update, bool Resent = false) : ChainMessage;

/// <summary>Server → its predecessor: the tail has every update before position <see cref="Count"/> (cumulative; travels up the chain).</summary>
public sealed record Ack(int Count) : ChainMessage;

/// <summary>Tail → client: update <see cref="Update"/> is done.</summary>
public sealed record UpdateDone(int Update) : ChainMessage;

/// <summary>Tail → client: the store after <see cref="Seen"/> updates, answering <see cref="Query"/>.</summary>
public sealed record QueryReply(int Query, int Seen) : ChainMessage;

/// <summary>
/// Master → the failed server's successor: take no more updates from <see cref="Failed"/> (its messages may still
/// be in the network); <see cref="NewPredecessor"/> is who to take them from now (−1: the successor is the new head).
/// </summary>
public sealed record Fence(int Failed, int NewPredecessor) : ChainMessage;

/// <summary>Server → master: fenced off <see cref="Failed"/>.</summary>
public sealed record Fenced(int Failed) : ChainMessage;

/// <summary>Master → a server: your successor is now <see cref="Successor"/> (−1: you are the tail).</summary>
public sealed record SuccessorChanged(int Successor) : ChainMessage;

/// <summary>Master → clients: send updates to <see cref="Head"/> and queries to <see cref="Tail"/>.</summary>
public sealed record Endpoints(int Head, int Tail) : ChainMessage;
