using Verification.Checkers.Systematic;
using Verification.Runtime;
using Verification.Specs;
using Xunit.Abstractions;

namespace Verification.Systematic.Tests;

public abstract record WorkEvent;

public sealed record Finished : WorkEvent;

/// <summary>
/// One node with two timers, "a" and "b", armed in every state: from s0 timer a leads to s1 and back, timer b to s2
/// and back; b in s1 and a in s2 finish the work (cold). Each simple cycle alone is unfair — s0→s1→s0 never fires b,
/// which is enabled throughout, and s0→s2→s0 never fires a — but their union s0→s1→s0→s2→s0 is fair and never
/// finishes: the only livelock is the union of two unfair simple cycles.
/// </summary>
public sealed class TwoTimers : INode<object, string, string, object>
{
    public object Start(Effects<string, string, object> effects)
    {
        effects.SetTimer("a");
        effects.SetTimer("b");
        return "s0";
    }

    public object OnMessage(object state, NodeId from, string message, Effects<string, string, object> effects) => state;

    public object OnTimer(object state, string timer, Effects<string, string, object> effects)
    {
        var next = (state, timer) switch
        {
            ("s0", "a") => "s1",
            ("s1", "a") => "s0",
            ("s0", "b") => "s2",
            ("s2", "b") => "s0",
            _ => "done",
        };
        if (next == "done")
        {
            effects.Observe(new Finished());
            return next;
        }
        effects.SetTimer(timer);
        return next;
    }

    public object OnRecover(object? persisted, Effects<string, string, object> effects) => persisted ?? Start(effects);

    public static Protocol<object, string, string, object, WorkEvent> System(INode<object, string, string, object>? node = null) =>
        new(node?.GetType().Name ?? "TwoTimers", 1, _ => node ?? new TwoTimers(), FinishesSpec());

    /// <summary>The work is owed until something is finished.</summary>
    public static Spec<WorkEvent> FinishesSpec()
    {
        var spec = new SpecBuilder<WorkEvent>("EventuallyFinished");
        var finished = spec.Variable<bool>("finished");
        spec.Define(finished, false, e => true);
        spec.Liveness("Finishes", () => !finished.Now);
        return spec.Build();
    }
}

public class LivelockSearchTests(ITestOutputHelper output)
{
    /// <summary>A2. Before: "no livelock, searched completely" (cycles were closed only on the DFS stack). Now: the fair component is found.</summary>
    [Fact]
    public void TheOnlyFairCycle_IsTheUnionOfTwoUnfairOnes_AndIsFound()
    {
        var report = TwoTimers.System().Tester().FindLivelock(maxDepth: 10);
        output.WriteLine(report.ToString());
        Assert.True(report.IsViolated);
        Assert.Equal("Finishes", report.Counterexample!.Property);
        // The cycle is fair: both timers fire in it.
        Assert.Contains(report.Lasso!.Cycle, s => s.Contains("'a'"));
        Assert.Contains(report.Lasso!.Cycle, s => s.Contains("'b'"));
        Assert.Equal(4, report.Lasso!.Cycle.Count);
    }

    /// <summary>Without timer b, the only cycle (s0 ⇄ s1 on a) is fair: found. And a protocol whose every fair run finishes is "complete, no livelock".</summary>
    [Fact]
    public void CompleteSearch_SaysNoLivelock_OnlyWhenEveryFairRunFinishes()
    {
        var report = TwoTimers.System(new FinishOnB()).Tester().FindLivelock(maxDepth: 10);
        output.WriteLine(report.ToString());
        Assert.False(report.IsViolated);
        Assert.True(report.Holds);
        Assert.StartsWith("FinishOnB: holds by livelock search", report.ToString());
    }

    /// <summary>Timer a loops s0 ⇄ s1 forever, but b is enabled throughout and finishes: no fair run avoids it.</summary>
    private sealed class FinishOnB : INode<object, string, string, object>
    {
        public object Start(Effects<string, string, object> effects) => new TwoTimers().Start(effects);

        public object OnMessage(object state, NodeId from, string message, Effects<string, string, object> effects) => state;

        public object OnTimer(object state, string timer, Effects<string, string, object> effects)
        {
            if (timer == "b" || state is "done")
            {
                effects.Observe(new Finished());
                return "done";
            }
            effects.SetTimer("a");
            return state is "s0" ? "s1" : "s0";
        }

        public object OnRecover(object? persisted, Effects<string, string, object> effects) => persisted ?? Start(effects);
    }
}
