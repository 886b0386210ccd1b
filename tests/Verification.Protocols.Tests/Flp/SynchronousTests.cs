using Verification.Checkers.Teaching;
using Xunit.Abstractions;

namespace Verification.Protocols.Tests.Flp;

/// <summary>The contrast to FLP: with lock-step rounds, f + 1 rounds decide; f rounds are broken by a chain of failures.</summary>
public class SynchronousTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(3, 1)]
    [InlineData(4, 2)]
    public void FloodSet_WithFPlusOneRounds_AgreesUnderEveryCrashPattern(int processes, int faults)
    {
        var result = Synchronous.FloodSet(processes, faults, rounds: faults + 1);
        output.WriteLine(result.ToString());
        result.AssertHolds();
        Assert.True(result.Coverage.Runs > 1 << processes, "every input vector, and more than one crash pattern each");
    }

    [Theory]
    [InlineData(3, 1)]
    [InlineData(4, 2)]
    public void FloodSet_WithFRounds_IsBrokenByAChainOfCrashes(int processes, int faults)
    {
        var result = Synchronous.FloodSet(processes, faults, rounds: faults);
        output.WriteLine(result.ToString());
        var run = Assert.IsType<SynchronousRun>(result.AssertViolated(Synchronous.Agreement));
        Assert.Equal(faults, run.Rounds.Split('\n').Count(line => line.Contains("crashes", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(4, new[] { 0 })]
    [InlineData(4, new[] { 2 })]
    [InlineData(4, new[] { 0, 1 })]
    public void DolevStrong_WithFPlusOneRounds_AgreesWhateverTheByzantineDo(int processes, int[] byzantine)
    {
        var result = Synchronous.DolevStrong(processes, byzantine, rounds: byzantine.Length + 1);
        output.WriteLine(result.ToString());
        result.AssertHolds();
    }

    [Theory]
    [InlineData(4, new[] { 0 })]
    [InlineData(4, new[] { 0, 1 })]
    public void DolevStrong_WithFRounds_IsBrokenByAByzantineSender(int processes, int[] byzantine)
    {
        var result = Synchronous.DolevStrong(processes, byzantine, rounds: byzantine.Length);
        output.WriteLine(result.ToString());
        result.AssertViolated(Synchronous.Agreement);
    }
}
