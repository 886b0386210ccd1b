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

    public const string FlexibleName = "FlexiblePaxosParametric";

    /// <summary>
    /// Classic Paxos (one kind of quorum, every two intersect), or Flexible Paxos (Howard, Malkhi and Spiegelman, 2016):
    /// phase-1 quorums (the promises a proposal needs) and phase-2 quorums (the votes that choose a value) are of
    /// different sorts, and the only axiom is that every phase-1 quorum meets every phase-2 quorum — |Q1| + |Q2| &gt; N
    /// for threshold quorums — which is all the 'choosable' argument uses. Mutation: phase-2 quorums meeting each other
    /// (the classic axiom, applied to the wrong pair) is not enough, and induction says where it breaks.
    /// </summary>
    public static RelationalModel Create(PaxosQuorums quorums = PaxosQuorums.Classic)
    {
        const string lt = "lt";
        var flexible = quorums != PaxosQuorums.Classic;
        // Classic Paxos names one sort and one membership relation for both phases.
        var (phase1, phase2) = flexible ? ("Phase1Quorum", "Phase2Quorum") : ("Quorum", "Quorum");
        var (member1, member2) = flexible ? ("member1", "member2") : ("member", "member");
        var quorumAxiom = quorums switch
        {
            PaxosQuorums.Classic => new NamedFormula("QuorumsIntersect", "(forall ((q1 Quorum) (q2 Quorum)) (exists ((n Node)) (and (member n q1) (member n q2))))"),
            PaxosQuorums.Flexible => new NamedFormula("Phase1MeetsPhase2",
                $"(forall ((q1 {phase1}) (q2 {phase2})) (exists ((n Node)) (and ({member1} n q1) ({member2} n q2))))"),
            _ => new NamedFormula("Phase2QuorumsIntersect", $"(forall ((q1 {phase2}) (q2 {phase2})) (exists ((n Node)) (and ({member2} n q1) ({member2} n q2))))"),
        };
        var invariants = new List<RelationalInvariant>
        {
            new("OneValuePerBallot", s => $"(forall ((b Ballot) (v1 Value) (v2 Value)) (=> (and ({s["proposal"]} b v1) ({s["proposal"]} b v2)) (= v1 v2)))"),
            new("VoteImpliesProposal", s => $"(forall ((n Node) (b Ballot) (v Value)) (=> ({s["vote"]} n b v) ({s["proposal"]} b v)))"),
            new("ProposalsWereProposed", s => $"(forall ((b Ballot) (v Value)) (=> ({s["proposal"]} b v) ({s["proposed"]} v)))"),
            new("PromiseLeavesLowerBallots", s => $"(forall ((n Node) (b Ballot) (x Ballot)) (=> (and ({s["joined"]} n b) ({lt} x b)) ({s["left"]} n x)))"),
            new("LearnedValueChosen", s => $"(forall ((v Value)) (=> ({s["learned"]} v) (exists ((b Ballot) (q {phase2})) (forall ((n Node)) (=> ({member2} n q) ({s["vote"]} n b v))))))"),
            new("Agreement", s => $"(forall ((v1 Value) (v2 Value)) (=> (and ({s["learned"]} v1) ({s["learned"]} v2)) (= v1 v2)))"),
            new("OnlyProposedValuesLearned", s => $"(forall ((v Value)) (=> ({s["learned"]} v) ({s["proposed"]} v)))"),
            new(PaxosSpec.Choosable, s =>
                $"(forall ((b1 Ballot) (b2 Ballot) (v1 Value) (v2 Value) (q {phase2})) (=> (and ({lt} b1 b2) ({s["proposal"]} b2 v2) (not (= v1 v2))) " +
                $"(exists ((n Node)) (and ({member2} n q) ({s["left"]} n b1) (not ({s["vote"]} n b1 v1))))))"),
        };

        return new RelationalModel(
            Name: quorums switch { PaxosQuorums.Classic => Name, PaxosQuorums.Flexible => FlexibleName, _ => FlexibleName + "[Phase2QuorumsIntersectOnly]" },
            Sorts: flexible ? ["Node", "Ballot", "Value", phase1, phase2] : ["Node", "Ballot", "Value", "Quorum"],
            Constants: flexible
                ? $"(declare-fun lt (Ballot Ballot) Bool)\n(declare-fun {member1} (Node {phase1}) Bool)\n(declare-fun {member2} (Node {phase2}) Bool)"
                : "(declare-fun lt (Ballot Ballot) Bool)\n(declare-fun member (Node Quorum) Bool)",
            Axioms: [
                new("BallotsStrictlyOrdered", $"(forall ((x Ballot)) (not ({lt} x x)))"),
                new("BallotOrderTransitive", $"(forall ((x Ballot) (y Ballot) (z Ballot)) (=> (and ({lt} x y) ({lt} y z)) ({lt} x z)))"),
                new("BallotOrderTotal", $"(forall ((x Ballot) (y Ballot)) (or ({lt} x y) (= x y) ({lt} y x)))"),
                quorumAxiom,
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
                // 2a: ballot B proposes V, backed by promises for B from a (phase-1) quorum Q that shows V safe: none of
                // Q voted below B, or V is what one of them voted in the highest ballot C below B in which any of them voted.
                new("Propose", [("B", "Ballot"), ("V", "Value"), ("Q", phase1), ("C", "Ballot")],
                    s => $"(and (forall ((v Value)) (=> ({s["proposal"]} B v) (= v V))) " +
                         $"(forall ((n Node)) (=> ({member1} n Q) ({s["joined"]} n B))) " +
                         $"(or (forall ((n Node) (d Ballot) (v Value)) (=> (and ({member1} n Q) ({lt} d B)) (not ({s["vote"]} n d v)))) " +
                         $"    (and ({lt} C B) (exists ((n Node)) (and ({member1} n Q) ({s["vote"]} n C V))) " +
                         $"         (forall ((n Node) (d Ballot) (v Value)) (=> (and ({member1} n Q) ({lt} C d) ({lt} d B)) (not ({s["vote"]} n d v)))))))",
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
                // A learner learns V once a (phase-2) quorum voted for it in one ballot.
                new("Learn", [("V", "Value"), ("B", "Ballot"), ("Q", phase2)],
                    s => $"(forall ((n Node)) (=> ({member2} n Q) ({s["vote"]} n B V)))",
                    [new("learned", ["v"], s => $"(or ({s["learned"]} v) (= v V))")]),
            ],
            Invariants: invariants)
        {
            Orders = new Dictionary<string, string> { ["Ballot"] = lt },
            Memberships = new Dictionary<string, string> { [phase1] = member1, [phase2] = member2 },
        };
    }
}

/// <summary>Which quorums a <see cref="PaxosRelational"/> model has, and what it assumes of them.</summary>
public enum PaxosQuorums
{
    /// <summary>One kind of quorum; every two intersect.</summary>
    Classic,

    /// <summary>Flexible Paxos: phase-1 and phase-2 quorums; every phase-1 quorum meets every phase-2 quorum.</summary>
    Flexible,

    /// <summary>The mutation: phase-2 quorums meet each other, and nothing is said of phase-1 quorums.</summary>
    FlexibleWithPhase2IntersectionOnly,
}
