using Verification.Protocols.Raft;
using Verification.Specs;

namespace Verification.Protocols.Tests.Raft;

/// <summary>RaftModel evaluated on histories: the protocol's rules as guards, and what the state equations compute.</summary>
public class RaftModelTests
{
    private static readonly Spec<RaftStep> Model = RaftModel.Create(servers: 3, terms: 3, logLength: 2, commands: 2);

    /// <summary>s0 wins term 1 with s1's vote, appends command 1, s1 stores it, s0 commits it, and both learn the commit.</summary>
    private static readonly RaftStep[] ElectCommitLearn =
    [
        new ElectionStarted(0, 1), new VoteGranted(1, 0, 1), new LeaderElected(0, 1), new CommandAppended(0, 1, 1, 1),
        new EntryAccepted(1, 1, 1), new IndexCommitted(0, 1, 1), new CommitLearned(0, 1, 1), new CommitLearned(1, 1, 1),
    ];

    [Fact]
    public void AHistoryThatElectsCommitsAndLearns_FollowsTheRules_AndKeepsEveryInvariant()
    {
        var result = History.Check(Model, ElectCommitLearn);
        Assert.Null(result.Violation);
        var state = ReferenceEvaluator.Evaluate(Model, ElectCommitLearn).ToDictionary(v => v.Name, v => v.Value);
        Assert.Equal(1, state["entryTerm[s1,i1]"]);
        Assert.Equal(1, state["entryCommand[s1,i1]"]);
        Assert.Equal(true, state["chosen[t1,i1]"]);
        Assert.Equal(1, state["commitIndex[s1]"]);
    }

    [Theory]
    [InlineData(1, "ElectedByAQuorumOfVotes")] // s0 claims leadership with its own vote only
    [InlineData(3, "AcceptFromACurrentLeader")] // s1 accepts an entry term 1's log does not hold
    [InlineData(4, "CommitOwnTermEntryStoredByQuorum")] // s0 commits an entry only it stores
    [InlineData(5, "LearnACommitOfTheLeader")] // s0 learns a commit that did not happen
    public void LeavingOutAStep_BreaksTheRuleThatNeedsIt(int left, string guard)
    {
        RaftStep[] history = [.. ElectCommitLearn.Where((_, i) => i != left)];
        var result = History.Check(Model, history);
        Assert.Equal(guard, result.Violation?.Property.Name);
    }

    [Fact]
    public void AVoteForACandidateWithAStalerLog_IsRejected()
    {
        // s0 leads term 1 and stores an entry; s2 then asks for votes in term 2 with an empty log: s0 must refuse.
        RaftStep[] history = [new ElectionStarted(0, 1), new VoteGranted(1, 0, 1), new LeaderElected(0, 1), new CommandAppended(0, 1, 1, 0),
            new ElectionStarted(2, 2), new VoteGranted(0, 2, 2)];
        Assert.Equal("VoteOnlyForAnUpToDateLog", History.Check(Model, history).Violation?.Property.Name);
    }

    [Fact]
    public void AnEventOutsideTheBounds_IsRejectedByItsGuard_NotAnEvaluationError()
    {
        // Index 0 names no entry: the equations must still evaluate it (guards are checked on the state it leads to).
        var result = History.Check(Model, [new EntryAccepted(0, 2, 0)]);
        Assert.Equal("EventWithinBounds", result.Violation?.Property.Name);
    }
}
