using Verification.Checkers.Systematic;

namespace Verification.Systematic.Tests;

public class VisitedStatesTests
{
    private static KeyWriter Key(int seed, int length)
    {
        var writer = new KeyWriter();
        var random = new Random(seed);
        for (var i = 0; i < length; i++) writer.Add(random.Next(-1000, 1000));
        return writer;
    }

    [Theory]
    [InlineData(VisitedStore.Exact)]
    [InlineData(VisitedStore.HashCompaction)]
    public void EveryDistinctKeyIsNewOnce_ThroughTableGrowth(VisitedStore store)
    {
        var visited = IVisitedStates.Create(store);
        // 50,000 keys of 1 to 300 numbers (so lengths cross the one-byte length prefix), each added twice.
        for (var round = 0; round < 2; round++)
            for (var k = 0; k < 50_000; k++)
                Assert.Equal(round == 0, visited.Add(Key(k, 1 + k % 300)));
        Assert.Equal(50_000, visited.Count);
        // Keys that share a prefix or differ only in length are different states.
        var shorter = new KeyWriter();
        shorter.Add(7);
        var longer = new KeyWriter();
        longer.Add(7);
        longer.Add(0);
        Assert.True(visited.Add(shorter));
        Assert.True(visited.Add(longer));
        Assert.False(visited.Add(shorter));
    }

    [Fact]
    public void ExactStore_KeepsAKeyLargerThanAChunk_AndTheKeysAroundIt()
    {
        var visited = IVisitedStates.Create(VisitedStore.Exact);
        Assert.True(visited.Add(Key(1, 10)));
        var huge = new KeyWriter();
        for (var i = 0; i < 9_000_000; i++) huge.Add(i); // ~26 MB of varints, more than a 16 MiB chunk
        Assert.True(visited.Add(huge));
        Assert.True(visited.Add(Key(2, 10)));
        Assert.False(visited.Add(huge));
        Assert.False(visited.Add(Key(1, 10)));
        Assert.False(visited.Add(Key(2, 10)));
        Assert.True(visited.Bytes > 26_000_000);
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(3 << 20)] // 24 MiB of longs: past the size at which huge pages are asked for
    public void LargeArrays_AreZeroedWhole_AtEverySize(int length)
    {
        var array = LargeArrays.Zeroed<long>(length);
        Assert.Equal(length, array.Length);
        Assert.Equal(-1, array.AsSpan().IndexOfAnyExcept(0L));
        for (var i = 0; i < length; i += 4096) array[i] = i + 1;
        array[^1] = -1;
        for (var i = 0; i < length - 1; i += 4096) Assert.Equal(i + 1, array[i]);
        Assert.Equal(-1, array[^1]);
    }

    [Fact]
    public void LargeArrays_TakeArraysOfMoreThan2GiB()
    {
        // 2 GiB of longs: more bytes than a span holds (a table past ~100 M states, a bitstate array of 2^34 bits).
        // Only its two ends are touched, so the test holds two pages, not 2 GiB.
        var array = LargeArrays.Zeroed<long>(1 << 28);
        Assert.Equal(1 << 28, array.Length);
        Assert.Equal(0, array[0]);
        Assert.Equal(0, array[^1]);
        array[^1] = 7;
        Assert.Equal(7, array[^1]);
    }
}
