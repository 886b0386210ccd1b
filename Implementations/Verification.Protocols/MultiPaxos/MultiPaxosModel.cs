using Verification.Specs;
using Verification.Specs.Consensus;

namespace Verification.Protocols.MultiPaxos;

/// <summary>What Multi-Paxos participants do, as events of the history the induction proof reasons about.</summary>
public abstract record MultiPaxosStep;

/// <summary>Phase 1b: an acceptor joins <see cref="Round"/>, promising to vote in no lower round, in any slot.</summary>
public sealed record RoundJoined(int Acceptor, int Round) : MultiPaxosStep;

/// <summary>
/// The leader of <see cref="Round"/> has the 1b replies of minimal quorum number <see cref="Quorum"/>: phase 1 is done
/// once for every slot, and the round may now propose in any slot.
/// </summary>
public sealed record RoundActivated(int Round, int Quorum) : MultiPaxosStep;

/// <summary>Phase 2a: the leader of <see cref="Round"/> proposes <see cref="Value"/> for <see cref="Slot"/>.</summary>
public sealed record SlotProposed(int Round, int Slot, int Value) : MultiPaxosStep;

/// <summary>Phase 2b: an acceptor votes for <see cref="Value"/> in <see cref="Slot"/> and <see cref="Round"/>.</summary>
public sealed record SlotVoted(int Acceptor, int Round, int Slot, int Value) : MultiPaxosStep;

/// <summary>A learner decides <see cref="Value"/> for <see cref="Slot"/>.</summary>
public sealed record SlotDecided(int Slot, int Value) : MultiPaxosStep;

/// <summary>
/// Multi-Paxos as per-slot Paxos under a leader's round, for a bounded configuration (acceptors 0..A−1, slots
/// 0..S−1, rounds 0..R−1, values 0..V−1, a quorum system), in the shape of the "Paxos made EPR" Multi-Paxos model:
/// a leader runs phase 1 once for its round (<see cref="RoundActivated"/>), then proposes slot by slot a value its
/// activating quorum shows safe in that slot. The guards are the protocol's rules; the invariants, proved together by
/// induction with <c>Prover</c>, give agreement in every slot. <see cref="MultiPaxosRelational"/> is the same protocol
/// for every number of acceptors, rounds, slots and values.
/// </summary>
public static class MultiPaxosModel
{
    public const string Name = "MultiPaxosProtocol";
    public const int None = -1;

    /// <summary>The invariant the induction needs ("choosable", per slot); drop it and the proof fails with a counterexample to induction.</summary>
    public const string Choosable = "NoOtherValueChoosable";

