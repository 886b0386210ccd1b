using Verification.Checkers.Systematic;
using Verification.SpinPaxos;

namespace Verification.Systematic.Tests;

/// <summary>
/// Bitstate hashing (SPIN's supertrace) on the SPIN comparison model (170,572 states, one ballot each): with room it
/// reaches every state and holds, saying what it is; with too few bits it reports Unknown with its estimate of the
/// states it missed, never Holds; it still finds a planted bug; a bad size is refused in one line.
/// </summary>
public sealed class BitstateTests
{
    private static CheckResult Sweep(long bits, bool minorityQuorum = false, int workers = 1) =>
        SpinPaxosNode.System(new SpinPaxosConfig(Rounds: 1, MinorityQuorum: minorityQuorum))
            .Tester(new TestOptions { CheckLiveness = false, DeliverIgnoredFirst = false, BitstateBits = bits, Parallelism = workers })
            .Explore(maxDepth: 1000, store: VisitedStore.Bitstate);

    [Fact]
    public void WithRoom_ReachesEveryState_AndHoldsSayingItIsASweep()
    {
        var result = Sweep(1L << 28);

        Assert.True(result.Holds, result.ToString());
        Assert.Equal(170_572, result.Coverage.States); // pan's count (SpinPaxosTests)
        Assert.Contains(result.Within, bound => bound.StartsWith("bitstate hashing (a sweep): 268,435,456 bits, 3 hash functions", StringComparison.Ordinal));
        Assert.Equal((1L << 28) / 8 / 170_572, result.Coverage.BytesPerState);
    }

    [Fact]
    public void TooFewBits_MissesStates_AndSaysUnknownWithTheEstimate()
    {
        var result = Sweep(1L << 16);

        Assert.Equal(Verdict.Unknown, result.Verdict);
        Assert.Equal(Inconclusive.Budget, result.Why);
        Assert.True(result.Coverage.States < 170_572, result.ToString());
        Assert.StartsWith("incomplete: a bitstate sweep, ≈ ", result.Reason);
        Assert.Contains("TestOptions.BitstateBits", result.Reason);
        // The estimate is printed as what made the sweep Unknown (at least 0.01), never rounded down to "≈ 0".
        var estimate = double.Parse(result.Reason!["incomplete: a bitstate sweep, ≈ ".Length..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(estimate >= 0.01, result.Reason);
    }

    [Fact]
    public void OnTwoWorkers_WithRoom_TheSameStates()
    {
        var result = Sweep(1L << 28, workers: 2);

        Assert.True(result.Holds, result.ToString());
        Assert.Equal(170_572, result.Coverage.States);
        Assert.Contains(result.Within, bound => bound.StartsWith("bitstate hashing (a sweep)", StringComparison.Ordinal));
    }

    [Fact]
    public void FindsThePlantedMinorityQuorum()
    {
        var result = Sweep(1L << 20, minorityQuorum: true);

        Assert.True(result.IsViolated, result.ToString());
        Assert.Equal("Agreement", result.Bug?.Property);
    }

    [Theory]
    [InlineData(1000L)]
    [InlineData(1L << 9)]
    [InlineData(1L << 37)]
    public void SizesThatAreNotAPowerOfTwoInRange_AreRefused(long bits)
    {
        var error = Assert.Throws<ConfigurationException>(() => Sweep(bits));
        Assert.Contains($"BitstateBits must be a power of two from 2^10 to 2^36 (got {bits})", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void AnArrayLargerThanTheMemoryLimit_IsRefusedBeforeItIsAllocated()
    {
        var options = new TestOptions { CheckLiveness = false, BitstateBits = 1L << 36, MaxSearchMemory = 1L << 30 };
        var error = Assert.Throws<ConfigurationException>(() => SpinPaxosNode.System(new SpinPaxosConfig()).Tester(options).Explore(maxDepth: 1000, store: VisitedStore.Bitstate));
        Assert.Contains("the bitstate array (8,589,934,592 bytes, TestOptions.BitstateBits) is larger than the search's memory limit (1,073,741,824 bytes", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
