using FsCheck;
using FsCheck.Fluent;
using Verification.Specs.Examples;

namespace Verification.Specs.Tests;

/// <summary>
/// For every shipped spec, the compiled incremental evaluator and the literal reference evaluator agree on every
/// prefix of random histories, and so do the property verdicts (which property, which prefix).
/// </summary>
public class IncrementalMatchesReferenceTests
{
    [Fact]
    public void Counter_IncrementalEqualsReference() => Agree(Counter.Create(), maxInteger: 0);

    [Fact]
    public void CounterWithFalseClaim_VerdictsAgree() => Agree(Counter.Create(withFalseClaim: true), maxInteger: 0);

    [Fact]
    public void LastEvent_IncrementalEqualsReference() => Agree(LastEvent.Create<SchedulerEvent>(), maxInteger: 3);

    [Fact]
    public void Scheduler_IncrementalEqualsReference() => Agree(Scheduler.Create(3), maxInteger: 2);

    [Fact]
    public void LockService_GuardVerdictsAgree() => Agree(LockService.Create(), maxInteger: 2);

    [Fact]
    public void Paxos_GuardAndInvariantVerdictsAgree() => Agree(Verification.Protocols.Paxos.PaxosSpec.Create(3, 2, 3), maxInteger: 3, maxTests: 100);

    [Fact]
    public void ReplicatedLog_VerdictsAgree() => Agree(Verification.Specs.Replication.ReplicatedLogSpec.Create(3, 2, 2), maxInteger: 2, maxTests: 100);

    [Fact]
    public void Raft_VerdictsAgree() => Agree(Verification.Protocols.Raft.RaftSpec.Create(servers: 3, logLength: 3, terms: 3, commands: 2), maxInteger: 3, maxTests: 100);

    [Fact]
    public void ShiftRegister_IncrementalEqualsReference() => Agree(ShiftRegister.Create(4), maxInteger: 9, maxLength: 25, maxTests: 100);

    [Fact]
    public void ShiftRegisterOfShiftRegisters_NestedComponentsAgree() => Agree(NestedShift.Create(), maxInteger: 9, maxLength: 15, maxTests: 60);

    private static void Agree<TEvent>(Spec<TEvent> spec, int maxInteger, int maxLength = 40, int maxTests = 150) where TEvent : class
    {
        Check.One(Generators.Config(maxTests), Prop.ForAll(Generators.Histories<TEvent>(maxInteger, maxLength), history =>
        {
            var evaluator = spec.NewEvaluator();
            AssertSame(ReferenceEvaluator.Evaluate(spec, []), evaluator.Snapshot(), 0);
            for (var i = 0; i < history.Count; i++)
            {
                evaluator.Step(history[i]);
                AssertSame(ReferenceEvaluator.Evaluate(spec, history.Take(i + 1).ToList()), evaluator.Snapshot(), i + 1);
            }
            var incremental = History.Check(spec, history);
            var reference = ReferenceEvaluator.Check(spec, history);
            Assert.Equal(reference.Violation?.Instance, incremental.Violation?.Instance);
            Assert.Equal(reference.Violation?.PrefixLength, incremental.Violation?.PrefixLength);
            Assert.Equal(reference.EventsChecked, incremental.EventsChecked);
        }));
    }

    private static void AssertSame(IReadOnlyList<VariableValue> expected, IReadOnlyList<VariableValue> actual, int prefix)
    {
        Assert.True(expected.SequenceEqual(actual),
            $"after {prefix} events:\n  reference:   {string.Join("; ", expected)}\n  incremental: {string.Join("; ", actual)}");
    }
}

/// <summary>A composite of composites: two shift registers fed from the two ends of an outer one, to exercise nesting.</summary>
internal static class NestedShift
{
    public static Spec<ShiftEvent> Create()
    {
        var spec = new SpecBuilder<ShiftEvent>("NestedShift");
        var inner = ShiftRegister.Create(2);
        var registers = spec.Components("r", inner, 2);
        var seen = spec.Variable<int>("Seen");
        spec.Feed(registers, (e, i) => i == 0 ? (e is Right ? e : null) : (e is Left ? new Right(((Left)e).X) : null));
        spec.Define(seen, 0, e => seen.Now + 1);
        spec.Invariant("SeenNonNegative", () => seen.Now >= 0);
        return spec.Build();
    }
}
