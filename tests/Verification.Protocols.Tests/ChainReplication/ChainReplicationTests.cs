using Verification.Checkers.Systematic;
using Verification.Protocols.ChainReplication;
using Xunit.Abstractions;

namespace Verification.Protocols.Tests.ChainReplication;

/// <summary>Chain replication's servers, master and clients, checked against the chain spec with its service obligations and the key-value refinement.</summary>
public class ChainReplicationTests(ITestOutputHelper output)
{
    private static SystematicTester<ChainNodeState, ChainMessage, ChainTimer, ServerLog, ChainEvent> Tester(ChainConfig config, long iterations, int seed) =>
        new(ChainNode.System(config), ChainSystem.Options(config, iterations) with { Seed = seed });

    [Fact]
    public void Correct_HoldsOver10000PortfolioRuns_UnderItsFaultModel()
    {
        var report = Tester(new ChainConfig(), 10_000, seed: 31).Run();
        output.WriteLine(report.ToString());
        report.AssertHolds();
        Assert.Equal(10_000, report.Coverage.Runs);
    }
}
