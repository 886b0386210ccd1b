using Verification.Specs.Replication;

namespace Verification.Specs.Tests;

public abstract record BatchEvent;

public sealed record Requested(int Client, int Command) : BatchEvent;

/// <summary>A node commits two commands at once, in slots <see cref="Slot"/> and <see cref="Slot"/> + 1.</summary>
public sealed record PairCommitted(int Node, int Slot, int First, int Second) : BatchEvent;

/// <summary>Refinement in the kernel: a concrete step that stands for two abstract ones, each checked in its own abstract state.</summary>
public class RefinementTests
{
    /// <summary>A batching log: its own state is only how many pairs it committed; the replicated log is what it refines.</summary>
    private static Spec<BatchEvent> Batching()
    {
        var spec = new SpecBuilder<BatchEvent>("Batching");
        var pairs = spec.Variable<int>("pairs");
        spec.Define(pairs, 0, e => e.Is((PairCommitted p) => p.Slot >= 0) ? pairs.Now + 1 : pairs.Now);
        return spec.Build();
    }

    private static Spec<BatchEvent> RefinesLog() =>
        Refinement.Of(Batching(), ReplicatedLogSpec.Create(slots: 4, commands: 3, replicas: 2))
            .MapEvents(
                e => e.When((Requested r) => (LogEvent?)new Submitted(r.Client, r.Command)).When((PairCommitted p) => new Committed(p.Node, p.Slot, p.First)).Else(null),
                e => e.When((PairCommitted p) => (LogEvent?)new Committed(p.Node, p.Slot + 1, p.Second)).Else(null))
            .Build();

    [Fact]
    public void AStepThatStandsForTwoAbstractEvents_IsCheckedEventByEvent()
    {
        var spec = RefinesLog();
        BatchEvent[] ok = [new Requested(0, 0), new Requested(1, 1), new PairCommitted(0, 0, 0, 1), new PairCommitted(1, 0, 0, 1)];
        History.AssertRefines(spec, ok);
        var evaluator = spec.NewEvaluator();
        foreach (var e in ok) evaluator.Step(e);
        Assert.Equal(1, evaluator.Value(spec.Variable<Family<int>>("ReplicatedLog.committedCommand"), 1)); // the second abstract event reached the final state

        // The first abstract event agrees with slot 0; the second contradicts slot 1, committed to command 1 before.
        var result = History.Check(spec, [.. ok, new PairCommitted(0, 0, 0, 0)]);
        Assert.Equal("ReplicatedLog.SlotAgreement#2", result.Violation!.Instance);
        Assert.Contains("in ReplicatedLog this event is Committed(Node: 0, Slot: 0, Command: 0) then Committed(Node: 0, Slot: 1, Command: 0)", result.ToString());
        // Within one step, the second event sees the first: a pair committing an unsubmitted second command breaks Validity#2 only.
        var unsubmitted = History.Check(spec, [new Requested(0, 0), new PairCommitted(0, 0, 0, 2)]);
        Assert.Equal("ReplicatedLog.Validity#2", unsubmitted.Violation!.Instance);
    }

    [Fact]
    public void TheAbstractStateAfterEachEvent_IsACopyOfItsOwn_AndTheLastOneHasThePlainName()
    {
        var names = RefinesLog().Variables.Select(v => v.Name).ToList();
        Assert.Contains("ReplicatedLog.committedCommand#1", names);
        Assert.Contains("ReplicatedLog.committedCommand", names);
        Assert.DoesNotContain("ReplicatedLog.committedCommand#2", names);
    }

    [Fact]
    public void Misuse_IsASpecException()
    {
        var builder = Refinement.Of(Batching(), ReplicatedLogSpec.Create(slots: 2, commands: 2, replicas: 1));
        Assert.Contains("map the events first", Assert.Throws<SpecException>(() => builder.Build()).Message);
        builder.MapEvents(e => null);
        Assert.Contains("mapped twice", Assert.Throws<SpecException>(() => builder.MapEvents(e => null)).Message);
        var other = SeedExamples();
        Assert.Contains("is not one of its variables", Assert.Throws<SpecException>(() => builder.MapState(other, () => 0)).Message);
    }

    private static Var<int> SeedExamples() => Verification.Specs.Examples.Counter.Create().Variable<Var<int>>("C");
}
