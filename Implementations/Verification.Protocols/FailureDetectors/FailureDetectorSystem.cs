using Verification.Checkers;
using Verification.Checkers.Systematic;
using Verification.Runtime;
using Verification.Specs.FailureDetection;

namespace Verification.Protocols.FailureDetectors;

/// <summary>
/// Heartbeat, ping-ack and SWIM as one registered system: they share the spec's alphabet (crash, suspect, trust) and
/// the detector-class specs, and the checks set them side by side — which class each meets under synchrony, and the
/// accuracy counterexample each has without it. The configuration picks the detector and the class it is checked
/// against.
/// </summary>
public sealed class FailureDetectorSystem : SystemDefinition<DetectorConfig, DetectorState, DetectorMessage, DetectorTimer, NothingDurable, DetectionEvent>
{
    public override string Name => "FailureDetectors";

    public override string Description => "heartbeat, ping-ack and SWIM failure detectors against the Chandra–Toueg classes, under synchronous and asynchronous timing";

    /// <summary>Heartbeat, 3 nodes: period 2, timeout 4 &gt; period + delay.</summary>
    public static DetectorConfig Heartbeat { get; } = new(DetectorKind.Heartbeat);

    /// <summary>Heartbeat with a timeout that starts too short (2 &lt; period 3) and grows by a tick per mistake: ◇P.</summary>
    public static DetectorConfig AdaptiveHeartbeat { get; } = new(DetectorKind.Heartbeat, Promises: "◇P") { Period = 3, Timeout = 2, AdaptiveTimeout = true };

    /// <summary>Ping-ack, a monitor and 2 members: period 4, ack timeout 3 &gt; two delays.</summary>
    public static DetectorConfig PingAck { get; } = new(DetectorKind.PingAck, Promises: "Q") { Period = 4, Timeout = 3 };

    /// <summary>SWIM, 3 members, k = 1, period 9 (direct ack 3 + indirect 5 + 1), suspicion timeout 5 periods.</summary>
    public static DetectorConfig Swim { get; } = new(DetectorKind.Swim) { Period = 9 };

    public override IReadOnlyList<(string Name, DetectorConfig Configuration)> Configurations { get; } =
    [
        ("heartbeat", Heartbeat),
        ("heartbeat-adaptive", AdaptiveHeartbeat),
        ("heartbeat-adaptive-as-P", AdaptiveHeartbeat with { Promises = "P" }),
        ("ping-ack", PingAck),
        ("ping-ack-as-P", PingAck with { Promises = "P" }),
        ("swim", Swim),
        ("bug:TimeoutShorterThanPeriod", Heartbeat with { Bugs = DetectorBug.TimeoutShorterThanPeriod }),
        ("bug:NeverTrustsAgain", AdaptiveHeartbeat with { Bugs = DetectorBug.NeverTrustsAgain }),
        ("bug:NoIncarnations", Swim with { Bugs = DetectorBug.NoIncarnations }),
    ];

    protected override Protocol<DetectorState, DetectorMessage, DetectorTimer, NothingDurable, DetectionEvent> Create(DetectorConfig configuration) => Protocol(configuration);

    /// <summary>The nodes of <paramref name="config"/>'s detector, checked against its promised class; crashes and recoveries reach the spec from the environment.</summary>
    public static Protocol<DetectorState, DetectorMessage, DetectorTimer, NothingDurable, DetectionEvent> Protocol(DetectorConfig config)
    {
        config.Validate();
        var promised = config.PromisedClass;
        Func<NodeId, INode<DetectorState, DetectorMessage, DetectorTimer, NothingDurable>> factory = config.Kind switch
        {
            DetectorKind.Heartbeat => _ => new HeartbeatNode(config),
            DetectorKind.PingAck => _ => new PingAckNode(config),
            DetectorKind.Swim => _ => new SwimNode(config),
            _ => throw new Verification.Specs.SpecException($"failure detector config: Kind is {(int)config.Kind}, not one of {string.Join(", ", Enum.GetNames<DetectorKind>())}"),
        };
        var bugs = config.Bugs == DetectorBug.None ? "" : $"[{config.Bugs}]";
        return new Protocol<DetectorState, DetectorMessage, DetectorTimer, NothingDurable, DetectionEvent>($"{config.Kind}{bugs}-as-{promised.Name}", config.Nodes, factory, FailureDetectorSpec.Create(config.Nodes, promised))
        {
            EnvironmentEvents = CrashesAndRecoveries,
        };
    }

