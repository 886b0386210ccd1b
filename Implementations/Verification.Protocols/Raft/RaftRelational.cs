using Verification.Specs;

namespace Verification.Protocols.Raft;

/// <summary>
/// Raft for any number of servers, terms, log indices and commands: the protocol of <see cref="RaftModel"/> over
/// uninterpreted sorts Node, Term, Index, Value and Quorum, terms and indices totally ordered (term0 and index0 their
/// least elements: the term every server starts in, and "before the first entry"), quorum intersection an axiom.
/// <para>
/// Logs are relations, as in mypyvy's Raft model: <c>used(n, i)</c>, <c>termAt(n, i, t)</c> and <c>valueAt(n, i, v)</c>
/// for server n's log, and the same three (<c>tl…</c>) for term t's log, the ghost log of t's leader that its
/// AppendEntries messages carry. "Used" is its own relation so that no invariant needs "some term exists at i"
/// (a Node → Term skolem function, which with the choosable invariants' Term → Node would leave EPR); likewise a
/// leader's voting quorum is chosen per term, not per leader. The skolem functions go Term → Quorum (a term's voting
/// quorum), Term → Node (a started term's leader), Term/Index → Quorum (a commit's quorum) and Term/Index/Quorum →
/// Node and Quorum/Quorum → Node (choosable, quorum intersection), never back, so Z3 decides each proof obligation.
/// </para>
/// </summary>
public static class RaftRelational
{
    public const string Name = "RaftParametric";

    private const string Tlt = "tlt";
    private const string Ilt = "ilt";

    private static string Tle(string a, string b) => $"(or (= {a} {b}) ({Tlt} {a} {b}))";

    private static string Ile(string a, string b) => $"(or (= {a} {b}) ({Ilt} {a} {b}))";

    /// <summary>Server n's last entry is (li, lt): (index0, term0) when its log is empty.</summary>
    private static string Last(RelationalState s, string n, string li, string lt) =>
        $"(or (and (= {li} index0) (= {lt} term0) (forall ((i Index)) (not ({s["used"]} {n} i)))) " +
        $"(and ({s["used"]} {n} {li}) ({s["termAt"]} {n} {li} {lt}) (forall ((i Index)) (=> ({s["used"]} {n} i) {Ile("i", li)}))))";

    /// <summary>Term t's entry at index i may still be committed: some quorum each of which acked it, or has not left t.</summary>
    private static string Choosable(RelationalState s, string t, string i) =>
        $"(exists ((q Quorum)) (forall ((m Node)) (=> (member m q) (or ({s["acked"]} m {t} {i}) (not ({s["left"]} m {t}))))))";

    /// <summary>Logs a and b (each "termAt n" or "tlTermAt t") that agree on index i's term agree on every entry up to i.</summary>
    private static RelationalInvariant Matching(string name, (string Term, string Value, string Sort) a, (string Term, string Value, string Sort) b) =>
        new(name, s => $"(forall ((x {a.Sort}) (y {b.Sort}) (i Index) (j Index) (t Term)) (=> (and ({s[a.Term]} x i t) ({s[b.Term]} y i t) {Ile("j", "i")}) " +
            $"(and (forall ((u Term)) (= ({s[a.Term]} x j u) ({s[b.Term]} y j u))) (forall ((v Value)) (= ({s[a.Value]} x j v) ({s[b.Value]} y j v))))))");

