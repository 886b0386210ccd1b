namespace Verification.Protocols.PingAck;

// ---- A two-node ping/ack protocol. The receiver must deliver pings to its application in order (spec InOrderDelivery). ----

public abstract record PingMessage;

public sealed record Ping(int Seq) : PingMessage;

public sealed record Ack(int Seq) : PingMessage;
