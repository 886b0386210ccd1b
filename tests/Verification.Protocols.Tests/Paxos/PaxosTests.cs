using Verification.Checkers;
using Verification.Checkers.Systematic;
using Verification.Protocols.Paxos;
using Verification.Runtime;
using Verification.Specs.Consensus;
using Xunit.Abstractions;

namespace Verification.Protocols.Tests.Paxos;

public class QuorumTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(8)]
    public void Majorities_AlwaysIntersect(int nodes) => Assert.Null(QuorumSystem.Majority(nodes).FindDisjointQuorums());

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void HalfSizedQuorums_CanMissEachOther(int nodes)
    {
        var (first, second) = QuorumSystem.AtLeast(nodes, nodes / 2).FindDisjointQuorums()!.Value;
        Assert.Equal(0u, first & second);
    }

    [Fact]
    public void ExplicitSystems_AreCheckedNotAssumed()
    {
        Assert.Null(QuorumSystem.Explicit(4, [[0, 1], [1, 2], [0, 2, 3]]).FindDisjointQuorums());
        var disjoint = QuorumSystem.Explicit(4, [[0, 1], [2, 3]]).FindDisjointQuorums();
        Assert.NotNull(disjoint);
        Assert.Equal("{0,1}", QuorumSystem.Describe(disjoint.Value.First));
        Assert.Throws<Verification.Specs.SpecException>(() => QuorumSystem.Explicit(3, [[0, 5]]));
    }
}

/// <summary>Single-decree Paxos against the Paxos spec (protocol rules as guards, consensus as step properties).</summary>
public class PaxosTests(ITestOutputHelper output)
{
    private static TestOptions Options(int seed, long iterations, FaultModel? faults = null) => new()
    {
        Seed = seed,
        Iterations = iterations,
        MaxSteps = 120,
        CheckLiveness = false, // bounded rounds and lossy networks need not decide; safety is the question here
        Faults = faults ?? new FaultModel { MaxLosses = 2, MaxDuplicates = 1, MaxCrashes = 1, MaxDownAtOnce = 1, CrashKinds = [CrashKind.Amnesia] },
    };

    [Fact]
    public void CorrectPaxos_NoSafetyViolation_UnderTheFullFaultModel()
    {
        var config = new PaxosConfig();
        var report = PaxosNode.System(config).Tester(Options(1, 400, FaultModel.Full(f: 1, losses: 2, duplicates: 1, partitions: 1))).Run();
        output.WriteLine(report.ToString());
        report.AssertHolds();
    }

    [Theory]
    [InlineData(PaxosBug.AcceptorForgetsPromise, "PromiseOnlyHigher")]
    [InlineData(PaxosBug.PromiseOmitsAcceptedValue, "PromiseReportsLastVote")]
    [InlineData(PaxosBug.ProposerIgnoresReportedValue, "ProposalIsSafe")]
    [InlineData(PaxosBug.MinorityQuorum, "ProposalBackedByQuorum|LearnOnlyChosen")]
    [InlineData(PaxosBug.AcceptsLowerBallot, "VoteRespectsPromise")]
    public void PlantedBug_IsFound_WithTheSpecificProperty_AndReplays(PaxosBug bug, string property)
    {
        var tester = PaxosNode.System(new PaxosConfig(Bugs: bug)).Tester(Options(3, 3000));
        var found = tester.AssertFindsAndReplays(property.Split('|')); // a minority quorum breaks the proposer's rule or the learner's, whichever a run reaches first
        output.WriteLine(found.ToString());
    }

    /// <summary>The two bugs the protocol spec flags as broken rules also break consensus itself, checked against the Consensus spec alone.</summary>
    [Theory]
    [InlineData(PaxosBug.ProposerIgnoresReportedValue)]
    [InlineData(PaxosBug.MinorityQuorum)]
    public void RuleBreakingBugs_AlsoBreakAgreement_AgainstConsensusAlone(PaxosBug bug)
    {
        var config = new PaxosConfig(Bugs: bug);
        var system = PaxosNode.System(config) with { Spec = Verification.Protocols.Paxos.ConsensusSpec.Create(values: config.Proposers) };
        var tester = system.Tester(Options(3, 20_000));
        output.WriteLine(tester.AssertFindsAndReplays("Agreement").ToString());
    }

    /// <summary>
    /// Every interleaving of 2 proposers (one ballot each: ballots 0 and 1, so the second can preempt the first),
    /// 3 acceptors and one learner on an unordered network, checked against the whole Paxos spec (rules, invariants,
    /// consensus) in every reachable state.
    /// </summary>
    [Fact]
    public void TwoProposersThreeAcceptors_OneBallotEach_ExhaustivelySafe()
    {
        // The check the system declares (and the default check runs), so the pinned count and the CLI cannot drift apart.
        var system = new PaxosSystem();
        var check = system.Checks.Single(check => check.Configuration == "exhaustive" && check.Method is ExhaustiveSearch);
        Assert.Equal(new PaxosConfig(Proposers: 2, Acceptors: 3, MaxRounds: 1, Learners: 1), system.Configuration(check.Configuration));
        var full = system.Run(check, options => options with { DeliverIgnoredFirst = false });
        var report = system.Run(check);
        output.WriteLine(full.ToString());
        output.WriteLine(report.ToString());
        Assert.True(full.Holds);
        Assert.Equal(671_225, full.Coverage.States); // pinned (687,593 while keys also held what nodes persisted, unreadable without crashes)
        // As the check runs: stale prepares, accepts and replies delivered before anything else (Protocol.IgnoredForever).
        Assert.Null(report.Bug);
        Assert.True(report.Holds);
        Assert.Equal(110_809, report.Coverage.States); // pinned: 6.1× fewer
    }

    /// <summary>The same exhaustive search finds a planted bug in the same configuration.</summary>
    [Fact]
    public void TwoProposersThreeAcceptors_Exhaustive_FindsTheIgnoredReport()
    {
        var config = new PaxosConfig(Proposers: 2, Acceptors: 3, MaxRounds: 1, Learners: 1, Bugs: PaxosBug.ProposerIgnoresReportedValue);
        var report = PaxosNode.System(config).Tester(new TestOptions { CheckLiveness = false }).Explore(maxDepth: 100);
        output.WriteLine(report.ToString());
        Assert.Equal("ProposalIsSafe", report.Bug?.Property);
    }

    /// <summary>A network bound makes the search complete for runs that never have more messages in flight, and says how much it left out.</summary>
    [Fact]
    public void NetworkBound_CompletesWithinIt_AndReportsWhatItLeftOut()
    {
        var config = new PaxosConfig(Proposers: 2, Acceptors: 3, MaxRounds: 1, Learners: 1);
        var report = PaxosNode.System(config).Tester(new TestOptions { CheckLiveness = false }).Explore(maxDepth: 100, maxInFlight: 4);
        output.WriteLine(report.ToString());
        Assert.True(report.Holds);
        Assert.Null(report.Bug);
        Assert.Contains(report.Within, bound => bound.StartsWith("≤ 4 messages in flight (", StringComparison.Ordinal) && bound.EndsWith("states beyond it not expanded)", StringComparison.Ordinal));
        Assert.True(report.Coverage.States < 671_225);
    }
}
