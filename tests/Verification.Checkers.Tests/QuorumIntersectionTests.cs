using Verification.Checkers.Smt;
using Verification.Specs;
using Verification.Specs.Consensus;
using Xunit.Abstractions;

namespace Verification.Checkers.Tests;

/// <summary>Quorum systems proved to intersect by Z3 or refuted with a disjoint pair, cross-checked by enumeration for N ≤ 7.</summary>
public class QuorumIntersectionTests(ITestOutputHelper output)
{
    public static TheoryData<string> Sound => ["majority of 5", "weighted majority [3,1,1,1,1]", "grid 3×3", "flexible 6: |Q1| = 4, |Q2| = 3"];

    public static TheoryData<string> Broken => ["any 2 of 4", "weighted half [2,1,1]", "grid 2×3, rows alone", "flexible 6: |Q1| = 3, |Q2| = 3"];

    private static (QuorumSystem First, QuorumSystem? Second) Named(string name) => name switch
    {
        "majority of 5" => (QuorumSystem.Majority(5), null),
        "weighted majority [3,1,1,1,1]" => (QuorumSystem.WeightedMajority([3, 1, 1, 1, 1]), null),
        "grid 3×3" => (QuorumSystem.Grid(3, 3), null),
        "flexible 6: |Q1| = 4, |Q2| = 3" => QuorumSystem.FlexiblePaxos(6, 4, 3),
        "any 2 of 4" => (QuorumSystem.AtLeast(4, 2), null),
        "weighted half [2,1,1]" => (QuorumSystem.WeightedMajority([2, 1, 1], atLeastHalf: true), null),
        "grid 2×3, rows alone" => (QuorumSystem.Grid(2, 3, rowsOnly: true), null),
        "flexible 6: |Q1| = 3, |Q2| = 3" => QuorumSystem.FlexiblePaxos(6, 3, 3),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Sound))]
    public void SoundSystems_AreProvedToIntersect_ByZ3_AndByEnumeration(string name)
    {
        var (first, second) = Named(name);
        var proof = QuorumIntersection.Prove(first, second);
        output.WriteLine(proof.ToString());
        proof.AssertHolds();
        Assert.StartsWith("Z3 ", proof.Method);
        // One vacuity check per distinct system (each has a quorum), then the disjoint-pair query.
        Assert.Equal(second is null ? 2 : 3, proof.Coverage.Obligations);
        QuorumIntersection.Enumerate(first, second).AssertHolds();
    }

    [Theory]
    [MemberData(nameof(Broken))]
    public void BrokenSystems_AreRefuted_WithADisjointPairOfRealQuorums(string name)
    {
        var (first, second) = Named(name);
        var refuted = QuorumIntersection.Prove(first, second);
        output.WriteLine(refuted.ToString());
        var pair = Assert.IsType<DisjointQuorums>(refuted.AssertViolated(second is null ? QuorumIntersection.QuorumsIntersect : QuorumIntersection.Phase1MeetsPhase2));
        Assert.True(first.IsQuorum(pair.First));
        Assert.True((second ?? first).IsQuorum(pair.Second));
        Assert.Equal(0u, pair.First & pair.Second);
        Assert.Contains("share no node", pair.Describe());
        Assert.Equal(Verdict.Violated, QuorumIntersection.Enumerate(first, second).Verdict);
    }

    [Fact]
    public void FlexiblePaxos_MessagesNameBothPhases()
    {
        var (phase1, phase2) = QuorumSystem.FlexiblePaxos(5, 2, 3);
        var refuted = QuorumIntersection.Prove(phase1, phase2);
        Assert.Contains("(phase 1) and any 3 of 5 (phase 2)", refuted.Subject);
        var pair = Assert.IsType<DisjointQuorums>(refuted.Counterexample);
        Assert.Equal(2, System.Numerics.BitOperations.PopCount(pair.First));
        Assert.Equal(3, System.Numerics.BitOperations.PopCount(pair.Second));
        Assert.StartsWith("a quorum of any 2 of 5, {", pair.Describe());
    }

    /// <summary>Every system of every kind over 1..7 nodes: Z3's verdict is the enumeration's.</summary>
    [Fact]
    public void Z3AndEnumeration_Agree_OnEveryKindOfSystem_UpToSevenNodes()
    {
        var cases = new List<(QuorumSystem First, QuorumSystem? Second)>();
        for (var n = 1; n <= 7; n++)
        {
            cases.Add((QuorumSystem.Majority(n), null));
            for (var k = 1; k <= n; k++) cases.Add((QuorumSystem.AtLeast(n, k), null));
            for (var q1 = 1; q1 <= n; q1 += 2)
                for (var q2 = 1; q2 <= n; q2 += 2) cases.Add(QuorumSystem.FlexiblePaxos(n, q1, q2));
        }
        for (var rows = 1; rows <= 3; rows++)
            for (var columns = 1; rows * columns <= 7; columns++)
            {
                cases.Add((QuorumSystem.Grid(rows, columns), null));
                cases.Add((QuorumSystem.Grid(rows, columns, rowsOnly: true), null));
            }
        var random = new Random(20261127);
        for (var i = 0; i < 40; i++)
        {
            var weights = Enumerable.Range(0, 1 + random.Next(7)).Select(_ => random.Next(4)).ToArray();
            if (weights.Sum() == 0) weights[0] = 1;
            cases.Add((QuorumSystem.WeightedMajority(weights), null));
            cases.Add((QuorumSystem.WeightedMajority(weights, atLeastHalf: true), null));
        }
        var (holds, violated) = (0, 0);
        foreach (var (first, second) in cases)
        {
            var byZ3 = QuorumIntersection.Prove(first, second);
            var byEnumeration = QuorumIntersection.Enumerate(first, second);
            Assert.True(byZ3.Verdict == byEnumeration.Verdict, $"{byZ3.Subject}: Z3 says {byZ3.Verdict}, enumeration {byEnumeration.Verdict}");
            holds += byZ3.Holds ? 1 : 0;
            violated += byZ3.IsViolated ? 1 : 0;
        }
        output.WriteLine($"{cases.Count} systems: {holds} intersect, {violated} refuted");
        // Both answers occur often, so the agreement is not about one kind of answer only.
        Assert.True(holds > 40 && violated > 40, $"{holds} intersect, {violated} refuted");
    }

    /// <summary>The SMT form of "is a quorum" is the membership test: one query per system asks for a set where they differ.</summary>
    [Fact]
    public void QuorumFormula_AgreesWithTheMembershipTest_OnEverySet()
    {
        QuorumSystem[] systems = [QuorumSystem.Majority(6), QuorumSystem.AtLeast(5, 2), QuorumSystem.WeightedMajority([3, 0, 2, 1, 1]),
            QuorumSystem.WeightedMajority([2, 2, 1, 1], atLeastHalf: true), QuorumSystem.Grid(2, 3), QuorumSystem.Grid(3, 2, rowsOnly: true),
            QuorumSystem.Explicit(4, [[0, 1], [1, 2, 3]])];
        using var session = new Z3Session(TimeSpan.FromSeconds(30));
        foreach (var system in systems)
        {
            var x = Enumerable.Range(0, system.Nodes).Select(i => $"x{i}").ToList();
            var quorums = Enumerable.Range(0, 1 << system.Nodes).Where(set => system.IsQuorum((uint)set))
                .Select(set => $"(and true {string.Join(" ", x.Select((xi, i) => ((set >> i) & 1) == 1 ? xi : $"(not {xi})"))})");
            var declarations = string.Concat(x.Select(xi => $"(declare-const {xi} Bool)\n"));
            var differ = session.Check($"(push)\n{declarations}(assert (not (= {system.QuorumFormula(x)} (or false {string.Join(" ", quorums)}))))");
            Assert.True(differ == SatResult.Unsat, $"{system.Name}: the formula and the test differ on some set ({differ})");
            session.Run("(pop)");
        }
    }

    [Fact]
    public void ASystemWithNoQuorum_IsNeverSaidToIntersect()
    {
        var none = QuorumSystem.WeightedMajority([0, 0, 0]);
        foreach (var result in new[] { QuorumIntersection.Prove(none), QuorumIntersection.Enumerate(none) })
        {
            output.WriteLine(result.ToString());
            Assert.Contains("has no quorum at all", Assert.IsType<NoQuorum>(result.AssertViolated(QuorumIntersection.HasAQuorum)).Describe());
        }
    }

    [Fact]
    public void BadSystems_AreRefusedWithOneLine()
    {
        Assert.Contains("cannot be negative (got -1)", Assert.Throws<SpecException>(() => QuorumSystem.WeightedMajority([1, -1, 2])).Message);
        Assert.Contains("at most 32 nodes (got 6 × 6)", Assert.Throws<SpecException>(() => QuorumSystem.Grid(6, 6)).Message);
        Assert.Contains("different numbers of nodes (5 and 4)",
            Assert.Throws<SpecException>(() => QuorumIntersection.Prove(QuorumSystem.Majority(5), QuorumSystem.Majority(4))).Message);
        Assert.Contains("more than 10",
            Assert.Throws<SpecException>(() => QuorumIntersection.Enumerate(QuorumSystem.Majority(11))).Message);
    }
}
