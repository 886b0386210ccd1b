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

/// <summary>When timers fire relative to messages.</summary>
public enum Timing
{
    /// <summary>Any armed timer may fire at any point: no bound on message delay or on how fast a node's clock runs.</summary>
    Asynchronous,

    /// <summary>
    /// Bounded delay on the tester's logical clock: a timer armed with length d fires d ticks after it was armed, timers
    /// fire in the order of their deadlines, and a message sent at tick t is delivered (unless lost, or its addressee
    /// is down or cut off) before any timer whose deadline is after t + <see cref="FaultModel.MaxMessageDelay"/>.
    /// </summary>
    Synchronous,
}

/// <summary>
/// A group of nodes with crash budgets of its own (servers that may fail, say). When a fault model lists roles, nodes
/// in none of them are reliable: they never crash or pause and no partition cuts their links (clients, a master).
/// </summary>
/// <param name="Name">How reports name the group ("servers").</param>
/// <param name="Nodes">The nodes' indices.</param>
public sealed record NodeRole(string Name, IReadOnlyList<int> Nodes)
{
    /// <summary>Crash kinds the environment may use on these nodes.</summary>
    public IReadOnlyList<CrashKind> CrashKinds { get; init; } = [CrashKind.Amnesia];

    /// <summary>Crashes among these nodes over a run.</summary>
    public int MaxCrashes { get; init; }

    /// <summary>These nodes down at the same time.</summary>
    public int MaxDownAtOnce { get; init; } = int.MaxValue;

    /// <summary>Whether a partition may cut these nodes' links (when false they reach everyone through any partition).</summary>
    public bool Partitionable { get; init; } = true;

    /// <summary>A role whose nodes may crash in the given ways, at most <paramref name="maxCrashes"/> times (and down at once).</summary>
    public static NodeRole MayCrash(string name, IReadOnlyList<int> nodes, int maxCrashes, params CrashKind[] kinds) =>
        new(name, nodes) { MaxCrashes = maxCrashes, MaxDownAtOnce = maxCrashes, CrashKinds = kinds.Length == 0 ? [CrashKind.Stop] : kinds };

    /// <summary>"servers {n0,n1,n2}: ≤ 1 crash (stop)".</summary>
    public string Describe()
    {
        var nodes = "{" + string.Join(",", Nodes.Select(n => new NodeId(n).ToString())) + "}";
        var crashes = MaxCrashes == 0 ? "no crashes"
            : $"≤ {MaxCrashes} crash{(MaxCrashes == 1 ? "" : "es")} ({string.Join(", ", CrashKinds.Select(k => k.ToString().ToLowerInvariant()))}{(MaxDownAtOnce < MaxCrashes ? $", ≤ {MaxDownAtOnce} down at once" : "")})";
        return $"{Name} {nodes}: {crashes}{(Partitionable ? "" : ", never cut off")}";
    }
}

/// <summary>How complete a failure detector is (Chandra and Toueg).</summary>
public enum Completeness
{
    /// <summary>Every crashed node is eventually suspected by every live subscriber.</summary>
    Strong,

    /// <summary>Every crashed node is eventually suspected by some live subscriber (the oracle tells one, of the strategy's choosing).</summary>
    Weak,
}

/// <summary>How accurate a failure detector is (Chandra and Toueg).</summary>
public enum Accuracy
{
    /// <summary>No node is suspected before it crashes.</summary>
    Strong,

    /// <summary>Some live node is never suspected: a false suspicion is reported only while another live node remains that was never suspected, and that last one is not crashed.</summary>
    Weak,

    /// <summary>Strong from a stabilisation point on (the strategy chooses it; at the latest the run's fair point); false suspicions before it, each withdrawable.</summary>
    EventuallyStrong,

    /// <summary>Weak from a stabilisation point on: after it, some live node that no subscriber then suspected is never suspected again.</summary>
    EventuallyWeak,
}

/// <summary>
/// A failure-detector oracle (a test option): the environment tells subscribed nodes <see cref="Suspect"/> and
/// <see cref="Trust"/> through <c>OnDetector</c>, as actions the strategy schedules like deliveries (an exhaustive
/// search branches on when each report arrives), within the class's completeness and accuracy. False suspicions are
/// bounded by <see cref="MaxFalseSuspicions"/> per run, so a search stays finite.
/// </summary>
/// <param name="Name">The class's name: P, ◇P, S, ◇S, Q, W, ◇W.</param>
/// <param name="Completeness">Who is told of a crash.</param>
/// <param name="Accuracy">Which mistakes it may make.</param>
public sealed record FailureDetector(string Name, Completeness Completeness, Accuracy Accuracy)
{
    /// <summary>P: strong completeness, strong accuracy.</summary>
    public static FailureDetector Perfect { get; } = new("P", Completeness.Strong, Accuracy.Strong);

    /// <summary>◇P: strong completeness, eventually strong accuracy.</summary>
    public static FailureDetector EventuallyPerfect { get; } = new("◇P", Completeness.Strong, Accuracy.EventuallyStrong);

