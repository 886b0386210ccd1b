using Verification.Specs;

namespace Verification.Protocols.Paxos;

/// <summary>
/// Paxos for any number of acceptors: the same protocol and invariants as <see cref="PaxosSpec"/>, over uninterpreted
/// sorts Node, Ballot, Value and Quorum, with ballots totally ordered and quorum intersection an axiom rather than a
/// fact about majorities. Every formula stays in EPR (∃*∀* after skolemisation, no cycle among the sorts of skolem
/// functions: Value → Ballot, Value → Quorum, Ballot/Value/Quorum → Node), so Z3 decides each proof obligation.
/// <para>
/// This is a second definition of the protocol, in first-order logic; the finite spec is the one that runs. The two
/// share their invariant names, and differ where the finite form has a number the relational form cannot: the maximum
/// promised ballot becomes <c>left(n, b)</c> ("n promised or voted above b", the EPR model's left_rnd), and a 2a needs
/// 1b promises for exactly its ballot (<c>joined</c>).
/// </para>
/// </summary>
public static class PaxosRelational
{
    public const string Name = "PaxosParametric";

    public static RelationalModel Create()
    {
        const string lt = "lt";
        var invariants = new List<RelationalInvariant>
        {
            new("OneValuePerBallot", s => $"(forall ((b Ballot) (v1 Value) (v2 Value)) (=> (and ({s["proposal"]} b v1) ({s["proposal"]} b v2)) (= v1 v2)))"),
            new("VoteImpliesProposal", s => $"(forall ((n Node) (b Ballot) (v Value)) (=> ({s["vote"]} n b v) ({s["proposal"]} b v)))"),
            new("ProposalsWereProposed", s => $"(forall ((b Ballot) (v Value)) (=> ({s["proposal"]} b v) ({s["proposed"]} v)))"),
            new("PromiseLeavesLowerBallots", s => $"(forall ((n Node) (b Ballot) (x Ballot)) (=> (and ({s["joined"]} n b) ({lt} x b)) ({s["left"]} n x)))"),
            new("LearnedValueChosen", s => $"(forall ((v Value)) (=> ({s["learned"]} v) (exists ((b Ballot) (q Quorum)) (forall ((n Node)) (=> (member n q) ({s["vote"]} n b v))))))"),
            new("Agreement", s => $"(forall ((v1 Value) (v2 Value)) (=> (and ({s["learned"]} v1) ({s["learned"]} v2)) (= v1 v2)))"),
            new("OnlyProposedValuesLearned", s => $"(forall ((v Value)) (=> ({s["learned"]} v) ({s["proposed"]} v)))"),
            new(PaxosSpec.Choosable, s =>
                $"(forall ((b1 Ballot) (b2 Ballot) (v1 Value) (v2 Value) (q Quorum)) (=> (and ({lt} b1 b2) ({s["proposal"]} b2 v2) (not (= v1 v2))) " +
                $"(exists ((n Node)) (and (member n q) ({s["left"]} n b1) (not ({s["vote"]} n b1 v1))))))"),
        };

        return new RelationalModel(
            Name: Name,
            Sorts: ["Node", "Ballot", "Value", "Quorum"],
            Constants: "(declare-fun lt (Ballot Ballot) Bool)\n(declare-fun member (Node Quorum) Bool)",
            Axioms: [
                new("BallotsStrictlyOrdered", $"(forall ((x Ballot)) (not ({lt} x x)))"),
                new("BallotOrderTransitive", $"(forall ((x Ballot) (y Ballot) (z Ballot)) (=> (and ({lt} x y) ({lt} y z)) ({lt} x z)))"),
                new("BallotOrderTotal", $"(forall ((x Ballot) (y Ballot)) (or ({lt} x y) (= x y) ({lt} y x)))"),
                new("QuorumsIntersect", "(forall ((q1 Quorum) (q2 Quorum)) (exists ((n Node)) (and (member n q1) (member n q2))))"),
            ],
            State: [
                new("joined", ["Node", "Ballot"]),
                new("left", ["Node", "Ballot"]),
                new("vote", ["Node", "Ballot", "Value"]),
                new("proposal", ["Ballot", "Value"]),
                new("proposed", ["Value"]),
                new("learned", ["Value"]),
            ],
            Initial: s => $"(and (forall ((n Node) (b Ballot)) (and (not ({s["joined"]} n b)) (not ({s["left"]} n b)))) " +
                 $"(forall ((n Node) (b Ballot) (v Value)) (not ({s["vote"]} n b v))) (forall ((b Ballot) (v Value)) (not ({s["proposal"]} b v))) " +
                 $"(forall ((v Value)) (and (not ({s["proposed"]} v)) (not ({s["learned"]} v)))))",
            Actions: [
                // 1b: n promises ballot B, which must not be below anything it promised or voted for.
                new("Promise", [("N", "Node"), ("B", "Ballot")],
                    s => $"(not ({s["left"]} N B))",
                    [
                        new("joined", ["n", "b"], s => $"(or ({s["joined"]} n b) (and (= n N) (= b B)))"),
                        new("left", ["n", "b"], s => $"(or ({s["left"]} n b) (and (= n N) ({lt} b B)))"),
                    ]),
                // 2a: ballot B proposes V, backed by promises for B from a quorum Q that shows V safe: none of Q voted
                // below B, or V is what one of them voted in the highest ballot C below B in which any of them voted.
                new("Propose", [("B", "Ballot"), ("V", "Value"), ("Q", "Quorum"), ("C", "Ballot")],
                    s => $"(and (forall ((v Value)) (=> ({s["proposal"]} B v) (= v V))) " +
                         $"(forall ((n Node)) (=> (member n Q) ({s["joined"]} n B))) " +
                         $"(or (forall ((n Node) (d Ballot) (v Value)) (=> (and (member n Q) ({lt} d B)) (not ({s["vote"]} n d v)))) " +
                         $"    (and ({lt} C B) (exists ((n Node)) (and (member n Q) ({s["vote"]} n C V))) " +
                         $"         (forall ((n Node) (d Ballot) (v Value)) (=> (and (member n Q) ({lt} C d) ({lt} d B)) (not ({s["vote"]} n d v)))))))",
                    [
                        new("proposal", ["b", "v"], s => $"(or ({s["proposal"]} b v) (and (= b B) (= v V)))"),
                        new("proposed", ["v"], s => $"(or ({s["proposed"]} v) (= v V))"),
                    ]),
                // 2b: n votes for ballot B's proposal unless it promised a higher ballot.
                new("Vote", [("N", "Node"), ("B", "Ballot"), ("V", "Value")],
                    s => $"(and (not ({s["left"]} N B)) ({s["proposal"]} B V))",
                    [
                        new("vote", ["n", "b", "v"], s => $"(or ({s["vote"]} n b v) (and (= n N) (= b B) (= v V)))"),
                        new("joined", ["n", "b"], s => $"(or ({s["joined"]} n b) (and (= n N) (= b B)))"),
                        new("left", ["n", "b"], s => $"(or ({s["left"]} n b) (and (= n N) ({lt} b B)))"),
                    ]),
                // A learner learns V once a quorum voted for it in one ballot.
                new("Learn", [("V", "Value"), ("B", "Ballot"), ("Q", "Quorum")],
                    s => $"(forall ((n Node)) (=> (member n Q) ({s["vote"]} n B V)))",
                    [new("learned", ["v"], s => $"(or ({s["learned"]} v) (= v V))")]),
            ],
            Invariants: invariants)
        {
            Orders = new Dictionary<string, string> { ["Ballot"] = lt },
        };
    }
}
