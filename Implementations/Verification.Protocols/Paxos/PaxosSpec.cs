using Verification.Specs;
using Verification.Specs.Consensus;

namespace Verification.Protocols.Paxos;

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
/// The Paxos protocol as state equations, in the shape of Lamport's Voting and the "Paxos made EPR" model, over
/// acceptors 0..A−1, values 0..V−1, ballots 0..B−1 and a quorum system (majorities by default).
/// State: per acceptor the highest ballot promised and its last vote; per acceptor and ballot the value voted (votes);
/// per ballot the value proposed. Guards are the protocol's rules (what a correct participant may do); invariants are
/// the facts that make it safe, and together with the guards they prove consensus by induction:
/// <list type="bullet">
/// <item>VoteImpliesProposal: a vote in ballot b is for b's proposal (one value per ballot is structural: proposal[b] holds one);</item>
/// <item>NoOtherValueChoosable ("choosable"): once ballot b2 proposes v2, no other value can still be chosen in a lower ballot;</item>
/// <item>LearnedValueChosen: a learned value was voted by a quorum in some ballot.</item>
/// </list>
/// </summary>
public static class PaxosSpec
{
    public const string Name = "Paxos";
    public const int None = -1;

    /// <summary>The invariant the induction proof needs; drop it and the proof must fail with a counterexample to induction.</summary>
    public const string Choosable = "NoOtherValueChoosable";