    /// <summary>S: strong completeness, weak accuracy.</summary>
    public static FailureDetector Strong { get; } = new("S", Completeness.Strong, Accuracy.Weak);

    /// <summary>◇S: strong completeness, eventually weak accuracy.</summary>
    public static FailureDetector EventuallyStrong { get; } = new("◇S", Completeness.Strong, Accuracy.EventuallyWeak);

    /// <summary>Q: weak completeness, strong accuracy.</summary>
    public static FailureDetector Quasi { get; } = new("Q", Completeness.Weak, Accuracy.Strong);

    /// <summary>W: weak completeness, weak accuracy.</summary>
    public static FailureDetector Weak { get; } = new("W", Completeness.Weak, Accuracy.Weak);

    /// <summary>◇W: weak completeness, eventually weak accuracy.</summary>
    public static FailureDetector EventuallyWeak { get; } = new("◇W", Completeness.Weak, Accuracy.EventuallyWeak);

    /// <summary>The nodes that get reports (null: every node).</summary>
    public IReadOnlyList<int>? Subscribers { get; init; }

    /// <summary>False suspicions (reports that suspect a live node) over a run.</summary>
    public int MaxFalseSuspicions { get; init; } = 2;

    /// <summary>Whether the class ever allows a false suspicion.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool MayErr => Accuracy != Accuracy.Strong;

    /// <summary>Whether the class has a stabilisation point.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Stabilizes => Accuracy is Accuracy.EventuallyStrong or Accuracy.EventuallyWeak;

    /// <summary>"failure detector ◇P (strong completeness, eventually strong accuracy; ≤ 2 false suspicions) to n0, n1".</summary>
    public string Describe() =>
        $"failure detector {Name} ({Completeness.ToString().ToLowerInvariant()} completeness, {Spaced(Accuracy)} accuracy{(MayErr ? $"; ≤ {MaxFalseSuspicions} false suspicion{(MaxFalseSuspicions == 1 ? "" : "s")}" : "")})"
        + (Subscribers is null ? "" : " to " + string.Join(", ", Subscribers.Select(n => new NodeId(n).ToString())));

    private static string Spaced(Accuracy accuracy) => accuracy switch
    {
        Accuracy.EventuallyStrong => "eventually strong",
        Accuracy.EventuallyWeak => "eventually weak",
        _ => accuracy.ToString().ToLowerInvariant(),
    };
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

    /// <summary>A budget that never runs out (losses, duplicates, partitions, crashes): the state key then leaves out how much of it was used, so states differing only in that count are one.</summary>
    public const int Unbounded = int.MaxValue;

    /// <summary>Messages lost (send or receive omission) over a run (<see cref="Unbounded"/>: any number).</summary>
    public int MaxLosses { get; init; }

    /// <summary>Messages duplicated over a run (<see cref="Unbounded"/>: any number).</summary>
    public int MaxDuplicates { get; init; }

    /// <summary>Network partitions over a run (each later healed by a choice).</summary>
    public int MaxPartitions { get; init; }

    /// <summary>
    /// Groups of nodes with crash budgets of their own; nodes in none are reliable. Empty (the default): every node is
    /// in one group with <see cref="MaxCrashes"/>, <see cref="MaxDownAtOnce"/> and <see cref="CrashKinds"/>, which must
    /// then be left at their defaults when roles are given.
    /// </summary>
    public IReadOnlyList<NodeRole> Roles { get; init; } = [];

    /// <summary>A failure-detector oracle telling nodes of crashes (none by default: no node is ever told).</summary>
    public FailureDetector? Detector { get; init; }

    /// <summary>Asynchronous (the default) or synchronous timing.</summary>
    public Timing Timing { get; init; } = Timing.Asynchronous;

    /// <summary>Under synchronous timing, the most ticks a message takes (at least 0; 1 by default).</summary>
    public int MaxMessageDelay { get; init; } = 1;

