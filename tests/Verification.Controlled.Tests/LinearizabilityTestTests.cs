using Verification.Checkers.Linearizability;
using Xunit.Abstractions;

namespace Verification.Controlled.Tests;

/// <summary>Lincheck-style tests: a stack's push that loses updates is not linearizable; the Treiber stack is, on every run tried.</summary>
public sealed class LinearizabilityTestTests(ITestOutputHelper output)
{
    private static readonly string Schedules = Path.Combine(Path.GetTempPath(), "verification-controlled-tests");

    private sealed class Node(int value, Node? next)
    {
        public int Value { get; } = value;

        public Node? Next { get; } = next;
    }

    /// <summary>A Treiber stack through the interceptors (what rewriting makes of Interlocked calls); <paramref name="retryPush"/> false: the lost update.</summary>
    private sealed class Stack(bool retryPush)
    {
        private Node? head;

        public int? Apply(StackCall call)
        {
            if (call.Push)
            {
                while (true)
                {
                    var top = Volatile.Read(ref head);
                    var node = new Node(call.Value, top);
                    if (!retryPush)
                    {
                        ControlledInterlocked.Exchange(ref head, node);
                        return null;
                    }
                    if (ControlledInterlocked.CompareExchange(ref head, node, top) == top) return null;
                }
            }
            while (true)
            {
                var top = Volatile.Read(ref head);
                if (top is null) return null;
                if (ControlledInterlocked.CompareExchange(ref head, top.Next, top) == top) return top.Value;
            }
        }
    }

    private static StackCall Next(Random random) => random.Next(2) == 0 ? new StackCall(true, 1 + random.Next(9)) : new StackCall(false, 0);

    [Fact]
    public void APushThatLosesUpdates_IsNotLinearizable_AndTheReportShowsTheScenarioTheInterleavingAndTheHistory()
    {
        var result = LinearizabilityTest.Check(() => new Stack(retryPush: false), Next, (stack, call) => stack.Apply(call), new StackModel(),
            new LinearizabilityTestOptions { Threads = 2, OperationsPerThread = 3, Scenarios = 10, Runs = new ControlledOptions { Iterations = 200, ScheduleDirectory = Schedules } });
        output.WriteLine(result.ToString());
        var found = Assert.IsType<ControlledCounterexample>(result.AssertViolated(LinearizabilityChecker.Property));
        Assert.Equal(ControlledFailure.SpecViolation, found.Kind);
        Assert.Contains("scenario", result.Notes);
        Assert.Contains("thread 0:", result.Notes);
        Assert.NotEmpty(found.Trace);
        Assert.Contains("push", found.Details);
    }

    [Fact]
    public void TheTreiberStack_IsLinearizableOnEveryRunTried_AndSaysWhatWasTried()
    {
        var result = LinearizabilityTest.Check(() => new Stack(retryPush: true), Next, (stack, call) => stack.Apply(call), new StackModel(),
            new LinearizabilityTestOptions { Threads = 2, OperationsPerThread = 3, Scenarios = 10, Runs = new ControlledOptions { Iterations = 100, ScheduleDirectory = Schedules } });
        output.WriteLine(result.ToString());
        result.AssertHolds();
        Assert.Equal(1000, result.Coverage.Runs);
        Assert.Contains("10 scenarios of 2 threads × 3 operations", result.Within);
    }

    [Fact]
    public void AFailingRun_ReplaysFromItsFile_AndAScheduleOfAnotherTestIsRefused()
    {
        var options = new LinearizabilityTestOptions { Threads = 2, OperationsPerThread = 3, Scenarios = 10, Runs = new ControlledOptions { Iterations = 200, ScheduleDirectory = Schedules } };
        var found = Assert.IsType<ControlledCounterexample>(LinearizabilityTest.Check(() => new Stack(retryPush: false), Next, (stack, call) => stack.Apply(call), new StackModel(), options)
            .AssertViolated(LinearizabilityChecker.Property));
        var replay = LinearizabilityTest.Replay(() => new Stack(retryPush: false), Next, (stack, call) => stack.Apply(call), new StackModel(), found.SchedulePath!, options);
        // The same choices, hence the same interleaving (the trace names the caller's lambda, which differs here).
        Assert.Equal(found.Schedule.Decisions, Assert.IsType<ControlledCounterexample>(replay.AssertViolated(LinearizabilityChecker.Property)).Schedule.Decisions);

        var other = Assert.IsType<ControlledCounterexample>(ControlledTest.Run(() => throw new InvalidOperationException("not a stack"),
            new ControlledOptions { Subject = "something else", ScheduleDirectory = Schedules }).AssertViolated("InvalidOperationException"));
        var error = Assert.Throws<Verification.Specs.SpecException>(() =>
            LinearizabilityTest.Replay(() => new Stack(retryPush: false), Next, (stack, call) => stack.Apply(call), new StackModel(), other.SchedulePath!, options));
        Assert.Contains("not a schedule of this linearizability test", error.Message);
    }

    [Fact]
    public void BadOptions_AreRefusedInOneLine()
    {
        var error = Assert.Throws<Verification.Specs.SpecException>(() => LinearizabilityTest.Check(() => new Stack(true), Next, (s, c) => s.Apply(c), new StackModel(), new LinearizabilityTestOptions { Threads = 0 }));
        Assert.Contains("Threads must be 1..16 (got 0)", error.Message);
    }
}
