using Verification.Checkers.Systematic;
using Verification.SpinPaxos;

namespace Verification.Systematic.Tests;

/// <summary>SPIN's Paxos model with its acceptors declared interchangeable: the same verdicts, fewer states, and it says so.</summary>
public sealed class SpinPaxosSymmetryTests
{
    [Fact]
    public void OneBallotEach_Holds_UpToRenamingAcceptors_CountPinned()
    {
        var plain = SpinPaxosNode.Explore(new SpinPaxosConfig(Rounds: 1));
        var reduced = SpinPaxosNode.Explore(new SpinPaxosConfig(Rounds: 1, AcceptorsSymmetric: true));
        Assert.True(plain.Holds && reduced.Holds, reduced.ToString());
        Assert.Contains(reduced.Within, bound => bound.StartsWith("symmetry over {n2,n3,n4}", StringComparison.Ordinal));
        Assert.Equal(170_572, plain.Coverage.States); // SPIN's count
        Assert.Equal(29_378, reduced.Coverage.States); // pinned: 5.8× fewer (a sixth, plus the orbits a renaming fixes)
    }

    [Fact]
    public void PlantedMinorityQuorum_FoundWithAndWithoutSymmetry()
    {
        foreach (var symmetric in new[] { false, true })
        {
            var result = SpinPaxosNode.Explore(new SpinPaxosConfig(Rounds: 1, MinorityQuorum: true, AcceptorsSymmetric: symmetric));
            Assert.Equal("Agreement", result.Bug?.Property);
        }
    }

    /// <summary>
    /// The "two ballots for one proposer" (paxos.pml -DBALLOTS=2 -DBALLOTS1=1): unreduced it is 39,252,458
    /// states with CLEAR and 65,137,130 with it off (bench/README: minutes, so measured there); with stale messages
    /// delivered first and the acceptors interchangeable it completes in seconds, holds, and the counts are pinned —
    /// and the planted minority quorum is found under the same reductions.
    /// </summary>
    [Theory]
    [InlineData(true, 26_732L)]
    [InlineData(false, 41_871L)]
    public void TwoBallotsForOneProposer_BothReductions_Holds_CountPinned_PlantedBugFound(bool clear, long pinned)
    {
        var config = new SpinPaxosConfig(Rounds: 2, SecondProposerRounds: 1, AcceptorsSymmetric: true, ClearUnread: clear);
        var result = SpinPaxosNode.Explore(config, deliverIgnoredFirst: true);
        Assert.True(result.Holds, result.ToString());
        Assert.Equal(pinned, result.Coverage.States);
        Assert.Equal("Agreement", SpinPaxosNode.Explore(config with { MinorityQuorum = true }, deliverIgnoredFirst: true).Bug?.Property);
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(2, 3)]
    [InlineData(1, 2)]
    public void SecondProposersBallotsOutsideOneToTheFirstsAreRefused(int rounds, int second)
    {
        var error = Assert.Throws<Verification.Specs.SpecException>(() => SpinPaxosNode.System(new SpinPaxosConfig(Rounds: rounds, SecondProposerRounds: second)));
        Assert.Contains($"proposer 1's ballots must be 1..{rounds}", error.Message);
        Assert.Contains($"got {second}", error.Message);
    }
}
