using Verification.Specs.Replication;

namespace Verification.Specs.Tests;

/// <summary>The replicated-log spec on hand-written histories: what it accepts and what it rejects, and why.</summary>
public class ReplicatedLogSpecTests
{
    private static readonly Spec<LogEvent> Spec = ReplicatedLogSpec.Create(slots: 3, commands: 2, replicas: 2);

    [Fact]
    public void ARetriedCommandInTwoSlots_IsExecutedOnce_AndSkippedOnce()
    {
        LogEvent[] history =
        [
            new Submitted(0, 0), new Committed(0, 0, 0), new Committed(0, 1, 0), new Committed(1, 2, ReplicatedLogSpec.NoOp),
            new Applied(0, 0, 0, true), new Applied(0, 1, 0, false), new Applied(0, 2, ReplicatedLogSpec.NoOp, false),
        ];
        Assert.Null(History.Check(Spec, history).Violation);
    }

    [Theory]
    [InlineData("SlotAgreement")]
    [InlineData("Validity")]
    [InlineData("AppliedInOrder")]
    [InlineData("ExecutedOnce")]
    [InlineData("SkipsOnlyDuplicates")]
    public void EachSafetyProperty_RejectsItsViolation(string property)
    {
        LogEvent[] prefix = [new Submitted(0, 0), new Committed(0, 0, 0), new Committed(0, 1, 0)];
        LogEvent[] bad = property switch
        {
            "SlotAgreement" => [new Submitted(1, 1), new Committed(1, 0, 1)],
            "Validity" => [new Committed(1, 2, 1)],
            "AppliedInOrder" => [new Applied(0, 1, 0, true)],
            "ExecutedOnce" => [new Applied(0, 0, 0, true), new Applied(0, 1, 0, true)],
            _ => [new Applied(0, 0, 0, false)],
        };
        var violation = History.Check(Spec, [.. prefix, .. bad]).Violation;
        Assert.Equal(property, violation?.Instance);
        Assert.Equal(prefix.Length + bad.Length, violation!.PrefixLength);
    }

    [Fact]
    public void Liveness_OwesTheCommit_TheAnswer_AndTheCommittedPrefixOnEveryReplica()
    {
        var monitor = new Monitor<LogEvent>(Spec);
        monitor.Append(new Submitted(0, 0));
        Assert.Equal(["EverySubmittedCommandCommitted", "EveryRequestCompletes"], Hot(monitor));
        monitor.Append(new Committed(0, 0, 0));
        Assert.Equal(["EveryRequestCompletes", "EveryReplicaAppliesTheCommittedPrefix"], Hot(monitor));
        monitor.Append(new Applied(0, 0, 0, true));
        monitor.Append(new StoreReturned(0, 0, "ok"));
        Assert.Equal(["EveryReplicaAppliesTheCommittedPrefix"], Hot(monitor)); // replica 1 has not applied slot 0
        monitor.Append(new Applied(1, 0, 0, true));
        Assert.Empty(Hot(monitor));
    }

    private static List<string> Hot(Monitor<LogEvent> monitor) =>
        monitor.HotProperties.Select(p => p.Name).ToList();
}
