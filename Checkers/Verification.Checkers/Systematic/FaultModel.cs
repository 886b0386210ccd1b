using Verification.Runtime;

namespace Verification.Checkers.Systematic;

/// <summary>Whether the network may reorder messages between two nodes.</summary>
public enum NetworkOrder
{
    /// <summary>Any in-flight message may be delivered next (reordering).</summary>
    Unordered,

    /// <summary>Per pair of nodes, messages arrive in the order they were sent.</summary>
    Fifo,
}

/// <summary>A configuration error: the message says which setting and why.</summary>
/// <param name="message">The setting, its value and why it is wrong.</param>
public sealed class ConfigurationException(string message) : VerificationException(message);

/// <summary>
/// Which faults the environment may inject, each with a budget. Every fault is a choice of the strategy, so it is
/// explored and replayed like any message delivery. "At most f of 2f+1 nodes down at once" is
/// <c>FaultModel.CrashRecover(f)</c>.
/// </summary>
public sealed record FaultModel
{
    /// <summary>No faults: messages are only reordered (unordered network), never lost, duplicated or cut off, and no node crashes.</summary>
    public static FaultModel None { get; } = new();

    /// <summary>Whether messages between two nodes may be reordered; unordered by default.</summary>
    public NetworkOrder Network { get; init; } = NetworkOrder.Unordered;

    /// <summary>Crash kinds the environment may use.</summary>
    public IReadOnlyList<CrashKind> CrashKinds { get; init; } = [CrashKind.Amnesia];

    /// <summary>Total crashes over a run.</summary>
    public int MaxCrashes { get; init; }

    /// <summary>Nodes down (crashed, not yet recovered) at the same time.</summary>
    public int MaxDownAtOnce { get; init; } = int.MaxValue;

    /// <summary>Messages lost (send or receive omission) over a run.</summary>
    public int MaxLosses { get; init; }

    /// <summary>Messages duplicated over a run.</summary>
    public int MaxDuplicates { get; init; }

    /// <summary>Network partitions over a run (each later healed by a choice).</summary>
    public int MaxPartitions { get; init; }

    /// <summary>At most <paramref name="f"/> nodes down at once, each crash losing what was not persisted.</summary>
    public static FaultModel CrashRecover(int f, int maxCrashes = -1) =>
        new() { MaxCrashes = maxCrashes < 0 ? f : maxCrashes, MaxDownAtOnce = f, CrashKinds = [CrashKind.Amnesia] };

    /// <summary>Everything the seed lists, with the given budgets: loss, duplication, reordering, partitions and crash-recover with amnesia.</summary>
    public static FaultModel Full(int f, int losses = 2, int duplicates = 1, int partitions = 1) =>
        new() { MaxCrashes = f, MaxDownAtOnce = f, CrashKinds = [CrashKind.Amnesia, CrashKind.Pause], MaxLosses = losses, MaxDuplicates = duplicates, MaxPartitions = partitions };

    /// <summary>The faults as a bound of a verdict: "no faults", or each budget and the network's order.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (MaxCrashes > 0)
            parts.Add($"≤ {MaxCrashes} crash{(MaxCrashes == 1 ? "" : "es")} ({string.Join(", ", CrashKinds.Select(k => k.ToString().ToLowerInvariant()))}{(MaxDownAtOnce < MaxCrashes ? $", ≤ {MaxDownAtOnce} down at once" : "")})");
        if (MaxLosses > 0) parts.Add($"≤ {MaxLosses} lost message{(MaxLosses == 1 ? "" : "s")}");
        if (MaxDuplicates > 0) parts.Add($"≤ {MaxDuplicates} duplicated");
        if (MaxPartitions > 0) parts.Add($"≤ {MaxPartitions} partition{(MaxPartitions == 1 ? "" : "s")}");
        var faults = parts.Count == 0 ? "no faults" : "faults: " + string.Join(", ", parts);
        return Network == NetworkOrder.Fifo ? faults + "; FIFO channels" : faults + "; messages reordered";
    }

    /// <summary>The most nodes partitions can be enumerated for (16,383 splits).</summary>
    public const int MaxNodesForPartitions = 15;

    /// <summary>Checks the budgets against a system of <paramref name="nodes"/> nodes; one that cannot apply throws <see cref="ConfigurationException"/> naming the setting.</summary>
    public void Validate(int nodes)
    {
        if (nodes < 1) throw new ConfigurationException($"a system needs at least one node (got {nodes})");
        if (MaxCrashes < 0 || MaxLosses < 0 || MaxDuplicates < 0 || MaxPartitions < 0)
            throw new ConfigurationException("fault budgets cannot be negative");
        if (MaxDownAtOnce < 0) throw new ConfigurationException($"MaxDownAtOnce cannot be negative (got {MaxDownAtOnce})");
        if (MaxCrashes > 0 && MaxDownAtOnce != int.MaxValue && MaxDownAtOnce > nodes)
            throw new ConfigurationException($"at most {MaxDownAtOnce} nodes down at once, but the system has only {nodes}");
        if (MaxCrashes > 0 && CrashKinds.Count == 0) throw new ConfigurationException("MaxCrashes is set but no crash kind is allowed");
        if (MaxPartitions > 0 && nodes < 2) throw new ConfigurationException("a partition needs at least two nodes");
        if (MaxPartitions > 0 && nodes > MaxNodesForPartitions)
            throw new ConfigurationException($"partitions split the nodes every possible way (2^(n−1)−1 splits): at most {MaxNodesForPartitions} nodes (got {nodes}); set MaxPartitions = 0");
        if (CrashKinds.Contains(CrashKind.Stop) && MaxCrashes > nodes)
            throw new ConfigurationException($"{MaxCrashes} crash-stops cannot happen among {nodes} nodes");
    }
}