    public static Spec<MultiPaxosStep> Create(int acceptors = 3, int slots = 2, int rounds = 3, int values = 2, QuorumSystem? quorums = null)
    {
        quorums ??= QuorumSystem.Majority(acceptors);
        if (quorums.Nodes != acceptors) throw new SpecException($"the quorum system is over {quorums.Nodes} nodes but the model has {acceptors} acceptors");
        if (slots < 1 || rounds < 1 || values < 1) throw new SpecException($"Multi-Paxos needs at least one slot, round and value (got {slots} slots, {rounds} rounds, {values} values)");
        var quorumCount = quorums.MinimalQuorums.Count;
        var spec = new SpecBuilder<MultiPaxosStep>(Name);
        // The highest round each acceptor joined or voted in: it votes in no lower round any more.
        var maxRound = spec.Family<int>("maxRound", acceptors, a => $"a{a}");
        // votes[(a·S + s)·R + r]: the value acceptor a voted for in slot s and round r, or None.
        var votes = spec.Family<int>("votes", acceptors * slots * rounds, k => $"a{k / (slots * rounds)},s{k / rounds % slots},r{k % rounds}");
        // The minimal quorum whose 1b replies activated round r, or None while r is not active.
        var activatedBy = spec.Family<int>("activatedBy", rounds, r => $"r{r}");
        // proposal[s·R + r]: the value round r proposed for slot s, or None.
        var proposal = spec.Family<int>("proposal", slots * rounds, k => $"s{k / rounds},r{k % rounds}");
        // The first value decided in each slot, or None.
        var decided = spec.Family<int>("decided", slots, s => $"s{s}");

        spec.Define(maxRound, a => None, (e, a) => e
            .When((RoundJoined j) => j.Acceptor == a ? Math.Max(maxRound.Now(a), j.Round) : maxRound.Now(a))
            .When((SlotVoted v) => v.Acceptor == a ? Math.Max(maxRound.Now(a), v.Round) : maxRound.Now(a))
            .Else(maxRound.Now(a)));
        spec.Define(votes, k => None, (e, k) => e
            .When((SlotVoted v) => (v.Acceptor * slots + v.Slot) * rounds + v.Round == k ? v.Value : votes.Now(k))
            .Else(votes.Now(k)));
        spec.Define(activatedBy, r => None, (e, r) => e.When((RoundActivated a) => a.Round == r ? a.Quorum : activatedBy.Now(r)).Else(activatedBy.Now(r)));
        spec.Define(proposal, k => None, (e, k) => e.When((SlotProposed p) => p.Slot * rounds + p.Round == k ? p.Value : proposal.Now(k)).Else(proposal.Now(k)));
        spec.Define(decided, s => None, (e, s) => e
            .When((SlotDecided d) => d.Slot == s && decided.Now(s) == None ? d.Value : decided.Now(s))
            .Else(decided.Now(s)));

        // The protocol's rules.
        spec.Guard("EventWithinBounds", e => e
            .When((RoundJoined j) => j.Acceptor >= 0 && j.Acceptor < acceptors && j.Round >= 0 && j.Round < rounds)
            .When((RoundActivated a) => a.Round >= 0 && a.Round < rounds && a.Quorum >= 0 && a.Quorum < quorumCount)
            .When((SlotProposed p) => p.Round >= 0 && p.Round < rounds && p.Slot >= 0 && p.Slot < slots && p.Value >= 0 && p.Value < values)
            .When((SlotVoted v) => v.Acceptor >= 0 && v.Acceptor < acceptors && v.Round >= 0 && v.Round < rounds
                && v.Slot >= 0 && v.Slot < slots && v.Value >= 0 && v.Value < values)
            .When((SlotDecided d) => d.Slot >= 0 && d.Slot < slots && d.Value >= 0 && d.Value < values)
            .Else(false));
        spec.Guard("JoinOnlyHigher", e => e.IfIs((RoundJoined j) => j.Round > maxRound.Now(j.Acceptor)));
        // Phase 1 ends once per round, when a whole quorum has joined it (or a higher round).
        spec.Guard("ActivationBackedByQuorum", e => e.IfIs((RoundActivated a) => activatedBy.Now(a.Round) == None
            && Bounded.Any(quorumCount, q => a.Quorum == q && Bounded.All(acceptors, n => !quorums.IsMember(q, n) || maxRound.Now(n) >= a.Round))));
        // Voting's ShowsSafeAt for one slot: none of quorum q voted in slot s below round r, or v is what one of them
        // voted in the highest round c below r in which any of them voted in s. The quorum promised r, so its votes
        // below r are exactly what its 1b replies reported.
        var showsSafeAt = spec.Helper("ShowsSafeAt", (int q, int r, int s, int v) =>
            Bounded.All(acceptors, a => !quorums.IsMember(q, a) || Bounded.All(rounds, d => d >= r || votes.Now((a * slots + s) * rounds + d) == None))
            || Bounded.Any(rounds, c => c < r
                && Bounded.Any(acceptors, a => quorums.IsMember(q, a) && votes.Now((a * slots + s) * rounds + c) == v)
                && Bounded.All(acceptors, a => !quorums.IsMember(q, a) || Bounded.All(rounds, d => d <= c || d >= r || votes.Now((a * slots + s) * rounds + d) == None))));
        spec.Guard("ProposeOnlyInActiveRound", e => e.IfIs((SlotProposed p) => activatedBy.Now(p.Round) != None));
        spec.Guard("OneValuePerSlotAndRound", e => e.IfIs((SlotProposed p) => proposal.Now(p.Slot * rounds + p.Round) == None));
        spec.Guard("ProposalIsSafe", e => e.IfIs((SlotProposed p) =>
            Bounded.Any(quorumCount, q => activatedBy.Now(p.Round) == q && showsSafeAt(q, p.Round, p.Slot, p.Value))));
        spec.Guard("VoteRespectsJoin", e => e.IfIs((SlotVoted v) => v.Round >= maxRound.Now(v.Acceptor)));
        spec.Guard("VoteOnlyForTheProposal", e => e.IfIs((SlotVoted v) => proposal.Now(v.Slot * rounds + v.Round) == v.Value));
        spec.Guard("DecideOnlyChosen", e => e.IfIs((SlotDecided d) => Bounded.Any(rounds, r => Bounded.Any(quorumCount, q =>
            Bounded.All(acceptors, a => !quorums.IsMember(q, a) || votes.Now((a * slots + d.Slot) * rounds + r) == d.Value)))));

        // Safety: in every slot, learners decide one value, and only a proposed one.
        spec.StepProperty("SlotAgreement", e => e.IfIs((SlotDecided d) => decided.Now(d.Slot) == None || decided.Now(d.Slot) == d.Value));
        spec.StepProperty("OnlyProposedValuesDecided", e => e.IfIs((SlotDecided d) => Bounded.Any(rounds, r => proposal.Now(d.Slot * rounds + r) == d.Value)));

        // The inductive invariant.
        // Rounds reached, votes, proposals and decisions are None or in range; an activation names a quorum (SMT integers are unbounded).
        spec.Invariant("WithinRange", () =>
            Bounded.All(acceptors, a => maxRound.Now(a) >= None && maxRound.Now(a) < rounds) &&
            Bounded.All(acceptors * slots * rounds, k => votes.Now(k) >= None && votes.Now(k) < values)
            && Bounded.All(slots * rounds, k => proposal.Now(k) >= None && proposal.Now(k) < values)
            && Bounded.All(slots, s => decided.Now(s) >= None && decided.Now(s) < values)
            && Bounded.All(rounds, r => activatedBy.Now(r) >= None && activatedBy.Now(r) < quorumCount));
        // A vote in slot s and round r is for r's proposal in s.
        spec.Invariant("VoteImpliesProposal", () => Bounded.All(acceptors, a => Bounded.All(slots, s => Bounded.All(rounds, r =>
            votes.Now((a * slots + s) * rounds + r) == None || votes.Now((a * slots + s) * rounds + r) == proposal.Now(s * rounds + r)))));
        // An acceptor's votes are in rounds it reached.
        spec.Invariant("VotesAtOrBelowJoin", () => Bounded.All(acceptors, a => Bounded.All(slots, s => Bounded.All(rounds, r =>
            votes.Now((a * slots + s) * rounds + r) == None || r <= maxRound.Now(a)))));
        // Only an active round proposes.
        spec.Invariant("ProposalOnlyInActiveRound", () => Bounded.All(slots, s => Bounded.All(rounds, r =>
            proposal.Now(s * rounds + r) == None || activatedBy.Now(r) != None)));
        // The quorum that activated round r has all joined r or a higher round.
        spec.Invariant("ActivatingQuorumJoined", () => Bounded.All(rounds, r => Bounded.All(quorumCount, q =>
            activatedBy.Now(r) != q || Bounded.All(acceptors, a => !quorums.IsMember(q, a) || maxRound.Now(a) >= r))));
        // Choosable, per slot: once round r2 proposes v2 in slot s, no other value can still be chosen there in a lower round.
        spec.Invariant(Choosable, () => Bounded.All(slots, s => Bounded.All(rounds, r2 => proposal.Now(s * rounds + r2) == None
            || Bounded.All(rounds, r1 => r1 >= r2 || Bounded.All(values, v1 => v1 == proposal.Now(s * rounds + r2)
                || Bounded.All(quorumCount, q => Bounded.Any(acceptors, a =>
                    quorums.IsMember(q, a) && maxRound.Now(a) > r1 && votes.Now((a * slots + s) * rounds + r1) != v1)))))));
        // A decided value was voted by a quorum in one round of its slot.
        spec.Invariant("DecidedValueChosen", () => Bounded.All(slots, s => decided.Now(s) == None || Bounded.Any(rounds, r => Bounded.Any(quorumCount, q =>
            Bounded.All(acceptors, a => !quorums.IsMember(q, a) || votes.Now((a * slots + s) * rounds + r) == decided.Now(s))))));
        return spec.Build();
    }
}
