using Verification.AsyncExamples.AsyncRaft;
using Verification.AsyncExamples.LockFreeStack;
using Verification.AsyncExamples.Tests.AsyncRaft;
using Verification.Checkers.Linearizability;
using Verification.Controlled;
using Verification.Protocols.Raft;
using Xunit.Abstractions;

namespace Verification.AsyncExamples.Tests;

/// <summary>The lock-free stack by the Lincheck-style test, and the async Raft replica against RaftSpec and ReplicatedLogSpec, under the controlled runtime.</summary>
public sealed class ControlledExampleTests(ITestOutputHelper output)
{
    private static readonly string Schedules = Path.Combine(Path.GetTempPath(), "verification-async-examples");

    private static StackCall NextCall(Random random) => random.Next(2) == 0 ? new StackCall(true, 1 + random.Next(9)) : new StackCall(false, 0);

    private static int? Apply(Action<int> push, TryPop pop, StackCall call)
    {
        if (call.Push)
        {
            push(call.Value);
            return null;
        }
        return pop(out var value) ? value : null;
    }

    private delegate bool TryPop(out int value);

    private static LinearizabilityTestOptions StackOptions(long runs) =>
        new() { Threads = 2, OperationsPerThread = 3, Scenarios = 20, Runs = new ControlledOptions { Iterations = runs, ScheduleDirectory = Schedules } };

    [Fact]
    public void TheStackWhosePushLosesUpdates_IsNotLinearizable()
    {
        var result = LinearizabilityTest.Check(() => new LockFreeStack<int>(), NextCall, (stack, call) => Apply(stack.Push, stack.TryPop, call), new StackModel(), StackOptions(200));
        output.WriteLine(result.ToString());
        var found = Assert.IsType<ControlledCounterexample>(result.AssertViolated(LinearizabilityChecker.Property));
        Assert.Contains("Interlocked.Exchange", string.Join("\n", found.Trace));
        Assert.Contains("not linearizable", found.Details);
    }

    [Fact]
    public void TheTreiberStack_IsLinearizableOverALargeBudget()
    {
        var result = LinearizabilityTest.Check(() => new TreiberStack<int>(), NextCall, (stack, call) => Apply(stack.Push, stack.TryPop, call), new StackModel(), StackOptions(250));
        output.WriteLine(result.ToString());
        result.AssertHolds();
        Assert.Equal(5_000, result.Coverage.Runs);
    }

    private const int Servers = 3;
    private const int Commands = 1;
    private const int LogLength = 16;
    private const int Terms = 48;

    private static readonly Lazy<Verification.Specs.Spec<RaftEvent>> Spec = new(() => RaftRefinement.RefinesReplicatedLog(Servers, LogLength, Terms, Commands));

    /// <summary>
    /// Three replicas and one client; the network adds no randomness of its own, so the scheduler's choices are the
    /// only source. No deadline (an infinite delay never fires): a timer may fire at any scheduling point, so a finite
    /// one could cut a run before anything happened. The cluster stops once the client is answered; only safety is
    /// judged (CheckLiveness off), since a replica need not have applied everything when the cluster stops.
    /// </summary>
    private static Func<Task> Cluster(bool unserialisedApply, List<bool>? answered = null) => async () =>
    {
        var options = new AsyncRaftOptions { MaxMessageDelay = TimeSpan.Zero, DropProbability = 0, Deadline = Timeout.InfiniteTimeSpan, UnserialisedApply = unserialisedApply };
        var run = await AsyncRaftCluster.RunAsync(Servers, Commands, options, new ControlledRaftObserver(), new Random(7), CancellationToken.None);
        answered?.Add(run.AllAnswered);
    };

    [Fact]
    public void TheAsyncRaftReplica_ThatAppliesUnserialised_BreaksAppliedInOrder_FoundAndReplayed()
    {
        var body = Cluster(unserialisedApply: true);
        var result = ControlledTest.Run(Spec.Value, body, new ControlledOptions { Subject = "async Raft, unserialised apply", Iterations = 300, MaxSteps = 20_000, CheckLiveness = false, ScheduleDirectory = Schedules });
        output.WriteLine(result.ToString());
        var found = Assert.IsType<ControlledCounterexample>(result.AssertViolated("AppliedInOrder", "ReplicatedLog.AppliedInOrder"));
        var replay = ControlledTest.Replay(Spec.Value, body, found.SchedulePath!, new ControlledOptions { CheckLiveness = false });
        replay.AssertViolated(found.Property);
    }

    [Fact]
    public void TheAsyncRaftReplica_SatisfiesRaftAndTheReplicatedLog_OnEveryRunTried()
    {
        // Partially synchronous timers: with timers free to fire at any point, elections can restart for ever before a
        // vote arrives (FLP's adversary), and no run gets the command committed. Every other interleaving is explored.
        var answered = new List<bool>();
        var result = ControlledTest.Run(Spec.Value, Cluster(unserialisedApply: false, answered),
            new ControlledOptions { Subject = "async Raft", Iterations = 1_000, MaxSteps = 20_000, CheckLiveness = false, TimersOnlyWhenIdle = true, ScheduleDirectory = Schedules });
        output.WriteLine(result.ToString());
        result.AssertHolds();
        Assert.Equal(1_000, result.Coverage.Runs);
        // Not vacuous: every run elects a leader, commits the command and answers the client.
        output.WriteLine($"{answered.Count(a => a)} of {answered.Count} runs answered the client");
        Assert.True(answered.All(a => a), $"only {answered.Count(a => a)} of {answered.Count} runs answered the client");
    }
}
