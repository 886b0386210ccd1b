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
}
