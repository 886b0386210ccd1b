using Verification.Specs;
using Verification.Specs.Consensus;

namespace Verification.Protocols.Paxos;

/// <summary>What Lamport's Voting algorithm is about: an acceptor raising its ballot, and casting a vote.</summary>
public abstract record VotingEvent;

/// <summary>Acceptor <see cref="Acceptor"/> will take part in no ballot below <see cref="Ballot"/> any more.</summary>
public sealed record MaxBalRaised(int Acceptor, int Ballot) : VotingEvent;

/// <summary>Acceptor <see cref="Acceptor"/> votes for <see cref="Value"/> in ballot <see cref="Ballot"/>.</summary>
public sealed record VoteCast(int Acceptor, int Ballot, int Value) : VotingEvent;

/// <summary>
/// Lamport's Voting (the abstract algorithm Paxos implements, from "The Paxos algorithm or how to win a Turing award"):
/// an acceptor votes in ballot b only at or above its maxBal, for the one value of b, and only for a value safe at b —
/// for every lower ballot c some quorum each of whose members voted for it at c or can no longer vote at c. Its
/// invariant VotesSafe is what makes consensus follow. Over acceptors 0..A−1, values 0..V−1, ballots 0..B−1.
/// </summary>
public static class VotingSpec
{
    public const string Name = "Voting";
    public const int None = -1;

    public static Spec<VotingEvent> Create(int acceptors, int values, int ballots, QuorumSystem? quorums = null)
    {
        quorums ??= QuorumSystem.Majority(acceptors);
        var quorumCount = quorums.MinimalQuorums.Count;
        var spec = new SpecBuilder<VotingEvent>(Name);
        var maxBal = spec.Family<int>("maxBal", acceptors);
        // votes[a·B + b]: the value acceptor a voted for in ballot b, or None.
        var votes = spec.Family<int>("votes", acceptors * ballots, i => $"a{i / ballots},b{i % ballots}");
        spec.Define(maxBal, a => None, (e, a) => e
            .When((MaxBalRaised r) => r.Acceptor == a ? r.Ballot : maxBal.Now(a))
            .When((VoteCast v) => v.Acceptor == a ? v.Ballot : maxBal.Now(a))
            .Else(maxBal.Now(a)));
        spec.Define(votes, i => None, (e, i) => e.When((VoteCast v) => v.Acceptor * ballots + v.Ballot == i ? v.Value : votes.Now(i)).Else(votes.Now(i)));

        // SafeAt(b, v): for every ballot c below b, some quorum each of whose members voted v at c or can no longer vote at c.
        var safeAt = spec.Helper("SafeAt", (int b, int v) => Bounded.All(ballots, c => c >= b || Bounded.Any(quorumCount, q =>
            Bounded.All(acceptors, a => !quorums.IsMember(q, a) || votes.Now(a * ballots + c) == v || (maxBal.Now(a) > c && votes.Now(a * ballots + c) == None)))));
        spec.Guard("EventWithinBounds", e => e
            .When((MaxBalRaised r) => r.Acceptor >= 0 && r.Acceptor < acceptors && r.Ballot >= 0 && r.Ballot < ballots)
            .When((VoteCast v) => v.Acceptor >= 0 && v.Acceptor < acceptors && v.Ballot >= 0 && v.Ballot < ballots && v.Value >= 0 && v.Value < values)
            .Else(false));
        spec.Guard("RaiseOnlyHigher", e => e.IfIs((MaxBalRaised r) => r.Ballot > maxBal.Now(r.Acceptor)));
        spec.Guard("VoteAtOrAboveMaxBal", e => e.IfIs((VoteCast v) => v.Ballot >= maxBal.Now(v.Acceptor)));
        spec.Guard("OneValuePerBallot", e => e.IfIs((VoteCast v) => Bounded.All(acceptors, a => votes.Now(a * ballots + v.Ballot) == None || votes.Now(a * ballots + v.Ballot) == v.Value)));
        spec.Guard("VoteOnlyWhenSafe", e => e.IfIs((VoteCast v) => safeAt(v.Ballot, v.Value)));
        spec.Invariant("VotesSafe", () => Bounded.All(acceptors, a => Bounded.All(ballots, b => votes.Now(a * ballots + b) == None || safeAt(b, votes.Now(a * ballots + b)))));
        return spec.Build();
    }
}

/// <summary>Paxos refines Voting: a 1b promise raises the acceptor's ballot, a 2b vote is a vote; proposals and learning are invisible to Voting.</summary>
public static class PaxosVotingRefinement
{
    public static Spec<PaxosEvent> Create(int acceptors, int values, int ballots)
    {
        var paxos = PaxosSpec.Create(acceptors, values, ballots);
        var voting = VotingSpec.Create(acceptors, values, ballots);
        var promised = paxos.Variable<Family<int>>("maxPromisedBallot");
        var votes = paxos.Variable<Family<int>>("votes");
        return Refinement.Of(paxos, voting)
            .MapEvents(e => e
                .When((Promised p) => (VotingEvent?)new MaxBalRaised(p.Acceptor, p.Ballot))
                .When((Voted v) => new VoteCast(v.Acceptor, v.Ballot, v.Value))
                .Else(null))
            .MapState(voting.Variable<Family<int>>("maxBal"), a => promised.Now(a))
            .MapState(voting.Variable<Family<int>>("votes"), i => votes.Now(i))
            .Build();
    }
}
