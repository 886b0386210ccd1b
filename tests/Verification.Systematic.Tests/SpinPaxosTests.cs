using System.Text.RegularExpressions;
using Verification.Checkers.Systematic;
using Verification.SpinPaxos;

namespace Verification.Systematic.Tests;

/// <summary>
/// The explorer against SPIN on the same Paxos model (bench/spin/paxos.pml and bench/Verification.SpinPaxos): the
/// same distinct states and transitions as pan, whose outputs bench/spin/run.sh keeps in bench/spin/results/ (read
/// here, so spin need not be installed to run the tests). The configuration with loss (1,352,201 states in both) is
/// compared by run.sh at every run rather than here: it takes minutes in a Debug test run.
/// </summary>
public sealed partial class SpinPaxosTests
{
    [Fact]
    public void OneBallotEachExploresExactlyTheStatesSpinStores()
    {
        var result = SpinPaxosNode.Explore(new SpinPaxosConfig(Rounds: 1));

        Assert.True(result.Holds, result.ToString());
        Assert.Equal(170_572, result.Coverage.States);
        var pan = Pan("paxos-b1-noloss-exact.pan.txt");
        Assert.Equal(pan.StatesStored, result.Coverage.States);
        // pan counts its initial state as a transition too ("transitions (= stored+matched)").
        Assert.Equal(pan.Transitions, result.Coverage.Transitions + 1);
    }

    /// <summary>
    /// The model in which a proposer clears what it no longer reads (paxos.pml -DCLEAR): again exactly pan's states and
    /// transitions, fewer of them (the two-ballot graph of this model is the one searched whole: bench/README), and
    /// the planted minority quorum still breaks agreement in it.
    /// </summary>
    [Fact]
    public void ClearingWhatIsNoLongerReadExploresExactlyTheStatesSpinStores()
    {
        var result = SpinPaxosNode.Explore(new SpinPaxosConfig(Rounds: 1, ClearUnread: true));

        Assert.True(result.Holds, result.ToString());
        Assert.Equal(101_408, result.Coverage.States);
        var pan = Pan("paxos-b1-noloss-clear-exact.pan.txt");
        Assert.Equal(pan.StatesStored, result.Coverage.States);
        Assert.Equal(pan.Transitions, result.Coverage.Transitions + 1);
        Assert.True(SpinPaxosNode.Explore(new SpinPaxosConfig(Rounds: 1, MinorityQuorum: true, ClearUnread: true)).IsViolated);
    }

    [Fact]
    public void HashCompactionStoresTheSameStatesAndSaysItMayHaveMissedSome()
    {
        var result = SpinPaxosNode.Explore(new SpinPaxosConfig(Rounds: 1), VisitedStore.HashCompaction);

        Assert.True(result.Holds, result.ToString());
        Assert.Equal(Pan("paxos-b1-noloss-exact.pan.txt").StatesStored, result.Coverage.States);
        Assert.Contains(result.Within, bound => bound.Contains("probability", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void BothToolsFindThePlantedMinorityQuorumBreakingAgreement()
    {
        var result = SpinPaxosNode.Explore(new SpinPaxosConfig(Rounds: 1, MinorityQuorum: true));

        Assert.True(result.IsViolated, result.ToString());
        Assert.Contains("Agreement", result.ToString());
        Assert.Contains("assertion violated ((chosen==0)||(chosen==v))", File.ReadAllText(Path.Combine(ResultsDirectory, "paxos-b1-noloss-bug-minority-quorum.pan.txt")));
    }

    [Fact]
    public void BallotsOutsideWhatThePromelaModelSupportsAreRefused()
    {
        var error = Assert.Throws<Verification.Specs.SpecException>(() => SpinPaxosNode.System(new SpinPaxosConfig(Rounds: 4)));
        Assert.Contains("1..3", error.Message);
    }

    private static (long StatesStored, long Transitions) Pan(string file)
    {
        var text = File.ReadAllText(Path.Combine(ResultsDirectory, file));
        Assert.DoesNotContain("Interrupted", text);
        return (long.Parse(StatesStored().Match(text).Groups[1].Value), long.Parse(Transitions().Match(text).Groups[1].Value));
    }

    [GeneratedRegex(@"(\d+) states, stored")]
    private static partial Regex StatesStored();

    [GeneratedRegex(@"(\d+) transitions \(= stored\+matched\)")]
    private static partial Regex Transitions();

    /// <summary>bench/spin/results under the directory holding Verification.sln.</summary>
    private static string ResultsDirectory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Verification.sln"))) return Path.Combine(dir.FullName, "bench", "spin", "results");
            throw new DirectoryNotFoundException("Verification.sln not found above the test's directory");
        }
    }
}
