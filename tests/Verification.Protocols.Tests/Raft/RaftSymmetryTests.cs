using Verification.Checkers;
using Verification.Checkers.Systematic;
using Verification.Protocols.Raft;
using Verification.Runtime;
using Verification.Specs;
using Xunit.Abstractions;

namespace Verification.Protocols.Tests.Raft;

/// <summary>Server symmetry on Raft: the declared check's canonical count, the same verdicts with and without it, and unsound declarations refused.</summary>
public class RaftSymmetryTests(ITestOutputHelper output)
{
    /// <summary>Symmetry alone: stale replies are not delivered first here (PartialOrderReductionTests covers that reduction).</summary>
    private static readonly TestOptions OneAmnesiaCrash = new() { CheckLiveness = false, DeliverIgnoredFirst = false, Faults = new FaultModel { MaxCrashes = 1, MaxDownAtOnce = 1, CrashKinds = [CrashKind.Amnesia] } };

    private static Protocol<RaftNodeState, RaftMessage, RaftTimer, RaftDurable, RaftEvent> Symmetric(RaftBug bug = RaftBug.None, int terms = 1) =>
        RaftNode.System(RaftConfig.ForExhaustiveSearchWithRealBehaviourSymmetric() with { Bugs = bug, MaxTerm = terms });

    /// <summary>The same system with the declaration taken away: the same behaviour, searched without symmetry.</summary>
    private static Protocol<RaftNodeState, RaftMessage, RaftTimer, RaftDurable, RaftEvent> Plain(RaftBug bug = RaftBug.None, int terms = 1) => Symmetric(bug, terms) with { Symmetry = null };

    /// <summary>The check the system declares: holds, says it was reduced, and the canonical count is pinned.</summary>
    [Fact]
    public void ServerSymmetry_RealBehaviour_Holds_CountPinned()
    {
        var system = new RaftSystem();
        var check = system.Checks.Single(check => check.Configuration == "exhaustive-real-symmetric" && check.Method is ExhaustiveSearch);
        Assert.Equal(RaftConfig.ForExhaustiveSearchWithRealBehaviour() with { ServersSymmetric = true }, system.Configuration(check.Configuration));
        var symmetryAlone = system.Run(check, options => options with { DeliverIgnoredFirst = false });
        var report = system.Run(check);
        output.WriteLine(symmetryAlone.ToString());
        output.WriteLine(report.ToString());
        Assert.True(symmetryAlone.Holds);
        Assert.Equal(385_180, symmetryAlone.Coverage.States); // pinned (2,307,981 without symmetry: bench/README)
        Assert.Equal(1_907_971, symmetryAlone.Coverage.Transitions);
        // As the check runs: up to renaming servers, and stale replies delivered first.
        Assert.True(report.Holds);
        Assert.Contains(report.Within, bound => bound.StartsWith("symmetry over {n0,n1,n2}", StringComparison.Ordinal));
        Assert.Contains(report.Within, bound => bound.StartsWith("partial-order reduction: a message its addressee ignores for ever", StringComparison.Ordinal));
        Assert.Contains(report.Within, bound => bound.Contains("≤ 4 messages in flight"));
        Assert.DoesNotContain("incomplete", report.ToString());
        Assert.Equal(359_318, report.Coverage.States); // pinned
    }

    /// <summary>Within 3 messages in flight (a cheap search): both hold, and up to renaming the servers 5.9× fewer states.</summary>
    [Fact]
    public void ServerSymmetry_SameVerdict_FewerStates()
    {
        var plain = Plain().Tester(OneAmnesiaCrash).Explore(maxDepth: 10_000, maxInFlight: 3);
        var reduced = Symmetric().Tester(OneAmnesiaCrash).Explore(maxDepth: 10_000, maxInFlight: 3);
        output.WriteLine(plain.ToString());
        output.WriteLine(reduced.ToString());
        Assert.True(plain.Holds && reduced.Holds);
        Assert.DoesNotContain(plain.Within, bound => bound.Contains("symmetry", StringComparison.Ordinal));
        Assert.Equal(23_989, plain.Coverage.States); // pinned
        Assert.Equal(4_076, reduced.Coverage.States);
    }

    /// <summary>
    /// The planted bugs an exhaustive search of the small configuration reaches (3 servers, one request, ≤ 4 in flight,
    /// one amnesia crash; a second term for the vote without the log check) are found with and without server
    /// symmetry, each with the property the bug breaks. (AppendsWithoutTruncating needs five servers and Figure 8
    /// more terms than a test-sized search; LeaderReadsLocally is caught by the whole-history linearizability check,
    /// which symmetry refuses.)
    /// </summary>
    [Theory]
    [InlineData(RaftBug.ForgetsVote, 1, "ElectionSafety")]
    [InlineData(RaftBug.NoDeduplication, 1, "ExecutedOnce")]
    [InlineData(RaftBug.VotesWithoutLogCheck, 2, "LeaderCompleteness")]
    public void PlantedBugs_FoundWithAndWithoutSymmetry(RaftBug bug, int terms, string property)
    {
        var plain = Plain(bug, terms).Tester(OneAmnesiaCrash).Explore(maxDepth: 10_000, maxInFlight: RaftConfig.ExhaustiveSearchSymmetricInFlight);
        var reduced = Symmetric(bug, terms).Tester(OneAmnesiaCrash).Explore(maxDepth: 10_000, maxInFlight: RaftConfig.ExhaustiveSearchSymmetricInFlight);
        output.WriteLine(plain.ToString());
        output.WriteLine(reduced.ToString());
        Assert.Equal(property, plain.Bug?.Property);
        Assert.Equal(property, reduced.Bug?.Property);
        Assert.Contains(reduced.Within, bound => bound.StartsWith("symmetry over {n0,n1,n2}", StringComparison.Ordinal));
    }