    /// <summary>A crash (a stop or an amnesia crash forgets; a pause does not) and a recovery, as the spec's events.</summary>
    public static DetectionEvent? CrashesAndRecoveries(EnvironmentEvent e) => e switch
    {
        NodeCrashed crashed => new Crashed(crashed.Node.Index, crashed.Kind != CrashKind.Pause),
        NodeRecovered recovered => new Recovered(recovered.Node.Index),
        _ => null,
    };

    // ---- The fault models. Messages take at most one tick (MaxMessageDelay's default) under synchrony. ----

    /// <summary>Heartbeat: any one of the three nodes may stop (every node is monitored, and monitors too).</summary>
    public static FaultModel HeartbeatFaults(Timing timing) => new() { Timing = timing, Roles = [NodeRole.MayCrash("nodes", [0, 1, 2], maxCrashes: 1, CrashKind.Stop)] };

    /// <summary>Ping-ack: the monitor n0 is reliable; one of the monitored members n1, n2 may stop.</summary>
    public static FaultModel PingAckFaults(Timing timing) => new() { Timing = timing, Roles = [NodeRole.MayCrash("members", [1, 2], maxCrashes: 1, CrashKind.Stop)] };

    /// <summary>SWIM: one member may stop, and two messages may be lost (enough to make a live member miss a direct and an indirect probe).</summary>
    public static FaultModel SwimFaults(Timing timing, int losses = 2) =>
        new() { Timing = timing, MaxLosses = losses, Roles = [NodeRole.MayCrash("members", [0, 1, 2], maxCrashes: 1, CrashKind.Stop)] };

    /// <summary>
    /// Runs long enough to judge completeness: faults in the first 60 steps, then every crash must be detected (and,
    /// for ◇P, every mistake withdrawn) within the threshold. A heartbeat or ping-ack detects a crash within a timeout
    /// (some 20 steps of 3 nodes); SWIM within a probe of the member, an indirect probe and the suspicion timeout
    /// (some 80 steps), hence its longer runs.
    /// </summary>
    public static TestOptions Runs(FaultModel faults, long iterations, int maxSteps = 200, int livenessThreshold = 100) =>
        new() { Iterations = iterations, MaxSteps = maxSteps, FairAfterSteps = 60, LivenessThreshold = livenessThreshold, Faults = faults };

    /// <summary>SWIM's runs: 500 steps, a crash hot for at most 250 of them.</summary>
    public static TestOptions SwimRuns(FaultModel faults, long iterations) => Runs(faults, iterations, maxSteps: 500, livenessThreshold: 250);

