using System.Diagnostics;
using Verification.Specs;
using Verification.Specs.Consensus;

namespace Verification.Checkers.Smt;

/// <summary>Two quorums that share no node: the reason a protocol relying on their intersection is unsafe.</summary>
/// <param name="Property">"QuorumsIntersect", or "Phase1MeetsPhase2" for two systems.</param>
/// <param name="First">The first quorum (a quorum of the first system), bit i for node i.</param>
/// <param name="Second">The second quorum (of the second system), disjoint from the first.</param>
/// <param name="FirstSystem">The first system's name.</param>
/// <param name="SecondSystem">The second system's name.</param>
public sealed record DisjointQuorums(string Property, uint First, uint Second, string FirstSystem, string SecondSystem) : Counterexample(Property)
{
    /// <inheritdoc/>
    public override string Describe() => FirstSystem == SecondSystem
        ? $"two quorums of {FirstSystem} share no node: {QuorumSystem.Describe(First)} and {QuorumSystem.Describe(Second)}"
        : $"a quorum of {FirstSystem}, {QuorumSystem.Describe(First)}, and a quorum of {SecondSystem}, {QuorumSystem.Describe(Second)}, share no node";
}

/// <summary>A quorum system with no quorum at all: intersection would hold vacuously, and a protocol over it could never act.</summary>
/// <param name="System">The system's name.</param>
public sealed record NoQuorum(string System) : Counterexample(QuorumIntersection.HasAQuorum)
{
    /// <inheritdoc/>
    public override string Describe() => $"{System} has no quorum at all: no set of nodes qualifies, so intersection would hold vacuously";
}

/// <summary>
/// Whether every quorum of one system meets every quorum of another (or of itself) — what Paxos needs of its quorums
/// (Q ∩ Q′ ≠ ∅), and Flexible Paxos of its two phases (Q1 ∩ Q2 ≠ ∅). Decided two ways: by Z3, over one Boolean per
/// node and set (is there a pair of quorums with no node in both?), and by enumerating every pair of node sets
/// (small N), so each can be checked against the other. A system with no quorum at all is a violation of <see cref="HasAQuorum"/>, never "holds".
/// </summary>
public static class QuorumIntersection
{
    /// <summary>The property for one system: every two quorums share a node.</summary>
    public const string QuorumsIntersect = "QuorumsIntersect";

    /// <summary>The property for two systems (Flexible Paxos): every phase-1 quorum shares a node with every phase-2 quorum.</summary>
    public const string Phase1MeetsPhase2 = "Phase1MeetsPhase2";

    /// <summary>The property checked first: the system has at least one quorum.</summary>
    public const string HasAQuorum = "HasAQuorum";

    /// <summary>Enumeration visits 4^N pairs of node sets; beyond this many nodes it is refused.</summary>
    public const int MaxEnumeratedNodes = 10;