    /// <summary>
    /// Four servers (heartbeats, retries to every server, one amnesia crash, one term, ≤ 5 in flight: a retry to every
    /// server is four messages): the issue's ≥ 10× for Raft. Unreduced and symmetry alone are too long for a unit test
    /// (bench/README, "Stale messages first", gives both); here the count with both reductions is pinned, and a
    /// planted re-execution of a retried request is found under both, so the configuration does commit and answer.
    /// </summary>
    [Fact]
    public void FourServers_BothReductions_CountPinned_PlantedBugFound()
    {
        var four = RaftConfig.ForExhaustiveSearchWithRealBehaviourSymmetric() with { Servers = 4 };
        var staleFirst = OneAmnesiaCrash with { DeliverIgnoredFirst = true };
        var bug = RaftNode.System(four with { Bugs = RaftBug.NoDeduplication }).Tester(staleFirst).Explore(maxDepth: 10_000, maxInFlight: 5);
        output.WriteLine(bug.ToString());
        Assert.Equal("ExecutedOnce", bug.Bug?.Property);
        var both = RaftNode.System(four).Tester(staleFirst).Explore(maxDepth: 10_000, maxInFlight: 5, store: VisitedStore.HashCompaction);
        output.WriteLine(both.ToString());
        Assert.True(both.Holds);
        Assert.Contains(both.Within, bound => bound.StartsWith("symmetry over {n0,n1,n2,n3}", StringComparison.Ordinal));
        Assert.Contains(both.Within, bound => bound.StartsWith("partial-order reduction: a message its addressee ignores for ever", StringComparison.Ordinal));
        Assert.Equal(1_299_578, both.Coverage.States); // pinned
        Assert.Equal(7_468_116, both.Coverage.Transitions);
    }

    /// <summary>
    /// In the exhaustive configuration client k sends only to server k mod 3. Declared symmetric anyway (bypassing
    /// the configuration's refusal), the search refuses the declaration at the first client send it checks.
    /// </summary>
    [Fact]
    public void ClientSendingToOneServer_DeclaredSymmetric_IsRefused()
    {
        var config = RaftConfig.ForExhaustiveSearch();
        var protocol = RaftNode.System(config) with { Symmetry = RaftNode.ServerSymmetry(config) };
        var refused = Assert.Throws<ConfigurationException>(() => protocol.Tester(new TestOptions { CheckLiveness = false }).Explore(maxDepth: 200, maxInFlight: RaftConfig.ExhaustiveSearchInFlight));
        output.WriteLine(refused.Message);
        Assert.Contains("symmetry over {n0,n1,n2} of Raft[", refused.Message, StringComparison.Ordinal);
        Assert.Contains("is unsound: renaming", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refused.Message);
    }

    /// <summary>Retries to one server at a time, in id order (the asymmetric real-behaviour configuration), declared symmetric: refused too.</summary>
    [Fact]
    public void RetriesInIdOrder_DeclaredSymmetric_AreRefused()
    {
        var config = RaftConfig.ForExhaustiveSearchWithRealBehaviour();
        var protocol = RaftNode.System(config) with { Symmetry = RaftNode.ServerSymmetry(config) };
        var refused = Assert.Throws<ConfigurationException>(() => protocol.Tester(OneAmnesiaCrash).Explore(maxDepth: 10_000, maxInFlight: 3));
        output.WriteLine(refused.Message);
        Assert.Contains("is unsound: renaming", refused.Message, StringComparison.Ordinal);
        Assert.Contains("timer n3 'Submit'", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refused.Message);
    }

    /// <summary>The configuration flag is refused, in one line naming the setting, where it would be unsound or unsupported.</summary>
    [Fact]
    public void ServersSymmetric_WithoutRetries_IsRefusedByTheConfiguration()
    {
        var withoutRetries = Assert.Throws<SpecException>(() => RaftNode.System(RaftConfig.ForExhaustiveSearch() with { ServersSymmetric = true }));
        output.WriteLine(withoutRetries.Message);
        Assert.Contains("ServersSymmetric needs ClientRetries", withoutRetries.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', withoutRetries.Message);
        var withRefinement = Assert.Throws<SpecException>(() => RaftNode.System(new RaftConfig { ServersSymmetric = true, RefinesReplicatedLog = true }));
        Assert.Contains("ServersSymmetric is declared for the Raft spec alone", withRefinement.Message, StringComparison.Ordinal);
    }
}
