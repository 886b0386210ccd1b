using Verification.Checkers.Systematic;

namespace PingProtocol;

public class PingTests
{
    private static readonly PingSystem System = new();

    [Fact]
    public void StopAndWait_DeliversInOrder_InEveryScheduleWithReorderingAndDuplication()
    {
        var protocol = System.Build(new PingConfig(Pipelined: false));
        var result = protocol.Tester(new TestOptions { Faults = new FaultModel { MaxDuplicates = 2 } }).Explore(maxDepth: 100);

        result.AssertHolds();
        Assert.True(result.Coverage.States > 0, $"the search covered nothing: {result}");
    }

    [Fact]
    public void Pipelined_DeliversOutOfOrder_AndTheCounterexampleReplays()
    {
        var tester = System.Build(new PingConfig(Pipelined: true)).Tester(new TestOptions { Seed = 1, Iterations = 200, MaxSteps = 50 });

        var bug = tester.Run().AssertFound("InOrder", FailureKind.Safety);

        Assert.Equal("InOrder", tester.Replay(bug.Schedule).Property);
    }

    [Fact]
    public void EveryCheckTheSystemDeclares_GivesItsExpectedVerdict()
    {
        foreach (var check in System.Checks)
        {
            var result = System.Run(check);
            Assert.True(check.Expected.Matches(result), $"{check.Name}: expected {check.Expected}, got {result}");
        }
    }
}