    /// <summary>The roles the tester uses: <see cref="Roles"/>, or one role of every node with the top-level crash budgets.</summary>
    public IReadOnlyList<NodeRole> EffectiveRoles(int nodes) => Roles.Count > 0 ? Roles
        : [new NodeRole("nodes", Enumerable.Range(0, nodes).ToArray()) { CrashKinds = CrashKinds, MaxCrashes = MaxCrashes, MaxDownAtOnce = MaxDownAtOnce }];

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
        if (Roles.Count > 0)
            parts.Add(string.Join("; ", Roles.Select(r => r.Describe())) + "; other nodes reliable");
        else if (MaxCrashes > 0)
            parts.Add($"≤ {MaxCrashes} crash{(MaxCrashes == 1 ? "" : "es")} ({string.Join(", ", CrashKinds.Select(k => k.ToString().ToLowerInvariant()))}{(MaxDownAtOnce < MaxCrashes ? $", ≤ {MaxDownAtOnce} down at once" : "")})");
        if (MaxLosses == Unbounded) parts.Add("any number of lost messages");
        else if (MaxLosses > 0) parts.Add($"≤ {MaxLosses} lost message{(MaxLosses == 1 ? "" : "s")}");
        if (MaxDuplicates == Unbounded) parts.Add("any number duplicated");
        else if (MaxDuplicates > 0) parts.Add($"≤ {MaxDuplicates} duplicated");
        if (MaxPartitions > 0) parts.Add($"≤ {MaxPartitions} partition{(MaxPartitions == 1 ? "" : "s")}");
        var faults = parts.Count == 0 ? "no faults" : "faults: " + string.Join(", ", parts);
        faults = Network == NetworkOrder.Fifo ? faults + "; FIFO channels" : faults + "; messages reordered";
        if (Timing == Timing.Synchronous) faults += $"; synchronous (messages take ≤ {MaxMessageDelay} tick{(MaxMessageDelay == 1 ? "" : "s")}, timers fire at their deadlines)";
        return Detector is null ? faults : faults + "; " + Detector.Describe();
    }

    /// <summary>The most nodes partitions can be enumerated for (16,383 splits).</summary>
    public const int MaxNodesForPartitions = 15;

    /// <summary>Checks the budgets against a system of <paramref name="nodes"/> nodes; one that cannot apply throws <see cref="ConfigurationException"/> naming the setting.</summary>
    public void Validate(int nodes)
    {
        if (Roles is null || CrashKinds is null) throw new ConfigurationException("the fault model's Roles and CrashKinds must be lists (empty for none)");
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
        if (Roles.Count > 0)
        {
            if (MaxCrashes != 0 || MaxDownAtOnce != int.MaxValue)
                throw new ConfigurationException("with roles, crash budgets are per role: set MaxCrashes and MaxDownAtOnce on each NodeRole, not on the fault model");
            var seen = new Dictionary<int, string>();
            foreach (var role in Roles)
            {
                // Hand-edited schedule files can hold nulls the constructors never make.
                if (role is null || string.IsNullOrWhiteSpace(role.Name)) throw new ConfigurationException("a role has no name");
                if (role.Nodes is null || role.Nodes.Count == 0) throw new ConfigurationException($"role '{role.Name}' lists no nodes");
                if (role.CrashKinds is null || role.CrashKinds.Any(k => !Enum.IsDefined(k)))
                    throw new ConfigurationException($"role '{role.Name}': CrashKinds must list {string.Join(", ", Enum.GetNames<CrashKind>())}");
                foreach (var node in role.Nodes)
                {
                    if (node < 0 || node >= nodes) throw new ConfigurationException($"role '{role.Name}' lists node {node}, but the system's nodes are 0..{nodes - 1}");
                    if (!seen.TryAdd(node, role.Name)) throw new ConfigurationException($"node {new NodeId(node)} is in two roles, '{seen[node]}' and '{role.Name}'");
                }
                if (role.MaxCrashes < 0 || role.MaxDownAtOnce < 0) throw new ConfigurationException($"role '{role.Name}': crash budgets cannot be negative");
                if (role.MaxCrashes > 0 && role.CrashKinds.Count == 0) throw new ConfigurationException($"role '{role.Name}' may crash but allows no crash kind");
                if (role.CrashKinds.Contains(CrashKind.Stop) && role.MaxCrashes > role.Nodes.Count)
                    throw new ConfigurationException($"role '{role.Name}': {role.MaxCrashes} crash-stops cannot happen among its {role.Nodes.Count} nodes");
            }
        }
        var partitionable = EffectiveRoles(nodes).Where(r => r.Partitionable).Sum(r => r.Nodes.Count);
        if (MaxPartitions > 0 && partitionable < 2)
            throw new ConfigurationException($"a partition needs at least two nodes whose links may be cut (roles allow {partitionable})");
        if (MaxMessageDelay < 0) throw new ConfigurationException($"MaxMessageDelay cannot be negative (got {MaxMessageDelay})");
        if (!Enum.IsDefined(Timing)) throw new ConfigurationException($"Timing is {(int)Timing}, not one of {string.Join(", ", Enum.GetNames<Timing>())}");
        if (Detector is { } detector)
        {
            if (string.IsNullOrWhiteSpace(detector.Name)) throw new ConfigurationException("the failure detector has no name (P, ◇P, S, ◇S, Q, W, ◇W or your own)");
            if (nodes > 64) throw new ConfigurationException($"a failure-detector oracle supports at most 64 nodes (got {nodes})");
            if (detector.MaxFalseSuspicions < 0) throw new ConfigurationException($"the failure detector's MaxFalseSuspicions cannot be negative (got {detector.MaxFalseSuspicions})");
            if (!Enum.IsDefined(detector.Completeness) || !Enum.IsDefined(detector.Accuracy))
                throw new ConfigurationException($"failure detector {detector.Name}: completeness or accuracy is not a known value");
            foreach (var node in detector.Subscribers ?? [])
                if (node < 0 || node >= nodes) throw new ConfigurationException($"the failure detector's subscribers list node {node}, but the system's nodes are 0..{nodes - 1}");
        }
    }
}
