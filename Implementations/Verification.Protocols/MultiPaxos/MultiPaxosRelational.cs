using Verification.Specs;

namespace Verification.Protocols.MultiPaxos;

/// <summary>
/// Multi-Paxos for any number of acceptors, rounds, slots and values: the protocol of <see cref="MultiPaxosModel"/>
/// over uninterpreted sorts Node, Round, Slot, Value and Quorum, rounds totally ordered and quorum intersection an
/// axiom. Every formula stays in EPR: the skolem functions go Slot/Value → Round, Slot/Round/Value → Quorum and
/// Quorum (with Slot, Round, Value) → Node, never back, so Z3 decides each proof obligation.
/// <para>
/// As in the Paxos pair, the relational form has no numbers: the highest round an acceptor reached becomes
/// <c>left(n, r)</c> ("n joined or voted in a round above r"), and a round is activated by 1b replies for exactly that
/// round (<c>joined</c>).
/// </para>
/// </summary>
public static class MultiPaxosRelational
{
    public const string Name = "MultiPaxosParametric";

    public static RelationalModel Create()
    {
        const string lt = "lt";
        var invariants = new List<RelationalInvariant>
        {
            // A round proposes at most one value per slot.
            new("OneValuePerSlotAndRound", s => $"(forall ((i Slot) (r Round) (v1 Value) (v2 Value)) (=> (and ({s["proposal"]} i r v1) ({s["proposal"]} i r v2)) (= v1 v2)))"),
            // A vote is for the proposal of its slot and round.
            new("VoteImpliesProposal", s => $"(forall ((n Node) (i Slot) (r Round) (v Value)) (=> ({s["vote"]} n i r v) ({s["proposal"]} i r v)))"),
            // Only an activated round proposes.
            new("ProposalOnlyInActiveRound", s => $"(forall ((i Slot) (r Round) (v Value)) (=> ({s["proposal"]} i r v) (exists ((q Quorum)) ({s["activated"]} r q))))"),
            // The quorum that activated a round joined it.
            new("ActivatingQuorumJoined", s => $"(forall ((r Round) (q Quorum) (n Node)) (=> (and ({s["activated"]} r q) (member n q)) ({s["joined"]} n r)))"),
            // Joining a round leaves every lower round.
            new("JoinLeavesLowerRounds", s => $"(forall ((n Node) (r Round) (x Round)) (=> (and ({s["joined"]} n r) ({lt} x r)) ({s["left"]} n x)))"),
            // Choosable, per slot: once round r2 proposes v2 in slot i, no other value can still be chosen there in a lower round.
            new(MultiPaxosModel.Choosable, s =>
                $"(forall ((i Slot) (r1 Round) (r2 Round) (v1 Value) (v2 Value) (q Quorum)) (=> (and ({lt} r1 r2) ({s["proposal"]} i r2 v2) (not (= v1 v2))) " +
                $"(exists ((n Node)) (and (member n q) ({s["left"]} n r1) (not ({s["vote"]} n i r1 v1))))))"),
            // A value decided from round r's votes was voted by a quorum in r.
            new("DecidedValueChosen", s => $"(forall ((i Slot) (r Round) (v Value)) (=> ({s["decided"]} i r v) (exists ((q Quorum)) (forall ((n Node)) (=> (member n q) ({s["vote"]} n i r v))))))"),
            // Safety: one value decided per slot, and only a proposed one.
            new("SlotAgreement", s => $"(forall ((i Slot) (r1 Round) (r2 Round) (v1 Value) (v2 Value)) (=> (and ({s["decided"]} i r1 v1) ({s["decided"]} i r2 v2)) (= v1 v2)))"),
            new("OnlyProposedValuesDecided", s => $"(forall ((i Slot) (r Round) (v Value)) (=> ({s["decided"]} i r v) ({s["proposal"]} i r v)))"),
        };

        return new RelationalModel(
            Name: Name,
            Sorts: ["Node", "Round", "Slot", "Value", "Quorum"],
            Constants: "(declare-fun lt (Round Round) Bool)\n(declare-fun member (Node Quorum) Bool)",
            Axioms: [
                new("RoundsStrictlyOrdered", $"(forall ((x Round)) (not ({lt} x x)))"),
                new("RoundOrderTransitive", $"(forall ((x Round) (y Round) (z Round)) (=> (and ({lt} x y) ({lt} y z)) ({lt} x z)))"),
                new("RoundOrderTotal", $"(forall ((x Round) (y Round)) (or ({lt} x y) (= x y) ({lt} y x)))"),
                new("QuorumsIntersect", "(forall ((q1 Quorum) (q2 Quorum)) (exists ((n Node)) (and (member n q1) (member n q2))))"),
            ],
            State: [
                new("joined", ["Node", "Round"]),
                new("left", ["Node", "Round"]),
                new("activated", ["Round", "Quorum"]),
                new("proposal", ["Slot", "Round", "Value"]),
                new("vote", ["Node", "Slot", "Round", "Value"]),
                new("decided", ["Slot", "Round", "Value"]),
            ],
            Initial: s => $"(and (forall ((n Node) (r Round)) (and (not ({s["joined"]} n r)) (not ({s["left"]} n r)))) " +
                 $"(forall ((r Round) (q Quorum)) (not ({s["activated"]} r q))) (forall ((i Slot) (r Round) (v Value)) (not ({s["proposal"]} i r v))) " +
                 $"(forall ((n Node) (i Slot) (r Round) (v Value)) (not ({s["vote"]} n i r v))) (forall ((i Slot) (r Round) (v Value)) (not ({s["decided"]} i r v))))",
            Actions: [
                // 1b: n joins round R, unless it already joined or voted in a higher round.
                new("Join", [("N", "Node"), ("R", "Round")],
                    s => $"(not ({s["left"]} N R))",
                    [
                        new("joined", ["n", "r"], s => $"(or ({s["joined"]} n r) (and (= n N) (= r R)))"),
                        new("left", ["n", "r"], s => $"(or ({s["left"]} n r) (and (= n N) ({lt} r R)))"),
                    ]),
                // The leader of R has 1b replies for R from quorum Q: phase 1 is done for every slot at once.
                new("Activate", [("R", "Round"), ("Q", "Quorum")],
                    s => $"(and (forall ((q Quorum)) (not ({s["activated"]} R q))) (forall ((n Node)) (=> (member n Q) ({s["joined"]} n R))))",
                    [new("activated", ["r", "q"], s => $"(or ({s["activated"]} r q) (and (= r R) (= q Q)))")]),
                // 2a in slot I: R proposes V, which its activating quorum Q shows safe in I: none of Q voted in I below R, or
                // V is what one of them voted in the highest round C below R in which any of them voted in I.
                new("Propose", [("R", "Round"), ("I", "Slot"), ("V", "Value"), ("Q", "Quorum"), ("C", "Round")],
                    s => $"(and ({s["activated"]} R Q) (forall ((v Value)) (not ({s["proposal"]} I R v))) " +
                         $"(or (forall ((n Node) (d Round) (v Value)) (=> (and (member n Q) ({lt} d R)) (not ({s["vote"]} n I d v)))) " +
                         $"    (and ({lt} C R) (exists ((n Node)) (and (member n Q) ({s["vote"]} n I C V))) " +
                         $"         (forall ((n Node) (d Round) (v Value)) (=> (and (member n Q) ({lt} C d) ({lt} d R)) (not ({s["vote"]} n I d v)))))))",
                    [new("proposal", ["i", "r", "v"], s => $"(or ({s["proposal"]} i r v) (and (= i I) (= r R) (= v V)))")]),
                // 2b: n votes for R's proposal in slot I unless it joined or voted in a higher round.
                new("Vote", [("N", "Node"), ("R", "Round"), ("I", "Slot"), ("V", "Value")],
                    s => $"(and (not ({s["left"]} N R)) ({s["proposal"]} I R V))",
                    [
                        new("vote", ["n", "i", "r", "v"], s => $"(or ({s["vote"]} n i r v) (and (= n N) (= i I) (= r R) (= v V)))"),
                        new("left", ["n", "r"], s => $"(or ({s["left"]} n r) (and (= n N) ({lt} r R)))"),
                    ]),
                // A learner decides V in slot I once a quorum voted for it there in round R (decided records R, a ghost).
                new("Decide", [("I", "Slot"), ("V", "Value"), ("R", "Round"), ("Q", "Quorum")],
                    s => $"(forall ((n Node)) (=> (member n Q) ({s["vote"]} n I R V)))",
                    [new("decided", ["i", "r", "v"], s => $"(or ({s["decided"]} i r v) (and (= i I) (= r R) (= v V)))")]),
            ],
            Invariants: invariants)
        {
            Orders = new Dictionary<string, string> { ["Round"] = lt },
        };
    }
}
