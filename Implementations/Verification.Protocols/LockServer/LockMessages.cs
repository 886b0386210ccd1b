namespace Verification.Protocols.LockServer;

// ---- A lock server (n0) and two clients (n1, n2), each of which takes the lock once and releases it (spec LockService). ----

public abstract record LockMessage;

public sealed record Acquire : LockMessage;

public sealed record Granted : LockMessage;

public sealed record Release : LockMessage;

public sealed record ReleaseAcknowledged : LockMessage;
