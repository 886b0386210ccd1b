using Xunit.Abstractions;

namespace Verification.Controlled.Tests;

public sealed class RaceTests(ITestOutputHelper output)
{
    private static readonly string Schedules = Path.Combine(Path.GetTempPath(), "verification-controlled-tests");

    [Fact]
    public void LostUpdateWithTaskYieldIsFoundAndReplaysFromItsFile()
    {
        var result = ControlledTest.Run(Bodies.LostUpdate, new ControlledOptions { Subject = "LostUpdate", Iterations = 50, ScheduleDirectory = Schedules });
        var bug = Assert.IsType<ControlledCounterexample>(result.AssertViolated("EqualException"));
        Assert.Equal(ControlledFailure.Exception, bug.Kind);
        Assert.NotNull(bug.SchedulePath);
        Assert.Contains("resume Bodies.RacyIncrement", string.Join("\n", bug.Trace));

        var replay = ControlledTest.Replay(Bodies.LostUpdate, bug.SchedulePath!);
        var again = Assert.IsType<ControlledCounterexample>(replay.AssertViolated("EqualException"));
        Assert.Equal(bug.Trace, again.Trace);
        Assert.Equal(bug.Schedule.Decisions, again.Schedule.Decisions);
    }

    [Fact]
    public void WithoutTheLockTheUpdateIsLost()
    {
        var result = ControlledTest.Run(Bodies.IncrementTwice(locked: false), new ControlledOptions { Strategy = ControlledStrategy.Dfs, Iterations = 1000, ScheduleDirectory = Schedules });
        result.AssertViolated("EqualException");
    }

    [Fact]
    public void AContendedLockSerialisesTheIncrements()
    {
        // Every interleaving: the depth-first search completes, so this is a proof for this body.
        var result = ControlledTest.Run(Bodies.IncrementTwice(locked: true), new ControlledOptions { Strategy = ControlledStrategy.Dfs, Iterations = 10_000, ScheduleDirectory = Schedules });
        output.WriteLine(result.ToString());
        result.AssertHolds();
        Assert.Contains(result.Within, w => w.Contains("depth-first search is complete", StringComparison.Ordinal));
        Assert.True(result.Coverage.Runs > 1, result.ToString());
    }

    [Fact]
    public void TheSameSeedGivesTheSameRunAndTrace()
    {
        var options = new ControlledOptions { Iterations = 50, Seed = 7, ScheduleDirectory = Schedules, Minimize = false };
        var first = Assert.IsType<ControlledCounterexample>(ControlledTest.Run(Bodies.LostUpdate, options).AssertViolated("EqualException"));
        var second = Assert.IsType<ControlledCounterexample>(ControlledTest.Run(Bodies.LostUpdate, options).AssertViolated("EqualException"));
        Assert.Equal(first.Schedule.Iteration, second.Schedule.Iteration);
        Assert.Equal(first.Schedule.Decisions, second.Schedule.Decisions);
        Assert.Equal(first.Trace, second.Trace);
    }

    /// <summary>
    /// Three tasks that only yield, started before the racy pair: a random run interleaves them everywhere, and the
    /// minimised schedule keeps only the preemptions the lost update needs (none here: by default every task reads
    /// before any writes), so it has fewer preemptions and fewer scheduling points than the run that found it.
    /// </summary>
    [Fact]
    public void MinimisationShortensTheTrace()
    {
        static async Task Body()
        {
            var counter = new Bodies.Counter();
            var noise = Enumerable.Range(0, 3).Select(_ => ControlledTask.Run(async () =>
            {
                for (var i = 0; i < 10; i++) await Task.Yield();
            })).ToList();
            await Task.WhenAll(ControlledTask.Run(() => Bodies.RacyIncrement(counter)), ControlledTask.Run(() => Bodies.RacyIncrement(counter)));
            Assert.Equal(2, counter.Value);
            await Task.WhenAll(noise);
        }
        var options = new ControlledOptions { Strategy = ControlledStrategy.Random, Iterations = 100, ScheduleDirectory = Schedules };
        var result = ControlledTest.Run(Body, options);
        output.WriteLine(result.ToString());
        var bug = Assert.IsType<ControlledCounterexample>(result.AssertViolated("EqualException"));
        Assert.True(bug.Preemptions < bug.OriginalPreemptions, bug.Describe());
        Assert.True(bug.Schedule.Decisions.Count < bug.OriginalSteps, bug.Describe());
        Assert.Contains("minimised from", bug.Describe(), StringComparison.Ordinal);
        // The minimised schedule still replays to the same failure.
        ControlledTest.Replay(Body, bug.Schedule).AssertViolated("EqualException");
    }

    /// <summary>
    /// Operations run on threads the runtime owns and reuses: 300 runs of a body with a few operations each (over 1,000
    /// operations) create far fewer threads. Other test classes running in parallel create some too, hence the margin.
    /// </summary>
    [Fact]
    public void OperationThreadsAreReusedAcrossOperationsAndRuns()
    {
        var before = OperationThreads.Created;
        var onPool = false;
        var result = ControlledTest.Run(async () =>
        {
            await ControlledTask.Run(async () =>
            {
                onPool |= Thread.CurrentThread.IsThreadPoolThread;
                await Task.Yield();
                onPool |= Thread.CurrentThread.IsThreadPoolThread;
            });
        }, new ControlledOptions { Iterations = 300 });
        result.AssertHolds();
        Assert.True(result.Coverage.Steps > 1000, result.Summary);
        Assert.True(OperationThreads.Created - before < 200, $"{OperationThreads.Created - before} threads for {result.Coverage.Steps} scheduling points");
        Assert.False(onPool);
    }
}
