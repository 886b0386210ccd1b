using Verification.Checkers;
using Verification.Checkers.Systematic;
using Verification.Protocols.Paxos;
using Verification.Runtime;
using Xunit.Abstractions;

namespace Verification.Protocols.Tests.Paxos;

/// <summary>Acceptor symmetry on Paxos: the same verdicts with and without it, fewer states with it, and proposers refused.</summary>
public class PaxosSymmetryTests(ITestOutputHelper output)
{
    private static readonly PaxosConfig Exhaustive = new(Proposers: 2, Acceptors: 3, MaxRounds: 1, Learners: 1);

    /// <summary>The check the system declares (so the CLI's count and this pin cannot drift apart): holds, a sixth of the states.</summary>
    [Fact]
    public void AcceptorSymmetry_SameVerdict_FewerStates()
    {
        var system = new PaxosSystem();
        var check = system.Checks.Single(check => check.Configuration == "exhaustive-symmetric" && check.Method is ExhaustiveSearch);
        Assert.Equal(Exhaustive with { AcceptorsSymmetric = true }, system.Configuration(check.Configuration));
        var report = system.Run(check, options => options with { DeliverIgnoredFirst = false });
        var withStaleFirst = system.Run(check);
        output.WriteLine(report.ToString());
        output.WriteLine(withStaleFirst.ToString());
        Assert.True(report.Holds);
        Assert.True(withStaleFirst.Holds);
        Assert.Contains(report.Within, bound => bound.StartsWith("symmetry over {n2,n3,n4}", StringComparison.Ordinal));
        Assert.Equal(115_813, report.Coverage.States); // pinned: 671,225 without symmetry (a sixth, plus the orbits a renaming fixes)
        Assert.Contains(report.Within, bound => bound.Contains("canonical keys: 1.16 renamings tried per key", StringComparison.Ordinal)); // ties among node signatures are rare
        // With stale messages delivered first too (IgnoredForever): 110,809 without symmetry, 19,659 with it — 34× fewer than neither.
        Assert.Contains(withStaleFirst.Within, bound => bound.StartsWith("partial-order reduction: a message its addressee ignores for ever", StringComparison.Ordinal));
        Assert.Equal(19_659, withStaleFirst.Coverage.States);
    }

    /// <summary>Several workers asked for, one used (the parallel search does not compute canonical keys yet): the result says so, with the same states.</summary>
    [Fact]
    public void AcceptorSymmetry_WithWorkersAsked_RunsOnOne_AndSaysSo()
    {
        var report = PaxosNode.System(Exhaustive with { AcceptorsSymmetric = true }).Tester(new TestOptions { CheckLiveness = false, Parallelism = 2 }).Explore(maxDepth: 100);
        output.WriteLine(report.ToString());
        Assert.True(report.Holds);
        Assert.Contains("on one worker (Parallelism = 2 asked: a node symmetry's canonical keys are not computed by the parallel search yet)", report.Method, StringComparison.Ordinal);
        Assert.Equal(19_659, report.Coverage.States);
    }

    /// <summary>
    /// Every planted bug that an exhaustive search of the small configuration can reach (with one amnesia crash for
    /// the forgotten promise) is found with and without acceptor symmetry, each time with a property the bug breaks
    /// (the forgetful acceptor is caught voting below the promise it forgot, VoteRespectsPromise, in both modes).
    /// </summary>
    [Theory]
    [InlineData(PaxosBug.AcceptorForgetsPromise, "PromiseOnlyHigher|VoteRespectsPromise")]
    [InlineData(PaxosBug.PromiseOmitsAcceptedValue, "PromiseReportsLastVote")]
    [InlineData(PaxosBug.ProposerIgnoresReportedValue, "ProposalIsSafe")]
    [InlineData(PaxosBug.MinorityQuorum, "ProposalBackedByQuorum|LearnOnlyChosen")]
    [InlineData(PaxosBug.AcceptsLowerBallot, "VoteRespectsPromise")]
    public void PlantedBugs_FoundWithAndWithoutSymmetry(PaxosBug bug, string properties)
    {
        var faults = bug == PaxosBug.AcceptorForgetsPromise ? new FaultModel { MaxCrashes = 1, MaxDownAtOnce = 1, CrashKinds = [CrashKind.Amnesia] } : new FaultModel();
        var options = new TestOptions { CheckLiveness = false, Faults = faults };
        var config = Exhaustive with { Bugs = bug };
        var plain = PaxosNode.System(config).Tester(options).Explore(maxDepth: 100);
        var reduced = PaxosNode.System(config with { AcceptorsSymmetric = true }).Tester(options).Explore(maxDepth: 100);
        output.WriteLine(plain.ToString());
        output.WriteLine(reduced.ToString());
        Assert.Contains(plain.Bug?.Property, properties.Split('|'));
        Assert.Contains(reduced.Bug?.Property, properties.Split('|'));
    }

    /// <summary>
    /// Proposers are not interchangeable: proposer i's ballots are round·P + i and it proposes value i. Declared
    /// symmetric anyway (with rename functions that rename nothing more), the search refuses the declaration at
    /// the first proposer step it checks, saying the renamed step differs.
    /// </summary>
    [Fact]
    public void ProposersDeclaredSymmetric_AreRefused()
    {
        var acceptors = PaxosNode.AcceptorSymmetry(Exhaustive);
        var protocol = PaxosNode.System(Exhaustive) with { Symmetry = acceptors with { Sets = [[0, 1]], SpecIndexed = [], SpecUnaffected = ["maxPromisedBallot", "lastVotedBallot", "lastVotedValue", "votes", "proposal", "proposed", "learnedValue"] } };
        var refused = Assert.Throws<ConfigurationException>(() => protocol.Tester(new TestOptions { CheckLiveness = false }).Explore(maxDepth: 100));
        output.WriteLine(refused.Message);
        Assert.Contains("symmetry over {n0,n1} of Paxos[None] is unsound: renaming n0→n1, n1→n0 and then taking", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refused.Message);
    }
}
