using Verification.Checkers.Smt;
using Verification.Protocols.ChainReplication;
using Verification.Specs;
using Xunit.Abstractions;

namespace Verification.Protocols.Tests.ChainReplication;

/// <summary>Chain replication's spec with one sequence per server: the Update Propagation Invariant in one line, proved and refuted by Z3, checked on histories.</summary>
public class ChainReplicationSpecTests(ITestOutputHelper output)
{
    [Fact]
    public void UpdatePropagation_ReadsAsOneLine()
    {
        var printed = ChainReplicationSpec.Create(3, 2).Print();
        output.WriteLine(printed);
        Assert.Single(printed.Split('\n'), line => line.Contains("invariant UpdatePropagation:"));
        Assert.Contains("hist_s(σe) = if e is UpdateAccepted then if e.Server = s then hist_s · e.Update else hist_s", printed);
        Assert.Contains("invariant UpdatePropagation: ∀i ∈ 0..2: ∀j ∈ 0..2: i ≥ j ∨ removed_i ∨ removed_j ∨ hist_j ⊑ hist_i", printed);
        Assert.Contains("guard FifoDownTheChain: ¬(e is UpdateForwarded) ∨ InChain(e.To) ∧ IsPredecessor(e.From, e.To) ∧ |hist_(e.To)| < |hist_(e.From)| ∧ e.Update = hist_(e.From)[|hist_(e.To)|]", printed);
    }

    [Fact]
    public void TheSpec_IsProvedByInduction_ForThreeServersAndThreeUpdates()
    {
        var spec = ChainReplicationSpec.Create(3, 3);
        var result = Prover.Prove(spec);
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Holds, result.Verdict);
        Assert.Contains(ChainReplicationSpec.UpdatePropagation, result.ToString());
    }

    [Fact]
    public void TakingUpdatesPastALiveServer_BreaksUpdatePropagation_WithAHistoryAPersonCanRead()
    {
        var spec = ChainReplicationSpec.Create(3, 2, skipLiveServers: true);
        var result = Prover.BoundedCheck(spec, depth: 4);
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Violated, result.Verdict);
        Assert.Equal(ChainReplicationSpec.UpdatePropagation, result.Counterexample!.Property);
        // The shortest way: the head accepts, the tail takes it straight from the head, past the middle server.
        Assert.Contains("UpdateForwarded(From: 0, To: 2", result.ToString());
    }

    [Fact]
    public void Histories_AreCheckedOnline_AndAFailedMiddleServerIsBridged()
    {
        var spec = ChainReplicationSpec.Create(3, 3);
        ChainEvent[] bridged = [new UpdateAccepted(0, 2), new UpdateForwarded(0, 1, 2), new ServerRemoved(1), new UpdateForwarded(0, 2, 2), new UpdateAccepted(0, 0)];
        Assert.Equal(Verdict.Holds, History.Check(spec, bridged).Verdict);
        ChainEvent[] outOfOrder = [new UpdateAccepted(0, 2), new UpdateAccepted(0, 1), new UpdateForwarded(0, 1, 1)];
        var result = History.Check(spec, outOfOrder);
        Assert.Equal(Verdict.Violated, result.Verdict);
        Assert.Equal("FifoDownTheChain", result.Violation!.Instance);
        Assert.Equal(3, result.Violation!.PrefixLength);
    }

    [Fact]
    public void WithClients_OnlyTheTailReplies_AndQueriesReadItsWholeHistory()
    {
        var spec = ChainReplicationSpec.WithClients(3, 2);
        ChainEvent[] fine = [new UpdateRequested(0, 1), new UpdateAccepted(0, 1), new UpdateForwarded(0, 1, 1), new UpdateForwarded(1, 2, 1),
            new UpdateReplied(2, 1), new UpdateAcknowledged(0, 1), new UpdateApplied(2, 1), new QueryAnswered(2, 1)];
        Assert.Equal(Verdict.Holds, History.Check(spec, fine).Verdict);

        var headReplies = History.Check(spec, [new UpdateAccepted(0, 1), new UpdateReplied(0, 1)]);
        Assert.Equal(ChainReplicationSpec.RepliesFromTheTailsHistory, headReplies.Violation!.Property.Name);
        // Once the tail is removed its predecessor is the tail, and may reply for what it has.
        Assert.Equal(Verdict.Holds, History.Check(spec, [new UpdateAccepted(0, 1), new UpdateForwarded(0, 1, 1), new ServerRemoved(2), new UpdateReplied(1, 1)]).Verdict);

        var staleQuery = History.Check(spec, [new UpdateAccepted(0, 1), new UpdateForwarded(0, 1, 1), new UpdateForwarded(1, 2, 1), new QueryAnswered(2, 0)]);
        Assert.Equal(ChainReplicationSpec.QueriesReadTheTail, staleQuery.Violation!.Property.Name);

        var twice = History.Check(spec, [new UpdateAccepted(0, 1), new UpdateApplied(0, 1), new UpdateApplied(0, 1)]);
        Assert.Equal(ChainReplicationSpec.EachUpdateAppliedOnce, twice.Violation!.Property.Name);
        var ahead = History.Check(spec, [new UpdateAccepted(0, 1), new UpdateApplied(1, 1)]);
        Assert.Equal(ChainReplicationSpec.AppliesItsHistoryInOrder, ahead.Violation!.Property.Name);
    }
}