    public static Spec<PaxosEvent> Create(int acceptors, int values, int ballots, QuorumSystem? quorums = null)
    {
        quorums ??= QuorumSystem.Majority(acceptors);
        if (quorums.Nodes != acceptors) throw new SpecException($"the quorum system is over {quorums.Nodes} nodes but the spec has {acceptors} acceptors");
        if (values < 1 || ballots < 1) throw new SpecException($"Paxos needs at least one value and one ballot (got {values} values, {ballots} ballots)");
        var quorumCount = quorums.MinimalQuorums.Count;
        var spec = new SpecBuilder<PaxosEvent>(Name);
        var maxPromisedBallot = spec.Family<int>("maxPromisedBallot", acceptors);
        var lastVotedBallot = spec.Family<int>("lastVotedBallot", acceptors);
        var lastVotedValue = spec.Family<int>("lastVotedValue", acceptors);
        // votes[a·B + b]: the value acceptor a voted for in ballot b, or None.
        var votes = spec.Family<int>("votes", acceptors * ballots, i => $"a{i / ballots},b{i % ballots}");
        var proposal = spec.Family<int>("proposal", ballots);

        spec.Define(maxPromisedBallot, a => None, (e, a) => e
            .When((Promised p) => p.Acceptor == a ? Math.Max(maxPromisedBallot.Now(a), p.Ballot) : maxPromisedBallot.Now(a))
            .When((Voted v) => v.Acceptor == a ? Math.Max(maxPromisedBallot.Now(a), v.Ballot) : maxPromisedBallot.Now(a))
            .Else(maxPromisedBallot.Now(a)));
        spec.Define(lastVotedBallot, a => None, (e, a) => e.When((Voted v) => v.Acceptor == a ? v.Ballot : lastVotedBallot.Now(a)).Else(lastVotedBallot.Now(a)));
        spec.Define(lastVotedValue, a => None, (e, a) => e.When((Voted v) => v.Acceptor == a ? v.Value : lastVotedValue.Now(a)).Else(lastVotedValue.Now(a)));
        spec.Define(votes, i => None, (e, i) => e.When((Voted v) => v.Acceptor * ballots + v.Ballot == i ? v.Value : votes.Now(i)).Else(votes.Now(i)));
        spec.Define(proposal, b => None, (e, b) => e.When((Proposed p) => p.Ballot == b ? p.Value : proposal.Now(b)).Else(proposal.Now(b)));

        // The protocol's rules: a participant that breaks one is not running Paxos.
        spec.Guard("EventWithinBounds", e => e
            .When((Promised p) => p.Acceptor >= 0 && p.Acceptor < acceptors && p.Ballot >= 0 && p.Ballot < ballots)
            .When((Voted v) => v.Acceptor >= 0 && v.Acceptor < acceptors && v.Ballot >= 0 && v.Ballot < ballots && v.Value >= 0 && v.Value < values)
            .When((Proposed p) => p.Ballot >= 0 && p.Ballot < ballots && p.Value >= 0 && p.Value < values)
            .When((Learned l) => l.Value >= 0 && l.Value < values)
            .Else(false));
        spec.Guard("PromiseOnlyHigher", e => e.IfIs((Promised p) => p.Ballot > maxPromisedBallot.Now(p.Acceptor)));
        spec.Guard("PromiseReportsLastVote", e => e.IfIs((Promised p) =>
            p.LastBallot == lastVotedBallot.Now(p.Acceptor) && p.LastValue == lastVotedValue.Now(p.Acceptor)));
        spec.Guard("VoteRespectsPromise", e => e.IfIs((Voted v) => v.Ballot >= maxPromisedBallot.Now(v.Acceptor)));
        spec.Guard("OneValuePerBallot", e => e.IfIs((Proposed p) => proposal.Now(p.Ballot) == None || proposal.Now(p.Ballot) == p.Value));
        spec.Guard("VoteOnlyForTheProposal", e => e.IfIs((Voted v) => proposal.Now(v.Ballot) == v.Value));
        // Voting's vocabulary, named once: quorum q promised ballot b; q shows value v safe at b (none of them voted below
        // b, or the value of the highest ballot c below b in which one of them voted is v — the quorum's votes below b
        // are exactly what their 1b replies reported, since they promised not to vote there any more).
        var promisedByQuorum = spec.Helper("PromisedByQuorum", (int q, int b) =>
            Bounded.All(acceptors, a => !quorums.IsMember(q, a) || maxPromisedBallot.Now(a) >= b));
        var showsSafeAt = spec.Helper("ShowsSafeAt", (int q, int b, int v) =>
            Bounded.All(acceptors, a => !quorums.IsMember(q, a) || Bounded.All(ballots, d => d >= b || votes.Now(a * ballots + d) == None))
            || Bounded.Any(ballots, c => c < b
                && Bounded.Any(acceptors, a => quorums.IsMember(q, a) && votes.Now(a * ballots + c) == v)
                && Bounded.All(acceptors, a => !quorums.IsMember(q, a) || Bounded.All(ballots, d => d <= c || d >= b || votes.Now(a * ballots + d) == None))));
        // Phase 2a needs promises for the ballot from a quorum, and a value that quorum shows safe.
        spec.Guard("ProposalBackedByQuorum", e => e.IfIs((Proposed p) => Bounded.Any(quorumCount, q => promisedByQuorum(q, p.Ballot))));
        spec.Guard("ProposalIsSafe", e => e.IfIs((Proposed p) => Bounded.Any(quorumCount, q => promisedByQuorum(q, p.Ballot) && showsSafeAt(q, p.Ballot, p.Value))));
        // A learner learns a value only once a quorum voted for it in one ballot.
        spec.Guard("LearnOnlyChosen", e => e.IfIs((Learned l) => Bounded.Any(ballots, b => Bounded.Any(quorumCount, q =>
            Bounded.All(acceptors, a => !quorums.IsMember(q, a) || votes.Now(a * ballots + b) == l.Value)))));

        // Consensus, as Paxos Made Simple states it, over what learners learn.
        var consensus = ConsensusSpec.AddTo(spec, values);

        // The inductive invariant.
        spec.Invariant("VoteImpliesProposal", () => Bounded.All(acceptors, a => Bounded.All(ballots, b =>
            votes.Now(a * ballots + b) == None || votes.Now(a * ballots + b) == proposal.Now(b))));
        spec.Invariant("VotesAtOrBelowPromise", () => Bounded.All(acceptors, a => Bounded.All(ballots, b =>
            votes.Now(a * ballots + b) == None || b <= maxPromisedBallot.Now(a))));
        spec.Invariant("LastVoteIsHighestVote", () => Bounded.All(acceptors, a =>
            (lastVotedBallot.Now(a) == None && Bounded.All(ballots, b => votes.Now(a * ballots + b) == None))
            || (Bounded.Any(ballots, b => lastVotedBallot.Now(a) == b && votes.Now(a * ballots + b) == lastVotedValue.Now(a))
                && Bounded.All(ballots, b => b <= lastVotedBallot.Now(a) || votes.Now(a * ballots + b) == None))));
        spec.Invariant("ProposalsWereProposed", () => Bounded.All(ballots, b =>
            proposal.Now(b) == None || Bounded.Any(values, v => proposal.Now(b) == v && consensus.Proposed.Now(v))));
        spec.Invariant(Choosable, () => Bounded.All(ballots, b2 => proposal.Now(b2) == None
            || Bounded.All(ballots, b1 => b1 >= b2 || Bounded.All(values, v1 => v1 == proposal.Now(b2)
                || Bounded.All(quorumCount, q => Bounded.Any(acceptors, a =>
                    quorums.IsMember(q, a) && maxPromisedBallot.Now(a) > b1 && votes.Now(a * ballots + b1) != v1))))));
        spec.Invariant("LearnedValueChosen", () => consensus.Learned.Now == None || Bounded.Any(ballots, b => Bounded.Any(quorumCount, q =>
            Bounded.All(acceptors, a => !quorums.IsMember(q, a) || votes.Now(a * ballots + b) == consensus.Learned.Now))));
        return spec.Build();
    }
}
