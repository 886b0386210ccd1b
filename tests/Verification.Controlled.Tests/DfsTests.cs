namespace Verification.Controlled.Tests;

public sealed class DfsTests
{
    /// <summary>
    /// The body starts task A, then task B, then blocks in WaitAll; A and B each make one Interlocked.Increment (a
    /// scheduling point) and finish. Cut each operation into the segments between its scheduling points:
    /// body b1 (to "Task.Run A"), b2 (to "Task.Run B"), b3 (WaitAll: it blocks unless A and B are done, else finishes),
    /// b4 (after the block: finishes); A: a1 (to the increment), a2 (increment, finish); B: c1, c2.
    /// A run is one order of the segments: b1 first; a1 &lt; a2; b2 &lt; c1 &lt; c2; b2 &lt; b3; b4 last, present
    /// exactly when b3 came before a2 or c2. Counting by k, the number of A's segments before b2 (k = 0, 1, 2): after
    /// b2 the remaining m = 4 − k segments of A and B interleave in C(m, 2) ways and b3 goes in any of m + 1 places,
    /// so 6·5 + 3·4 + 1·3 = 45 runs.
    /// </summary>
    [Fact]
    public void DepthFirstSearchEnumeratesExactlyTheInterleavingsOfATinyBody()
    {
        var runs = 0;
        var result = ControlledTest.Run(() =>
        {
            var count = 0;
            var a = ControlledTask.Run(() => ControlledInterlocked.Increment(ref count));
            var b = ControlledTask.Run(() => ControlledInterlocked.Increment(ref count));
            ControlledTask.WaitAll(a, b);
            Assert.Equal(2, count);
            runs++;
            return Task.CompletedTask;
        }, new ControlledOptions { Strategy = ControlledStrategy.Dfs, Iterations = 1000 });
        result.AssertHolds();
        Assert.Equal(45, result.Coverage.Runs);
        Assert.Equal(45, runs);
        Assert.Contains("every interleaving of the body (45 runs: the depth-first search is complete)", result.Within);
    }

    [Fact]
    public void ADepthFirstSearchCutByTheIterationBoundSaysSo()
    {
        var result = ControlledTest.Run(() =>
        {
            var count = 0;
            var a = ControlledTask.Run(() => ControlledInterlocked.Increment(ref count));
            var b = ControlledTask.Run(() => ControlledInterlocked.Increment(ref count));
            ControlledTask.WaitAll(a, b);
            return Task.CompletedTask;
        }, new ControlledOptions { Strategy = ControlledStrategy.Dfs, Iterations = 10 });
        Assert.Equal(Verdict.Unknown, result.Verdict);
        Assert.Equal(Inconclusive.SearchLimit, result.Why);
        Assert.Contains("stopped at 10 runs", result.Reason, StringComparison.Ordinal);
    }
}
