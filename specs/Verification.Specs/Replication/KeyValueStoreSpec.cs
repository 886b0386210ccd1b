namespace Verification.Specs.Replication;

/// <summary>
/// A replicated key-value store as a state machine (Schneider): what matters of each replica is the sequence of
/// commands its store executed, in order — its value is a function of that sequence. Replicas agree: of any two
/// replicas' sequences one is a prefix of the other (the same commands, in the same order, each at most once). Over
/// the replicated log's alphabet: a replica executes a command when it applies it (<see cref="Applied"/> with
/// Executed). Linearizability remains the check of the clients' history; this spec is what the replicas' state refines.
/// </summary>
public static class KeyValueStoreSpec
{
    /// <summary>The spec's name; a refinement's copies of its state are prefixed with it.</summary>
    public const string Name = "KeyValueStore";

    /// <summary>The name of the per-replica sequence of executed commands.</summary>
    public const string ExecutedName = "executed";

    /// <summary>Builds the spec for <paramref name="replicas"/> replicas, each executing at most <paramref name="slots"/> commands 0..<paramref name="commands"/>−1.</summary>
    public static Spec<LogEvent> Create(int slots, int commands, int replicas)
    {
        var spec = new SpecBuilder<LogEvent>(Name);
        var executed = spec.Sequences<int>(ExecutedName, replicas, bound: slots, r => $"r{r}");
        spec.Define(executed, (e, r) => e
            .When((Applied a) => a.Replica == r && a.Executed && a.Command >= 0 ? executed.Now(r).Append(a.Command) : executed.Now(r))
            .Else(executed.Now(r)));
        spec.Invariant("SameOrderEverywhere", () => Bounded.All(replicas, r => Bounded.All(replicas, q =>
            r >= q || executed.Now(r).IsPrefixOf(executed.Now(q)) || executed.Now(q).IsPrefixOf(executed.Now(r)))));
        spec.Invariant("EachCommandOnce", () => Bounded.All(replicas, r => Bounded.All(commands, c => executed.Now(r).Count(x => x == c) <= 1)));
        return spec.Build();
    }
}
