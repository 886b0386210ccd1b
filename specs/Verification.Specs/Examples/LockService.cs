namespace Verification.Specs.Examples;

/// <summary>What a lock service's log records: a client acquired or released the lock.</summary>
public abstract record LockEvent;

/// <summary>The lock was granted to <paramref name="Client"/>.</summary>
/// <param name="Client">The client's id, 0 or more.</param>
public sealed record Acquired(int Client) : LockEvent;

/// <summary><paramref name="Client"/> released the lock.</summary>
/// <param name="Client">The client's id; the guard requires it to be the holder's.</param>
public sealed record Released(int Client) : LockEvent;

/// <summary>
/// A lock service observed from its log: who holds the lock, and how many grants were made. The guards are the
/// service's rules (a grant only when the lock is free, a release only by the holder), so a recorded log that
/// breaks mutual exclusion is caught on the first event that does; the invariants are proved over guarded histories.
/// </summary>
public static class LockService
{
    /// <summary>The spec's name, as the CLI takes it (<c>history LockService my-log.jsonl</c>) and reports show it.</summary>
    public const string Name = "LockService";

    /// <summary>The value of Holder while no client holds the lock.</summary>
    public const int Nobody = -1;

    /// <summary>Builds the lock service spec: Holder and Grants, the service's rules as guards, and the invariants they keep.</summary>
    /// <param name="clients">When positive, also a liveness monitor: hot until that many grants were made (every client gets the lock).</param>
    public static Spec<LockEvent> Create(int clients = 0)
    {
        var spec = new SpecBuilder<LockEvent>(Name);
        var holder = spec.Variable<int>("Holder");
        var grants = spec.Variable<int>("Grants");
        spec.Define(holder, Nobody, e => e
            .When((Acquired a) => a.Client)
            .When((Released r) => r.Client == holder.Now ? Nobody : holder.Now)
            .Else(holder.Now));
        spec.Define(grants, 0, e => e is Acquired ? grants.Now + 1 : grants.Now);
        spec.Guard("ClientIdsAreValid", e => e.When((Acquired a) => a.Client >= 0).When((Released r) => r.Client >= 0).Else(false));
        spec.Guard("GrantedOnlyWhenFree", e => !(e is Acquired) || holder.Now == Nobody);
        spec.Guard("ReleasedOnlyByHolder", e => e.IfIs((Released r) => r.Client == holder.Now));
        spec.Invariant("HolderIsSomeoneOrNobody", () => holder.Now >= Nobody);
        spec.Invariant("GrantsNonNegative", () => grants.Now >= 0);
        spec.Invariant("SomeoneHoldsOnlyAfterAGrant", () => holder.Now == Nobody || grants.Now >= 1);
        spec.StepProperty("GrantsNeverDecrease", e => grants.Next >= grants.Now);
        if (clients > 0) spec.Liveness("EveryClientAcquires", () => grants.Now < clients);
        return spec.Build();
    }
}