    public static RelationalModel Create()
    {
        var invariants = new List<RelationalInvariant>
        {
            // left(n, t) is exactly "n's current term is above t" (so a server has one current term).
            new("LeftIsBelowCurrent", s => $"(forall ((n Node) (t Term) (x Term)) (=> ({s["current"]} n t) (= ({s["left"]} n x) ({Tlt} x t))))"),

            // Nobody asks for votes, votes or leads in term0, the term every server starts in.
            new("NoElectionInTerm0", s => $"(forall ((n Node) (c Node) (i Index) (x Term)) (and (not ({s["vote"]} n term0 c)) (not ({s["request"]} c term0 i x)) (not ({s["leader"]} n term0)) (not ({s["started"]} term0))))"),
            // A server votes at most once per term.
            new("OneVotePerTerm", s => $"(forall ((n Node) (t Term) (c1 Node) (c2 Node)) (=> (and ({s["vote"]} n t c1) ({s["vote"]} n t c2)) (= c1 c2)))"),
            // A server votes only in terms it reached.
            new("VotesOnlyInReachedTerms", s => $"(forall ((n Node) (t Term) (c Node) (x Term)) (=> (and ({s["vote"]} n t c) ({s["current"]} n x)) {Tle("t", "x")}))"),
            // A server that voted in term t has left every lower term.
            new("VoterLeftLowerTerms", s => $"(forall ((n Node) (t Term) (c Node) (x Term)) (=> (and ({s["vote"]} n t c) ({Tlt} x t)) ({s["left"]} n x)))"),
            // A vote in term t goes to a candidate that reached t (it asked for it there).
            new("VotesForCandidatesThatReachedTheTerm", s => $"(forall ((n Node) (t Term) (c Node) (x Term)) (=> (and ({s["vote"]} n t c) ({s["current"]} c x)) {Tle("t", "x")}))"),
            // A term's leader had the votes of a quorum (chosen per term, so the skolem function is Term → Quorum).
            new("LeaderHasQuorumOfVotes", s => $"(forall ((t Term)) (exists ((q Quorum)) (forall ((n Node) (m Node)) (=> (and ({s["leader"]} n t) (member m q)) ({s["vote"]} m t n)))))"),
            // Election Safety: at most one leader per term.
            new("ElectionSafety", s => $"(forall ((n1 Node) (n2 Node) (t Term)) (=> (and ({s["leader"]} n1 t) ({s["leader"]} n2 t)) (= n1 n2)))"),
            // A leader leads only in a term it reached.
            new("LeadersOnlyInReachedTerms", s => $"(forall ((n Node) (t Term) (x Term)) (=> (and ({s["leader"]} n t) ({s["current"]} n x)) {Tle("t", "x")}))"),
            // A leader's term has started.
            new("LeaderStartedItsTerm", s => $"(forall ((n Node) (t Term)) (=> ({s["leader"]} n t) ({s["started"]} t)))"),
            // A started term has a leader.
            new("StartedTermsHaveALeader", s => $"(forall ((t Term)) (=> ({s["started"]} t) (exists ((n Node)) ({s["leader"]} n t))))"),
            // A candidate asks for votes only in a term it reached.
            new("RequestsOnlyInReachedTerms", s => $"(forall ((c Node) (t Term) (i Index) (x Term) (y Term)) (=> (and ({s["request"]} c t i x) ({s["current"]} c y)) {Tle("t", "y")}))"),
            // While a candidate is still in its term and nobody leads it, its log ends where its vote request said.
            new("RequestReflectsCandidateLog", s => $"(forall ((c Node) (t Term) (li Index) (lt Term)) (=> (and ({s["request"]} c t li lt) ({s["current"]} c t) (not ({s["started"]} t))) {Last(s, "c", "li", "lt")}))"),
            // No log has an entry at index0 (indices of entries start after it).
            new("NoEntryAtIndex0", s => $"(and (forall ((n Node)) (not ({s["used"]} n index0))) (forall ((t Term)) (not ({s["tlUsed"]} t index0))))"),
            // Logs have no gaps: an entry at i means entries at every index between index0 and i.
            new("LogsHaveNoGaps", s => $"(and (forall ((n Node) (i Index) (j Index)) (=> (and ({s["used"]} n i) ({Ilt} index0 j) ({Ilt} j i)) ({s["used"]} n j))) " +
                $"(forall ((t Term) (i Index) (j Index)) (=> (and ({s["tlUsed"]} t i) ({Ilt} index0 j) ({Ilt} j i)) ({s["tlUsed"]} t j))))"),
            // An entry's term and value are at a used index.
            new("EntriesAreUsed", s => $"(and (forall ((n Node) (i Index) (t Term)) (=> ({s["termAt"]} n i t) ({s["used"]} n i))) (forall ((n Node) (i Index) (v Value)) (=> ({s["valueAt"]} n i v) ({s["used"]} n i))) " +
                $"(forall ((x Term) (i Index) (t Term)) (=> ({s["tlTermAt"]} x i t) ({s["tlUsed"]} x i))) (forall ((x Term) (i Index) (v Value)) (=> ({s["tlValueAt"]} x i v) ({s["tlUsed"]} x i))))"),
            // An entry has one term and one value.
            new("OneTermAndValuePerEntry", s => $"(and (forall ((n Node) (i Index) (t1 Term) (t2 Term)) (=> (and ({s["termAt"]} n i t1) ({s["termAt"]} n i t2)) (= t1 t2))) " +
                $"(forall ((n Node) (i Index) (v1 Value) (v2 Value)) (=> (and ({s["valueAt"]} n i v1) ({s["valueAt"]} n i v2)) (= v1 v2))) " +
                $"(forall ((x Term) (i Index) (t1 Term) (t2 Term)) (=> (and ({s["tlTermAt"]} x i t1) ({s["tlTermAt"]} x i t2)) (= t1 t2))) " +
                $"(forall ((x Term) (i Index) (v1 Value) (v2 Value)) (=> (and ({s["tlValueAt"]} x i v1) ({s["tlValueAt"]} x i v2)) (= v1 v2))))"),
            // No entry is of term0 (nobody leads it).
            new("NoEntryInTerm0", s => $"(forall ((n Node) (x Term) (i Index)) (and (not ({s["termAt"]} n i term0)) (not ({s["tlTermAt"]} x i term0))))"),
            // A server's entries are of terms it reached.
            new("EntryTermsNotAboveCurrent", s => $"(forall ((n Node) (i Index) (t Term) (x Term)) (=> (and ({s["termAt"]} n i t) ({s["current"]} n x)) {Tle("t", "x")}))"),
            // Term t's log holds entries of terms up to t.
            new("TermLogEntriesNotAboveItsTerm", s => $"(forall ((x Term) (i Index) (t Term)) (=> ({s["tlTermAt"]} x i t) {Tle("t", "x")}))"),
            // Only a started term has a log.
            new("TermLogsOnlyOfStartedTerms", s => $"(forall ((t Term) (i Index)) (=> ({s["tlUsed"]} t i) ({s["started"]} t)))"),
            // Terms never decrease along a log.
            new("TermsAscendAlongLogs", s => $"(and (forall ((n Node) (i Index) (j Index) (x Term) (y Term)) (=> (and ({s["termAt"]} n i x) ({s["termAt"]} n j y) ({Ilt} i j)) {Tle("x", "y")})) " +
                $"(forall ((t Term) (i Index) (j Index) (x Term) (y Term)) (=> (and ({s["tlTermAt"]} t i x) ({s["tlTermAt"]} t j y) ({Ilt} i j)) {Tle("x", "y")})))"),
            // A leader still in its term has exactly its term's log.
            new("LeaderLogIsTermLog", s => $"(forall ((n Node) (t Term)) (=> (and ({s["leader"]} n t) ({s["current"]} n t)) (and " +
                $"(forall ((i Index)) (= ({s["used"]} n i) ({s["tlUsed"]} t i))) (forall ((i Index) (u Term)) (= ({s["termAt"]} n i u) ({s["tlTermAt"]} t i u))) " +
                $"(forall ((i Index) (v Value)) (= ({s["valueAt"]} n i v) ({s["tlValueAt"]} t i v))))))"),
            // An entry of term t at index i, in any log, is term t's log's entry at i.
            new("EntriesComeFromTermLogs", s => $"(and (forall ((n Node) (i Index) (t Term)) (=> ({s["termAt"]} n i t) (and ({s["tlTermAt"]} t i t) (forall ((v Value)) (= ({s["valueAt"]} n i v) ({s["tlValueAt"]} t i v)))))) " +
                $"(forall ((x Term) (i Index) (t Term)) (=> ({s["tlTermAt"]} x i t) (and ({s["tlTermAt"]} t i t) (forall ((v Value)) (= ({s["tlValueAt"]} x i v) ({s["tlValueAt"]} t i v)))))))"),
            // Log Matching: two servers' logs with an entry of the same index and term agree up to it.
            Matching("LogMatching", ("termAt", "valueAt", "Node"), ("termAt", "valueAt", "Node")),
            // The same between a server's log and a term's log ...
            Matching("LogsMatchTermLogs", ("termAt", "valueAt", "Node"), ("tlTermAt", "tlValueAt", "Term")),
            // ... and between two terms' logs.
            Matching("TermLogsMatch", ("tlTermAt", "tlValueAt", "Term"), ("tlTermAt", "tlValueAt", "Term")),
            // A server acks only an entry of a term's log.
            new("AckedEntriesAreInTermLogs", s => $"(forall ((n Node) (t Term) (i Index)) (=> ({s["acked"]} n t i) ({s["tlUsed"]} t i)))"),
            // While term t's own entry at i may still be committed, every server that acked it keeps it.
            new("AckedChoosableEntryKept", s => $"(forall ((n Node) (t Term) (i Index)) (=> (and ({s["tlTermAt"]} t i t) {Choosable(s, "t", "i")} ({s["acked"]} n t i)) ({s["termAt"]} n i t)))"),
            // ... every candidate of a later, not yet started term that got the vote of a server that acked it holds it (the up-to-date check) ...
            new("VotedCandidateHoldsChoosableEntry", s => $"(forall ((n Node) (t1 Term) (i Index) (c Node) (t2 Term)) (=> (and ({s["tlTermAt"]} t1 i t1) {Choosable(s, "t1", "i")} ({s["acked"]} n t1 i) " +
                $"({s["vote"]} n t2 c) ({Tlt} t1 t2) (not ({s["started"]} t2)) ({s["current"]} c t2)) ({s["termAt"]} c i t1)))"),
            // ... and every later term's log holds it.
            new("LaterTermLogsHoldChoosableEntries", s => $"(forall ((t1 Term) (i Index) (t2 Term)) (=> (and ({s["tlTermAt"]} t1 i t1) {Choosable(s, "t1", "i")} ({s["started"]} t2) {Tle("t1", "t2")}) ({s["tlTermAt"]} t2 i t1)))"),
            // Term t's leader commits its own entry i once a quorum acked it.
            new("ChosenWasAcked", s => $"(forall ((t Term) (i Index)) (=> ({s["chosen"]} t i) (and ({s["tlTermAt"]} t i t) (exists ((q Quorum)) (forall ((m Node)) (=> (member m q) ({s["acked"]} m t i)))))))"),
            // Every later term's log holds a committed entry (Leader Completeness on term logs; the choosable invariants give it).
            new("CommittedEntriesInLaterTermLogs", s => $"(forall ((t Term) (i Index) (x Term)) (=> (and ({s["chosen"]} t i) ({s["started"]} x) {Tle("t", "x")}) ({s["tlTermAt"]} x i t)))"),
            // Leader Completeness: an entry committed in term t1 is in the log of every leader of a later term.
            new("LeaderCompleteness", s => $"(forall ((t1 Term) (i Index) (n Node) (t2 Term)) (=> (and ({s["chosen"]} t1 i) ({Tlt} t1 t2) ({s["leader"]} n t2) ({s["current"]} n t2)) ({s["termAt"]} n i t1)))"),
            // A server learns only a commit of a term's leader ...
            new("LearnedWasChosen", s => $"(forall ((n Node) (t Term) (i Index)) (=> ({s["learned"]} n t i) ({s["chosen"]} t i)))"),
            // ... and keeps that entry.
            new("LearnedEntryKept", s => $"(forall ((n Node) (t Term) (i Index)) (=> ({s["learned"]} n t i) ({s["termAt"]} n i t)))"),
            // State Machine Safety: two servers that know index j committed hold the same command there.
            new("StateMachineSafety", s => $"(forall ((n1 Node) (t1 Term) (i1 Index) (n2 Node) (t2 Term) (i2 Index) (j Index) (v1 Value) (v2 Value)) " +
                $"(=> (and ({s["learned"]} n1 t1 i1) ({s["learned"]} n2 t2 i2) {Ile("j", "i1")} {Ile("j", "i2")} ({s["valueAt"]} n1 j v1) ({s["valueAt"]} n2 j v2)) (= v1 v2)))"),

            // Two lemmas that shorten the solver's search (Z3's order of work follows this list; here they help most).
            // A server acks only in a term it reached.
            new("AcksOnlyInReachedTerms", s => $"(forall ((n Node) (t Term) (i Index) (x Term)) (=> (and ({s["acked"]} n t i) ({s["current"]} n x)) {Tle("t", "x")}))"),
            // A server's log up to an index it learned committed is that term's log.
            new("LearnedPrefixIsTermLog", s => $"(forall ((n Node) (t Term) (i Index) (j Index) (v Value)) (=> (and ({s["learned"]} n t i) {Ile("j", "i")}) (= ({s["valueAt"]} n j v) ({s["tlValueAt"]} t j v))))"),
        };

        return new RelationalModel(
            Name: Name,
            Sorts: ["Node", "Term", "Index", "Value", "Quorum"],
            Constants: $"(declare-fun {Tlt} (Term Term) Bool)\n(declare-const term0 Term)\n(declare-fun {Ilt} (Index Index) Bool)\n(declare-const index0 Index)\n(declare-fun member (Node Quorum) Bool)",
            Axioms: [
                new("TermsStrictlyOrdered", $"(forall ((x Term)) (not ({Tlt} x x)))"),
                new("TermOrderTransitive", $"(forall ((x Term) (y Term) (z Term)) (=> (and ({Tlt} x y) ({Tlt} y z)) ({Tlt} x z)))"),
                new("TermOrderTotal", $"(forall ((x Term) (y Term)) (or ({Tlt} x y) (= x y) ({Tlt} y x)))"),
                new("Term0First", $"(forall ((x Term)) (or (= x term0) ({Tlt} term0 x)))"),
                new("IndicesStrictlyOrdered", $"(forall ((x Index)) (not ({Ilt} x x)))"),
                new("IndexOrderTransitive", $"(forall ((x Index) (y Index) (z Index)) (=> (and ({Ilt} x y) ({Ilt} y z)) ({Ilt} x z)))"),
                new("IndexOrderTotal", $"(forall ((x Index) (y Index)) (or ({Ilt} x y) (= x y) ({Ilt} y x)))"),
                new("Index0First", $"(forall ((x Index)) (or (= x index0) ({Ilt} index0 x)))"),
                new("QuorumsIntersect", "(forall ((q1 Quorum) (q2 Quorum)) (exists ((n Node)) (and (member n q1) (member n q2))))"),
            ],
            State: [
                new("current", ["Node", "Term"]),
                new("left", ["Node", "Term"]),
                new("vote", ["Node", "Term", "Node"]),
                new("request", ["Node", "Term", "Index", "Term"]),
                new("leader", ["Node", "Term"]),
                new("started", ["Term"]),
                new("used", ["Node", "Index"]),
                new("termAt", ["Node", "Index", "Term"]),
                new("valueAt", ["Node", "Index", "Value"]),
                new("tlUsed", ["Term", "Index"]),
                new("tlTermAt", ["Term", "Index", "Term"]),
                new("tlValueAt", ["Term", "Index", "Value"]),
                new("acked", ["Node", "Term", "Index"]),
                new("chosen", ["Term", "Index"]),
                new("learned", ["Node", "Term", "Index"]),
            ],
            Initial: s => "(and " +
                $"(forall ((n Node) (t Term)) (and (= ({s["current"]} n t) (= t term0)) (not ({s["left"]} n t)) (not ({s["leader"]} n t)))) " +
                $"(forall ((n Node) (t Term) (c Node)) (not ({s["vote"]} n t c))) (forall ((c Node) (t Term) (i Index) (x Term)) (not ({s["request"]} c t i x))) " +
                $"(forall ((t Term)) (not ({s["started"]} t))) " +
                $"(forall ((n Node) (i Index) (t Term) (v Value)) (and (not ({s["used"]} n i)) (not ({s["termAt"]} n i t)) (not ({s["valueAt"]} n i v)))) " +
                $"(forall ((x Term) (i Index) (t Term) (v Value)) (and (not ({s["tlUsed"]} x i)) (not ({s["tlTermAt"]} x i t)) (not ({s["tlValueAt"]} x i v)))) " +
                $"(forall ((n Node) (t Term) (i Index)) (and (not ({s["acked"]} n t i)) (not ({s["chosen"]} t i)) (not ({s["learned"]} n t i)))))",
            Actions: [
                // A server times out and starts an election in a higher term T, voting for itself and asking for votes
                // with its last log index and term.
                new("StartElection", [("N", "Node"), ("T0", "Term"), ("T", "Term"), ("LI", "Index"), ("LT", "Term")],
                    s => $"(and ({s["current"]} N T0) ({Tlt} T0 T) {Last(s, "N", "LI", "LT")})",
                    [
                        .. EnterTerm("N", "T"),
                        new("vote", ["n", "t", "c"], s => $"(or ({s["vote"]} n t c) (and (= n N) (= t T) (= c N)))"),
                        new("request", ["c", "t", "i", "x"], s => $"(or ({s["request"]} c t i x) (and (= c N) (= t T) (= i LI) (= x LT)))"),
                    ]),
                // A server sees a message of a higher term T (some candidate asked for votes in T) and adopts T.
                new("ObserveTerm", [("N", "Node"), ("T0", "Term"), ("T", "Term")],
                    s => $"(and ({s["current"]} N T0) ({Tlt} T0 T) (exists ((c Node) (i Index) (x Term)) ({s["request"]} c T i x)))",
                    EnterTerm("N", "T")),
                // N grants its vote in term T (not below its own) to candidate C, once per term, if C's log, as its
                // request describes it, is at least as up-to-date as N's: a higher last term, or the same and as long.
                new("GrantVote", [("N", "Node"), ("C", "Node"), ("T0", "Term"), ("T", "Term"), ("LI", "Index"), ("LT", "Term"), ("MI", "Index"), ("MT", "Term")],
                    s => $"(and ({s["current"]} N T0) {Tle("T0", "T")} ({s["request"]} C T LI LT) (forall ((c Node)) (not ({s["vote"]} N T c))) {Last(s, "N", "MI", "MT")} " +
                         $"(or ({Tlt} MT LT) (and (= MT LT) {Ile("MI", "LI")})))",
                    [
                        .. EnterTerm("N", "T"),
                        new("vote", ["n", "t", "c"], s => $"(or ({s["vote"]} n t c) (and (= n N) (= t T) (= c C)))"),
                    ]),
                // A candidate with the votes of quorum Q in its term becomes leader; its log becomes term T's log.
                new("BecomeLeader", [("N", "Node"), ("T", "Term"), ("Q", "Quorum")],
                    s => $"(and ({s["current"]} N T) (forall ((m Node)) (=> (member m Q) ({s["vote"]} m T N))))",
                    [
                        new("leader", ["n", "t"], s => $"(or ({s["leader"]} n t) (and (= n N) (= t T)))"),
                        new("started", ["t"], s => $"(or ({s["started"]} t) (= t T))"),
                        new("tlUsed", ["x", "i"], s => $"(ite (= x T) ({s["used"]} N i) ({s["tlUsed"]} x i))"),
                        new("tlTermAt", ["x", "i", "t"], s => $"(ite (= x T) ({s["termAt"]} N i t) ({s["tlTermAt"]} x i t))"),
                        new("tlValueAt", ["x", "i", "v"], s => $"(ite (= x T) ({s["valueAt"]} N i v) ({s["tlValueAt"]} x i v))"),
                    ]),
                // The leader of T appends client command V at the end of its log, index I (and so to T's log; it counts its own ack).
                new("Append", [("N", "Node"), ("T", "Term"), ("I", "Index"), ("V", "Value")],
                    s => $"(and ({s["leader"]} N T) ({s["current"]} N T) (not (= I index0)) (not ({s["used"]} N I)) " +
                         $"(forall ((j Index)) (=> (and ({Ilt} index0 j) ({Ilt} j I)) ({s["used"]} N j))))",
                    [
                        new("used", ["n", "i"], s => $"(or ({s["used"]} n i) (and (= n N) (= i I)))"),
                        new("termAt", ["n", "i", "t"], s => $"(or ({s["termAt"]} n i t) (and (= n N) (= i I) (= t T)))"),
                        new("valueAt", ["n", "i", "v"], s => $"(or ({s["valueAt"]} n i v) (and (= n N) (= i I) (= v V)))"),
                        new("tlUsed", ["x", "i"], s => $"(or ({s["tlUsed"]} x i) (and (= x T) (= i I)))"),
                        new("tlTermAt", ["x", "i", "t"], s => $"(or ({s["tlTermAt"]} x i t) (and (= x T) (= i I) (= t T)))"),
                        new("tlValueAt", ["x", "i", "v"], s => $"(or ({s["tlValueAt"]} x i v) (and (= x T) (= i I) (= v V)))"),
                        new("acked", ["n", "t", "i"], s => $"(or ({s["acked"]} n t i) (and (= n N) (= t T) (= i I)))"),
                    ]),
                // F accepts term T's entry (ET, EV) at I (T not below F's term) when its entry at the previous index P
                // matches T's log. If F's own entry at I has another term, F deletes it and everything after it first;
                // otherwise it keeps what follows. F acks the entry.
                new("AcceptEntry", [("F", "Node"), ("T0", "Term"), ("T", "Term"), ("I", "Index"), ("P", "Index"), ("PT", "Term"), ("ET", "Term"), ("EV", "Value")],
                    s => $"(and ({s["current"]} F T0) {Tle("T0", "T")} ({s["tlUsed"]} T I) ({s["tlTermAt"]} T I ET) ({s["tlValueAt"]} T I EV) " +
                         $"({Ilt} P I) (forall ((x Index)) (=> ({Ilt} x I) {Ile("x", "P")})) " +
                         $"(or (= P index0) (and ({s["tlTermAt"]} T P PT) ({s["termAt"]} F P PT))))",
                    [
                        .. EnterTerm("F", "T"),
                        new("used", ["n", "i"], s => $"(ite (= n F) (or (= i I) (and ({s["used"]} n i) (or ({Ilt} i I) ({s["termAt"]} F I ET)))) ({s["used"]} n i))"),
                        new("termAt", ["n", "i", "t"], s => $"(ite (= n F) (ite (= i I) (= t ET) (and ({s["termAt"]} n i t) (or ({Ilt} i I) ({s["termAt"]} F I ET)))) ({s["termAt"]} n i t))"),
                        new("valueAt", ["n", "i", "v"], s => $"(ite (= n F) (ite (= i I) (= v EV) (and ({s["valueAt"]} n i v) (or ({Ilt} i I) ({s["termAt"]} F I ET)))) ({s["valueAt"]} n i v))"),
                        new("acked", ["n", "t", "i"], s => $"(or ({s["acked"]} n t i) (and (= n F) (= t T) (= i I)))"),
                    ]),
                // The leader of T commits its entry I of term T (the current-term rule) once a quorum Q acked it.
                new("Commit", [("N", "Node"), ("T", "Term"), ("I", "Index"), ("Q", "Quorum")],
                    s => $"(and ({s["leader"]} N T) ({s["current"]} N T) ({s["termAt"]} N I T) (forall ((m Node)) (=> (member m Q) ({s["acked"]} m T I))))",
                    [new("chosen", ["t", "i"], s => $"(or ({s["chosen"]} t i) (and (= t T) (= i I)))")]),
                // A server in term T learns that T's leader committed I (its leaderCommit), holding that entry itself.
                new("LearnCommit", [("N", "Node"), ("T", "Term"), ("I", "Index")],
                    s => $"(and ({s["chosen"]} T I) ({s["current"]} N T) ({s["termAt"]} N I T))",
                    [new("learned", ["n", "t", "i"], s => $"(or ({s["learned"]} n t i) (and (= n N) (= t T) (= i I)))")]),
            ],
            Invariants: invariants)
        {
            Orders = new Dictionary<string, string> { ["Term"] = Tlt, ["Index"] = Ilt },
        };
    }

    /// <summary>Server n moves to term t: it has left every lower term.</summary>
    private static RelationUpdate[] EnterTerm(string n, string t) =>
    [
        new("current", ["n", "t"], s => $"(ite (= n {n}) (= t {t}) ({s["current"]} n t))"),
        new("left", ["n", "t"], s => $"(ite (= n {n}) ({Tlt} t {t}) ({s["left"]} n t))"),
    ];
}
