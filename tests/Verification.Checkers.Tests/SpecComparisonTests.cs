using Verification.Checkers.Smt;
using Verification.Specs.Consensus;
using Verification.Specs.Examples;
using Xunit.Abstractions;

namespace Verification.Checkers.Tests;

/// <summary>Spec against spec: the shortest history one accepts and the other rejects, by enumeration and by Z3, and inclusion by induction.</summary>
public class SpecComparisonTests(ITestOutputHelper output)
{
    private static readonly ConsensusEvent[] ConsensusEvents =
        [new ValueProposed(0), new ValueProposed(1), new ValueLearned(0, 0), new ValueLearned(0, 1), new ValueLearned(1, 0), new ValueLearned(1, 1)];

    [Fact]
    public void ConsensusWithoutAgreement_AcceptsAHistoryConsensusRejects_FourEventsLong_ByEnumerationAndByZ3()
    {
        var weak = AbstractConsensus.WithoutAgreement(values: 2);
        var strong = AbstractConsensus.Create(values: 2);
        var enumerated = SpecComparison.ShortestDifference(weak, strong, ConsensusEvents, maxLength: 6);
        output.WriteLine(enumerated.ToString());
        Assert.Equal(Verdict.Violated, enumerated.Verdict);
        Assert.Equal("Consensus.Agreement", enumerated.Counterexample!.Property);
        Assert.Equal(4, enumerated.Coverage.Depth); // two proposals, then two learners learning different values
        var solved = SpecComparison.BoundedDifference(weak, strong, depth: 6);
        output.WriteLine(solved.ToString());
        Assert.Equal(Verdict.Violated, solved.Verdict);
        Assert.Equal("Consensus.Agreement", solved.Counterexample!.Property);
        Assert.Contains("violated by a history of 4 events", solved.ToString());
    }

    [Fact]
    public void Consensus_IsIncludedInConsensusWithoutAgreement_TheSearchClosesAndZ3ProvesIt()
    {
        var weak = AbstractConsensus.WithoutAgreement(values: 2);
        var strong = AbstractConsensus.Create(values: 2);
        var enumerated = SpecComparison.ShortestDifference(strong, weak, ConsensusEvents, maxLength: 20);
        output.WriteLine(enumerated.ToString());
        Assert.Equal(Verdict.Holds, enumerated.Verdict);
        Assert.Contains(enumerated.Within, w => w.StartsWith("every history over these 6 events", StringComparison.Ordinal));
        var proved = SpecComparison.ProveInclusion(strong, weak);
        output.WriteLine(proved.ToString());
        Assert.Equal(Verdict.Holds, proved.Verdict);
        Assert.NotEqual(Verdict.Holds, SpecComparison.ProveInclusion(weak, strong).Verdict);
    }

    private static readonly ShiftEvent[] ShiftEvents = [new Right(1), new Right(2), new Left(1), new Left(2)];

    [Fact]
    public void TheComposedShiftRegister_AndTheDirectOne_HoldTheSameValues_OnEveryHistory()
    {
        var composed = ShiftRegister.Create(3);
        var direct = DirectShiftRegister.Create(3);
        var proved = SpecComparison.ProveInclusion(composed, direct, DirectShiftRegister.CellsOf(composed, direct));
        output.WriteLine(proved.ToString());
        Assert.Equal(Verdict.Holds, proved.Verdict);
        var enumerated = SpecComparison.ShortestDifference(composed, direct, ShiftEvents, maxLength: 12, DirectShiftRegister.CellsOf(composed, direct));
        Assert.Equal(Verdict.Holds, enumerated.Verdict);
        Assert.Contains(enumerated.Within, w => w.StartsWith("every history", StringComparison.Ordinal));
    }

    [Fact]
    public void ADirectRegisterWhoseLeftShiftGoesTheWrongWay_IsToldApart_ByTheShortestHistory()
    {
        var composed = ShiftRegister.Create(3);
        var wrong = DirectShiftRegister.Create(3, leftShiftsTheWrongWay: true);
        var enumerated = SpecComparison.ShortestDifference(composed, wrong, ShiftEvents, maxLength: 8, DirectShiftRegister.CellsOf(composed, wrong));
        output.WriteLine(enumerated.ToString());
        Assert.Equal(Verdict.Violated, enumerated.Verdict);
        Assert.StartsWith("DirectShiftRegisterLeftWrongWay.", enumerated.Counterexample!.Property);
        Assert.Equal(2, enumerated.Coverage.Depth); // a Left fills the last cell, a second Left must move it down
        var solved = SpecComparison.BoundedDifference(composed, wrong, depth: 4, DirectShiftRegister.CellsOf(composed, wrong));
        Assert.Equal(Verdict.Violated, solved.Verdict);
    }
}