    /// <summary>
    /// Asks Z3 for two disjoint quorums (one of <paramref name="first"/>, one of <paramref name="second"/>, or two of
    /// <paramref name="first"/> when there is no second): unsat proves intersection for this N; sat gives the pair,
    /// confirmed against the systems' own membership test before it is reported.
    /// </summary>
    public static CheckResult Prove(QuorumSystem first, QuorumSystem? second = null, TimeSpan? timeout = null)
    {
        var watch = Stopwatch.StartNew();
        var other = second ?? first;
        RequireSameNodes(first, other);
        using var session = new Z3Session(timeout ?? TimeSpan.FromSeconds(30));
        var a = Enumerable.Range(0, first.Nodes).Select(i => $"a{i}").ToList();
        var b = Enumerable.Range(0, first.Nodes).Select(i => $"b{i}").ToList();
        var obligations = 0;
        CheckResult Result(Verdict verdict, Counterexample? found = null, Inconclusive? why = null, string? reason = null) =>
            Finish(first, second, $"Z3 {session.Version}: is there a pair of disjoint quorums?", verdict, new Coverage { Obligations = obligations }, watch, found, why, reason);

        session.Run(string.Concat(a.Concat(b).Select(x => $"(declare-const {x} Bool)\n")));
        // Vacuity: a system with no quorum "intersects" for no reason, and a protocol over it could never act.
        foreach (var (system, member) in new[] { (first, a), (other, b) }.DistinctBy(p => p.Item1))
        {
            obligations++;
            var some = session.Check($"(push)\n(assert {system.QuorumFormula(member)})");
            if (some == SatResult.Unknown) return Result(Verdict.Unknown, why: Inconclusive.Solver, reason: $"{session.UnknownReason} (whether {system.Name} has a quorum)");
            session.Run("(pop)");
            if (some == SatResult.Unsat) return Result(Verdict.Violated, new NoQuorum(system.Name));
        }
        obligations++;
        var disjoint = string.Concat(a.Zip(b, (x, y) => $"(not (and {x} {y}))"));
        var answer = session.Check($"(assert {first.QuorumFormula(a)})\n(assert {other.QuorumFormula(b)})\n(assert (and true {disjoint}))");
        if (answer == SatResult.Unsat) return Result(Verdict.Holds);
        if (answer == SatResult.Unknown) return Result(Verdict.Unknown, why: session.TimedOut ? Inconclusive.Budget : Inconclusive.Solver, reason: session.UnknownReason);
        var values = SExpression.ParseAll(session.Run($"(get-value ({string.Join(" ", a.Concat(b))}))"));
        if (values.Count != 1 || values[0].Items.Count != 2 * first.Nodes) throw new SmtException($"unexpected answer to get-value: {string.Join(" ", values)}");
        uint Set(int offset) => (uint)Enumerable.Range(0, first.Nodes).Where(i => values[0].Items[offset + i].Items[1].Atom == "true").Sum(i => 1L << i);
        var (x1, x2) = (Set(0), Set(first.Nodes));
        // Trust, but check: the solver's pair must be quorums by the systems' own test, and disjoint.
        if (!first.IsQuorum(x1) || !other.IsQuorum(x2) || (x1 & x2) != 0)
            throw new SmtException($"Z3's disjoint pair {QuorumSystem.Describe(x1)}, {QuorumSystem.Describe(x2)} is not one by {first.Name} and {other.Name}'s own test: the SMT form and the test disagree");
        return Result(Verdict.Violated, new DisjointQuorums(second is null ? QuorumsIntersect : Phase1MeetsPhase2, x1, x2, first.Name, other.Name));
    }

    /// <summary>
    /// The same question by brute force: every quorum of the first system against every node set, for N ≤
    /// <see cref="MaxEnumeratedNodes"/>. Makes no assumption about the systems (not even that a superset of a quorum is one).
    /// </summary>
    public static CheckResult Enumerate(QuorumSystem first, QuorumSystem? second = null)
    {
        var watch = Stopwatch.StartNew();
        var other = second ?? first;
        RequireSameNodes(first, other);
        if (first.Nodes > MaxEnumeratedNodes)
            throw new SpecException($"{first.Name}: enumerating pairs of quorums visits 4^N pairs; {first.Nodes} nodes is more than {MaxEnumeratedNodes} (use {nameof(Prove)})");
        var all = (1u << first.Nodes) - 1;
        var pairs = 0L;
        var quorums = 0;
        var otherQuorums = Enumerable.Range(0, (int)all + 1).Select(set => (uint)set).Where(other.IsQuorum).ToList();
        var method = $"enumeration of every pair of sets of {first.Nodes} nodes";
        for (var set = 0u; set <= all; set++)
        {
            if (!first.IsQuorum(set)) continue;
            quorums++;
            foreach (var candidate in otherQuorums)
            {
                pairs++;
                if ((set & candidate) == 0)
                    return Finish(first, second, method, Verdict.Violated, new Coverage { Cases = pairs }, watch,
                        new DisjointQuorums(second is null ? QuorumsIntersect : Phase1MeetsPhase2, set, candidate, first.Name, other.Name));
            }
        }
        if (quorums == 0 || otherQuorums.Count == 0)
            return Finish(first, second, method, Verdict.Violated, new Coverage { Cases = all + 1L }, watch, new NoQuorum(quorums == 0 ? first.Name : other.Name));
        return Finish(first, second, method, Verdict.Holds, new Coverage { Cases = pairs }, watch);
    }

    private static void RequireSameNodes(QuorumSystem first, QuorumSystem second)
    {
        if (first.Nodes != second.Nodes) throw new SpecException($"{first.Name} and {second.Name} are over different numbers of nodes ({first.Nodes} and {second.Nodes})");
    }

    private static CheckResult Finish(QuorumSystem first, QuorumSystem? second, string method, Verdict verdict, Coverage coverage, Stopwatch watch,
        Counterexample? found = null, Inconclusive? why = null, string? reason = null) => new()
        {
            Subject = second is null ? $"{first.Name}: every two quorums intersect" : $"{first.Name} (phase 1) and {second.Name} (phase 2): every phase-1 quorum meets every phase-2 quorum",
            Method = method,
            Verdict = verdict,
            Why = why,
            Reason = reason,
            Coverage = coverage,
            Within = [$"N = {first.Nodes} nodes"],
            Counterexample = found,
            Elapsed = watch.Elapsed,
        };
}