    public override IReadOnlyList<SystemCheck> Checks { get; } =
    [
        new("Heartbeat meets P under synchrony (timeout 4 > period 2 + delay 1; one crash-stop)", "heartbeat",
            new RandomRuns { Options = Runs(HeartbeatFaults(Timing.Synchronous), 1_000) },
            Expectation.Holds, "1,000 portfolio runs against strong completeness and strong accuracy"),
        new("Heartbeat under synchrony: exhaustive DFS", "heartbeat",
            new ExhaustiveSearch(MaxDepth: 1_000) { Options = new TestOptions { Faults = HeartbeatFaults(Timing.Synchronous) } },
            Expectation.Holds, "every schedule the synchronous clock allows, with one crash-stop, against strong accuracy"),
        new("Heartbeat without synchrony suspects a live node (StrongAccuracy)", "heartbeat",
            new RandomRuns { Options = Runs(HeartbeatFaults(Timing.Asynchronous), 1_000) },
            Expectation.Violated(FailureKind.Safety, "StrongAccuracy"), "a silence timer fires before a heartbeat that is on its way: no timeout is safe without a bound on delays"),
        new("Adaptive heartbeat meets ◇P under synchrony (timeout 2 < period 3 at first, +1 per mistake)", "heartbeat-adaptive",
            new RandomRuns { Options = Runs(HeartbeatFaults(Timing.Synchronous), 1_000) },
            Expectation.Holds, "1,000 portfolio runs: every false suspicion is withdrawn and the mistakes stop once the timeout has grown past period + delay"),
        new("Adaptive heartbeat is not P: it suspects live nodes before its timeout has grown (StrongAccuracy)", "heartbeat-adaptive-as-P",
            new RandomRuns { Options = Runs(HeartbeatFaults(Timing.Synchronous), 1_000) },
            Expectation.Violated(FailureKind.Safety, "StrongAccuracy"), "the same runs against P"),
        new("Ping-ack meets Q under synchrony (monitor n0 reliable, one member may stop)", "ping-ack",
            new RandomRuns { Options = Runs(PingAckFaults(Timing.Synchronous), 1_000) },
            Expectation.Holds, "1,000 portfolio runs against weak completeness and strong accuracy"),
        new("Ping-ack under synchrony: exhaustive DFS", "ping-ack",
            new ExhaustiveSearch(MaxDepth: 1_000) { Options = new TestOptions { Faults = PingAckFaults(Timing.Synchronous) } },
            Expectation.Holds, "every schedule the synchronous clock allows, with one crash-stop, against strong accuracy"),
        new("Ping-ack is not P: a member never suspects a crashed member (StrongCompleteness)", "ping-ack-as-P",
            new RandomRuns { Options = Runs(PingAckFaults(Timing.Synchronous), 1_000) },
            Expectation.Violated(FailureKind.Liveness, "StrongCompleteness"), "only the monitor learns of a crash"),
        new("Ping-ack without synchrony suspects a live member (StrongAccuracy)", "ping-ack",
            new RandomRuns { Options = Runs(PingAckFaults(Timing.Asynchronous), 1_000) },
            Expectation.Violated(FailureKind.Safety, "StrongAccuracy"), "an ack deadline fires before the ack arrives"),
        new("SWIM meets P under synchrony (one crash-stop, two lost messages)", "swim",
            new RandomRuns { Options = SwimRuns(SwimFaults(Timing.Synchronous), 1_000) },
            Expectation.Holds, "a live member suspected after lost probes refutes in time; a stopped one is declared failed by every member"),
        new("SWIM under synchrony: exhaustive DFS (one crash-stop, one lost message)", "swim",
            new ExhaustiveSearch(MaxDepth: 1_000) { Options = new TestOptions { Faults = SwimFaults(Timing.Synchronous, losses: 1) } },
            Expectation.Holds, "every schedule the synchronous clock allows, with a crash and a loss (enough for a false suspicion: a lost probe and a crashed helper), against strong accuracy"),
        new("SWIM without synchrony declares a live member failed (StrongAccuracy)", "swim",
            new RandomRuns { Options = SwimRuns(SwimFaults(Timing.Asynchronous, losses: 0), 1_000) },
            Expectation.Violated(FailureKind.Safety, "StrongAccuracy"), "ack and suspicion timeouts fire before the answers and refutations on their way"),
        new("Heartbeat planted bug TimeoutShorterThanPeriod (StrongAccuracy)", "bug:TimeoutShorterThanPeriod",
            new RandomRuns { Options = Runs(HeartbeatFaults(Timing.Synchronous), 10_000) },
            Expectation.Violated(FailureKind.Safety, "StrongAccuracy"), "the default portfolio must find it with the property it breaks, and replay it"),
        new("Adaptive heartbeat planted bug NeverTrustsAgain (EventualStrongAccuracy)", "bug:NeverTrustsAgain",
            new RandomRuns { Options = Runs(HeartbeatFaults(Timing.Synchronous), 10_000) },
            Expectation.Violated(FailureKind.Liveness, "EventualStrongAccuracy"), "a mistaken suspicion is never withdrawn: ◇P's accuracy never comes"),
        new("SWIM planted bug NoIncarnations (StrongAccuracy)", "bug:NoIncarnations",
            new RandomRuns { Options = SwimRuns(SwimFaults(Timing.Synchronous), 100_000) },
            Expectation.Violated(FailureKind.Safety, "StrongAccuracy"), "stale suspect gossip overrides a refutation and the live member is declared failed"),
    ];
}
