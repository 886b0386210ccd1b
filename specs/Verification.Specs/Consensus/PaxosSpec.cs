namespace Verification.Specs.Consensus;

/// <summary>What Paxos participants do, as events of the history: 1b promises, 2a proposals, 2b votes, and learning.</summary>
public abstract record PaxosEvent;

/// <summary>A proposer sends 2a: value <see cref="Value"/> for ballot <see cref="Ballot"/>.</summary>
public sealed record Proposed(int Proposer, int Ballot, int Value) : PaxosEvent;

/// <summary>An acceptor sends 1b for <see cref="Ballot"/>, reporting its last vote (−1, −1 when it has none).</summary>
public sealed record Promised(int Acceptor, int Ballot, int LastBallot, int LastValue) : PaxosEvent;

/// <summary>An acceptor votes (2b) for value <see cref="Value"/> in ballot <see cref="Ballot"/>.</summary>
public sealed record Voted(int Acceptor, int Ballot, int Value) : PaxosEvent;

/// <summary>A learner learns <see cref="Value"/>.</summary>
public sealed record Learned(int Learner, int Value) : PaxosEvent;

/// <summary>
/// Consensus (Paxos Made Simple's safety requirements, stated over learning) together with the Paxos protocol's
/// rules as guards on its messages, over acceptors 0..A−1, values 0..V−1 and ballots 0..B−1:
/// an acceptor promises only ballots higher than any it promised; a promise reports the acceptor's actual last vote;
/// a vote respects the acceptor's promise; one value per ballot; a vote only for the ballot's proposal; only a
/// proposed value is learned; no two learners learn different values. Liveness: some value is eventually learned.
/// </summary>
public static class PaxosSpec
{
    public const string Name = "Paxos";
    public const int None = -1;

    public static Spec<PaxosEvent> Create(int acceptors, int values, int ballots)
    {
        var spec = new SpecBuilder<PaxosEvent>(Name);
        var maxPromised = spec.Family<int>("maxPromised", acceptors);
        var lastVoteBallot = spec.Family<int>("lastVoteBallot", acceptors);
        var lastVoteValue = spec.Family<int>("lastVoteValue", acceptors);
        var proposal = spec.Family<int>("proposal", ballots);

        spec.Define(maxPromised, a => None, (e, a) =>
            e is Promised && ((Promised)e).Acceptor == a ? Math.Max(maxPromised.Now(a), ((Promised)e).Ballot)
            : e is Voted && ((Voted)e).Acceptor == a ? Math.Max(maxPromised.Now(a), ((Voted)e).Ballot)
            : maxPromised.Now(a));
        spec.Define(lastVoteBallot, a => None, (e, a) => e is Voted && ((Voted)e).Acceptor == a ? ((Voted)e).Ballot : lastVoteBallot.Now(a));
        spec.Define(lastVoteValue, a => None, (e, a) => e is Voted && ((Voted)e).Acceptor == a ? ((Voted)e).Value : lastVoteValue.Now(a));
        spec.Define(proposal, b => None, (e, b) => e is Proposed && ((Proposed)e).Ballot == b ? ((Proposed)e).Value : proposal.Now(b));

        // The protocol's rules: a participant that breaks one is not running Paxos.
        spec.Guard("PromiseOnlyHigher", e => !(e is Promised) || ((Promised)e).Ballot > maxPromised.Now(((Promised)e).Acceptor));
        spec.Guard("PromiseReportsLastVote", e => !(e is Promised)
            || (((Promised)e).LastBallot == lastVoteBallot.Now(((Promised)e).Acceptor) && ((Promised)e).LastValue == lastVoteValue.Now(((Promised)e).Acceptor)));
        spec.Guard("VoteRespectsPromise", e => !(e is Voted) || ((Voted)e).Ballot >= maxPromised.Now(((Voted)e).Acceptor));
        spec.Guard("OneValuePerBallot", e => !(e is Proposed) || proposal.Now(((Proposed)e).Ballot) == None || proposal.Now(((Proposed)e).Ballot) == ((Proposed)e).Value);
        spec.Guard("VoteOnlyForTheProposal", e => !(e is Voted) || proposal.Now(((Voted)e).Ballot) == ((Voted)e).Value);

        // Consensus, as Paxos Made Simple states it, over what learners learn.
        ConsensusSpec.AddTo(spec, values);
        return spec.Build();
    }
}
