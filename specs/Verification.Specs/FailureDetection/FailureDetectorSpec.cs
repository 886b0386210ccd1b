namespace Verification.Specs.FailureDetection;

/// <summary>What a failure detector's properties speak of (Chandra and Toueg; the seed's failure-detector notes).</summary>
public abstract record DetectionEvent;

/// <summary>Node <see cref="Node"/> crashed; <see cref="Forgets"/> when it lost its memory (a halt or an amnesia crash, not a pause).</summary>
public sealed record Crashed(int Node, bool Forgets) : DetectionEvent;

/// <summary>Node <see cref="Node"/> came back (after an amnesia crash or a pause).</summary>
public sealed record Recovered(int Node) : DetectionEvent;

/// <summary>Node <see cref="By"/> now suspects node <see cref="Node"/>.</summary>
public sealed record Suspected(int By, int Node) : DetectionEvent;

/// <summary>Node <see cref="By"/> no longer suspects node <see cref="Node"/>.</summary>
public sealed record Trusted(int By, int Node) : DetectionEvent;

/// <summary>
/// Which properties a detector class promises: completeness (every crashed node eventually suspected by every live
/// node, or by some live node) and accuracy (no live node suspected, or some live node never suspected), either
/// always or eventually.
/// </summary>
/// <param name="Name">P, ◇P, S, ◇S, Q, W, ◇W.</param>
/// <param name="StrongCompleteness">Every live node eventually suspects every crashed one (else: some live node does).</param>
/// <param name="StrongAccuracy">No live node is suspected (else: some live node is never suspected).</param>
/// <param name="Eventual">Accuracy holds only eventually: a mistake is allowed as long as it is later withdrawn.</param>
public sealed record DetectorClass(string Name, bool StrongCompleteness, bool StrongAccuracy, bool Eventual)
{
    /// <summary>P.</summary>
    public static DetectorClass Perfect { get; } = new("P", true, true, false);

    /// <summary>◇P.</summary>
    public static DetectorClass EventuallyPerfect { get; } = new("◇P", true, true, true);

    /// <summary>S.</summary>
    public static DetectorClass Strong { get; } = new("S", true, false, false);

    /// <summary>◇S.</summary>
    public static DetectorClass EventuallyStrong { get; } = new("◇S", true, false, true);

    /// <summary>Q.</summary>
    public static DetectorClass Quasi { get; } = new("Q", false, true, false);

    /// <summary>W.</summary>
    public static DetectorClass Weak { get; } = new("W", false, false, false);

    /// <summary>◇W.</summary>
    public static DetectorClass EventuallyWeak { get; } = new("◇W", false, false, true);

    /// <summary>Every class, strongest first.</summary>
    public static IReadOnlyList<DetectorClass> All { get; } = [Perfect, EventuallyPerfect, Strong, EventuallyStrong, Quasi, Weak, EventuallyWeak];
}

/// <summary>
/// A failure detector's class as state equations over crashes, recoveries, suspicions and withdrawals of N nodes
/// (each node both monitored and a monitor). Completeness and the eventual forms of accuracy are liveness properties
/// (a condition that must not stay true through the fair part of a run); strong accuracy is a step property (no
/// suspicion of a live node), weak accuracy an invariant (some live node never suspected).
/// </summary>
public static class FailureDetectorSpec
{
    /// <summary>The spec of <paramref name="detectorClass"/> over <paramref name="nodes"/> nodes.</summary>
    public static Spec<DetectionEvent> Create(int nodes, DetectorClass detectorClass)
    {
        if (nodes < 2) throw new SpecException($"failure detection needs at least two nodes (got {nodes})");
        var spec = new SpecBuilder<DetectionEvent>($"FailureDetector{detectorClass.Name}");
        var down = spec.Family<bool>("down", nodes, n => $"n{n}");
        // suspects[s·N + n]: node s suspects node n.
        var suspects = spec.Family<bool>("suspects", nodes * nodes, k => $"n{k / nodes}→n{k % nodes}");
        var everSuspected = spec.Family<bool>("everSuspected", nodes, n => $"n{n}");

        spec.Define(down, n => false, (e, n) => e.Is((Crashed c) => c.Node == n) || (down.Now(n) && !e.Is((Recovered r) => r.Node == n)));
        // A monitor that loses its memory forgets whom it suspected.
        spec.Define(suspects, k => false, (e, k) =>
            e.Is((Suspected x) => x.By * nodes + x.Node == k)
            || (suspects.Now(k) && !e.Is((Trusted t) => t.By * nodes + t.Node == k) && !e.Is((Crashed c) => c.Forgets && c.Node == k / nodes)));
        spec.Define(everSuspected, n => false, (e, n) => everSuspected.Now(n) || e.Is((Suspected x) => x.Node == n));

        spec.Guard("NodesExist", e =>
            e.IfIs((Crashed c) => c.Node >= 0 && c.Node < nodes) && e.IfIs((Recovered r) => r.Node >= 0 && r.Node < nodes)
            && e.IfIs((Suspected x) => x.By >= 0 && x.By < nodes && x.Node >= 0 && x.Node < nodes && x.By != x.Node)
            && e.IfIs((Trusted t) => t.By >= 0 && t.By < nodes && t.Node >= 0 && t.Node < nodes && t.By != t.Node));

        if (detectorClass.StrongCompleteness)
            spec.Liveness("StrongCompleteness", () =>
                Bounded.Any(nodes, n => down.Now(n) && Bounded.Any(nodes, s => s != n && !down.Now(s) && !suspects.Now(s * nodes + n))));
        else
            spec.Liveness("WeakCompleteness", () =>
                Bounded.Any(nodes, n => down.Now(n) && Bounded.Any(nodes, s => !down.Now(s))
                    && Bounded.All(nodes, s => s == n || down.Now(s) || !suspects.Now(s * nodes + n))));

        if (detectorClass.StrongAccuracy && !detectorClass.Eventual)
            spec.StepProperty("StrongAccuracy", e => e.IfIs((Suspected x) => down.Now(x.Node)));
        else if (detectorClass.StrongAccuracy)
            spec.Liveness("EventualStrongAccuracy", () =>
                Bounded.Any(nodes, s => !down.Now(s) && Bounded.Any(nodes, n => n != s && !down.Now(n) && suspects.Now(s * nodes + n))));
        else if (!detectorClass.Eventual)
            spec.Invariant("WeakAccuracy", () => Bounded.Any(nodes, n => !down.Now(n) && !everSuspected.Now(n)));
        else
            spec.Liveness("EventualWeakAccuracy", () =>
                Bounded.All(nodes, n => down.Now(n) || Bounded.Any(nodes, s => s != n && !down.Now(s) && suspects.Now(s * nodes + n))));
        return spec.Build();
    }
}
