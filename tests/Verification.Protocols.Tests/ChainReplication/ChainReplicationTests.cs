using Verification.Checkers;
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

    [Theory]
    [InlineData(ChainBug.NoResendAfterMiddleFailure, ChainReplicationSpec.EveryUpdateAcknowledged, FailureKind.Liveness)]
    [InlineData(ChainBug.HeadReplies, ChainReplicationSpec.RepliesFromTheTailsHistory, FailureKind.Safety)]
    [InlineData(ChainBug.ResentUpdateAppliedTwice, ChainReplicationSpec.EachUpdateAppliedOnce, FailureKind.Safety)]
    [InlineData(ChainBug.TailAnswersBeforeApplying, ChainReplicationSpec.QueriesReadTheTail, FailureKind.Safety)]
    public void PlantedBug_IsFoundByThePortfolio_WithItsProperty_MinimisedAndReplayed(ChainBug bug, string property, FailureKind kind)
    {
        var found = Tester(new ChainConfig(Bug: bug), 20_000, seed: 32).AssertFindsAndReplays(property, kind);
        output.WriteLine(found.ToString());
        // The two bugs of reconfiguration need the middle server to halt and its predecessor to get a new successor.
        if (bug is ChainBug.NoResendAfterMiddleFailure or ChainBug.ResentUpdateAppliedTwice)
        {
            Assert.Contains(found.Schedule.Steps, s => s.Action == "crash n1 (stop)");
            Assert.Contains(found.Schedule.Steps, s => s.Action.StartsWith("deliver n3→n0: SuccessorChanged", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void SmallChain_ExhaustiveSearch_Holds_WithItsStateCountPinned()
    {
        // The check the system declares (and the default check runs), so the pinned count and the CLI cannot drift apart.
        var system = new ChainSystem();
        var report = system.Run(system.Checks.Single(check => check.Configuration == "exhaustive" && check.Method is ExhaustiveSearch));
        output.WriteLine(report.ToString());
        report.AssertHolds();
        Assert.Contains(report.Within, bound => bound.Contains("states beyond it not expanded"));
        // Three servers, the master and one client with one update and then its query: every order of deliveries, apply
        // and retry timers, every moment one server (any of the three) may halt and the detector tell the master, and
        // the reconfiguration that follows — 14,651 distinct states (node states, timers, in-flight messages, the crash
        // budget and the spec's values) within 4 messages in flight; the states with more (retries piling up) are not
        // expanded, which the report states. A change of the protocol, its spec or the search changes this number.
        Assert.Equal(14_651, report.Coverage.States); // 48,356 while messages to a crash-stopped server split states and the key held the order of sends across links
    }

    [Theory]
    [InlineData(1, 2, 1, "2 to 16 servers")]            // with one server a failure leaves no chain to reconfigure
    [InlineData(3, 0, 1, "at least one client")]
    [InlineData(3, 9, 2, "at most 16 updates")]         // the spec's sequences are bounded by the updates
    public void AConfigurationTheNodesCannotRun_IsRejected_NamingTheSetting(int servers, int clients, int updatesPerClient, string expected)
    {
        var error = Assert.Throws<Verification.Specs.SpecException>(() => ChainNode.System(new ChainConfig(servers, clients, updatesPerClient)));
        Assert.Contains(expected, error.Message);
        Assert.StartsWith("ChainReplication:", error.Message);
    }
}
