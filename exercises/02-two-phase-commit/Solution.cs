// Exercise two-phase-commit: a solution — the coordinator commits only when every vote is in and every vote is yes,
// and aborts at the first no (a single no decides the outcome, so waiting for the rest would only delay it).
using Verification.Exercises;
using Verification.Runtime;
using Verification.Specs;

/// <summary>The coordinator's state: the votes received so far, and its decision once taken.</summary>
public sealed record CoordinatorState(int Yes, int No, bool? Decision);

/// <summary>A participant's state: its vote, and the outcome once it learns it.</summary>
public sealed record ParticipantState(bool VotesYes, bool? Outcome);

/// <summary>n0 coordinates; n1 … n3 are participants, each voting as the test tells it.</summary>
public sealed class TwoPhaseCommitNode(IReadOnlyList<bool> votes) : INode<object, CommitMessage, NoTimer, NothingDurable>
{
    private static readonly NodeId Coordinator = new(0);

    public object Start(Effects<CommitMessage, NoTimer, NothingDurable> effects)
    {
        if (effects.Self != Coordinator) return new ParticipantState(votes[effects.Self.Index - 1], null);
        effects.Broadcast(new Prepare());
        return new CoordinatorState(0, 0, null);
    }

    public object OnMessage(object state, NodeId from, CommitMessage message, Effects<CommitMessage, NoTimer, NothingDurable> effects)
    {
        switch (state, message)
        {
            case (ParticipantState participant, Prepare):
                effects.Observe(new Voted(effects.Self.Index, participant.VotesYes));
                effects.Send(Coordinator, new Vote(participant.VotesYes));
                return participant;
            case (ParticipantState participant, Outcome outcome) when participant.Outcome is null:
                effects.Observe(new Decided(effects.Self.Index, outcome.Commit));
                return participant with { Outcome = outcome.Commit };
            case (CoordinatorState coordinator, Vote vote) when coordinator.Decision is null:
                var counted = vote.Yes ? coordinator with { Yes = coordinator.Yes + 1 } : coordinator with { No = coordinator.No + 1 };
                var participants = effects.NodeCount - 1;
                if (counted.No > 0) return Decide(counted, commit: false, effects);
                if (counted.Yes == participants) return Decide(counted, commit: true, effects);
                return counted;
            default:
                return state;
        }
    }

    private static CoordinatorState Decide(CoordinatorState coordinator, bool commit, Effects<CommitMessage, NoTimer, NothingDurable> effects)
    {
        effects.Observe(new Decided(0, commit));
        effects.Broadcast(new Outcome(commit));
        return coordinator with { Decision = commit };
    }

    public object OnTimer(object state, NoTimer timer, Effects<CommitMessage, NoTimer, NothingDurable> effects) => state;

    public object OnRecover(NothingDurable? durable, Effects<CommitMessage, NoTimer, NothingDurable> effects) => Start(effects);
}

public static class Answer
{
    /// <summary>The coordinator and three participants; votes[i] is participant n(i+1)'s vote.</summary>
    public static Protocol<object, CommitMessage, NoTimer, NothingDurable, CommitEvent> Protocol(IReadOnlyList<bool> votes) =>
        new("TwoPhaseCommit", votes.Count + 1, _ => new TwoPhaseCommitNode(votes), AtomicCommitSpec.Create(votes.Count));
}
