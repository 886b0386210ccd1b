using Verification.Specs;

namespace Verification.Controlled.Tests;

public sealed class ScheduleFileTests
{
    private static string TempFile(string content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"controlled-schedule-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void AMissingOrMalformedFileIsAOneLineErrorNamingIt()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-schedule.json");
        Assert.Equal($"{missing}: schedule file not found", Assert.Throws<SpecException>(() => ControlledSchedule.Load(missing)).Message);
        var malformed = TempFile("{ \"Subject\": \"x\", \"Decisions\": [1, ");
        var error = Assert.Throws<SpecException>(() => ControlledSchedule.Load(malformed));
        Assert.StartsWith($"{malformed}: not a controlled schedule (line ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", error.Message, StringComparison.Ordinal);
        var noDecisions = TempFile("{ \"Subject\": \"x\", \"Strategy\": \"random\", \"MaxSteps\": 10 }");
        Assert.Equal($"{noDecisions}: \"Decisions\" is missing (a list of choices)", Assert.Throws<SpecException>(() => ControlledSchedule.Load(noDecisions)).Message);
    }

    [Fact]
    public void ReplayingOnABodyThatRunsDifferentlySaysWhere()
    {
        var found = ControlledTest.Run(Bodies.LostUpdate, new ControlledOptions { Iterations = 50, ScheduleDirectory = Path.Combine(Path.GetTempPath(), "verification-controlled-tests") });
        var bug = Assert.IsType<ControlledCounterexample>(found.AssertViolated("EqualException"));
        // A body with one task fewer: the recorded choices name operations it never creates.
        var error = Assert.Throws<SpecException>(() => ControlledTest.Replay(async () => await ControlledTask.Run(() => Bodies.RacyIncrement(new Bodies.Counter())), bug.SchedulePath!));
        Assert.StartsWith(bug.SchedulePath!, error.Message, StringComparison.Ordinal);
        Assert.Contains("the body did not run as when it was recorded", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidOptionsAreRejectedByName()
    {
        Assert.Equal("ControlledOptions.Iterations must be at least 1 (got 0)", Assert.Throws<SpecException>(() => ControlledTest.Run(() => Task.CompletedTask, new ControlledOptions { Iterations = 0 })).Message);
        Assert.Equal("ControlledOptions.Watchdog must be positive (got 00:00:00)", Assert.Throws<SpecException>(() => ControlledTest.Run(() => Task.CompletedTask, new ControlledOptions { Watchdog = TimeSpan.Zero })).Message);
    }
}
