using Verification.Protocols.Paxos;
using Verification.Protocols.Raft;
using Verification.Specs.Consensus;
using Verification.Specs.Examples;
using Verification.Specs.Replication;

namespace Verification.Specs.Tests;

/// <summary>An immutable helper a spec may capture and call: the mark vouches that it never changes.</summary>
[SpecConstant]
public sealed class Ring(int size)
{
    public int Size { get; } = size;

    public int Successor(int node) => (node + 1) % Size;
}

/// <summary>A positional record of constants: capturable without a mark, its properties being init-only.</summary>
public sealed record Limits(int Low, int High);

/// <summary>A mutable helper: what an equation reads from it would be frozen at its build-time value.</summary>
public sealed class MutableSettings
{
    public int Limit { get; set; } = 3;
}

public static class SideEffects
{
    public static int Calls;

    public static int Logged(int value)
    {
        Calls++;
        return value;
    }

    public static int Counter = 7;

    public static readonly int Fixed = 7;
}

/// <summary>The equation language is what EquationLanguage.Summary says: nothing outside it is silently evaluated once at Define and frozen.</summary>
public class EquationLanguageTests
{
    [Fact]
    public void StaticPropertyLikeDateTimeNow_IsRejected_NotFrozen()
    {
        var spec = new SpecBuilder<CounterEvent>("Clock");
        var stamp = spec.Variable<long>("Stamp");
        var error = Assert.Throws<SpecException>(() => spec.Define(stamp, 0L, e => DateTime.Now.Ticks));
        Assert.StartsWith("variable 'Stamp': unsupported construct the static property DateTime.Now", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void CallOfAnImpureHelper_IsRejected_AndTheHelperDoesNotRun()
    {
        var spec = new SpecBuilder<CounterEvent>("Logging");
        var x = spec.Variable<int>("x");
        var before = SideEffects.Calls;
        var error = Assert.Throws<SpecException>(() => spec.Define(x, 0, e => x.Now + SideEffects.Logged(1)));
        Assert.Contains("variable 'x'", error.Message);
        Assert.Contains("a call of SideEffects.Logged", error.Message);
        Assert.Equal(before, SideEffects.Calls);
    }

    [Fact]
    public void LibraryCallOutsideTheWhitelist_IsRejected_EvenWhenClosed()
    {
        var spec = new SpecBuilder<CounterEvent>("Printing");
        var ok = spec.Variable<bool>("ok");
        var error = Assert.Throws<SpecException>(() => spec.Define(ok, true, e => string.IsNullOrEmpty("") || ok.Now));
        Assert.Contains("a call of String.IsNullOrEmpty", error.Message);
    }

    [Fact]
    public void CapturedMutableList_IsRejected_NamingTheCapturedVariable()
    {
        var items = new List<int> { 1, 2 };
        var spec = new SpecBuilder<CounterEvent>("Items");
        var x = spec.Variable<int>("x");
        var error = Assert.Throws<SpecException>(() => spec.Define(x, 0, e => x.Now + items.Count));
        Assert.StartsWith("variable 'x': unsupported construct the captured 'items' of type List<Int32>", error.Message);
        Assert.Contains("[SpecConstant]", error.Message);
    }

    [Fact]
    public void CapturedMutableObject_IsRejectedInAProperty_AndInABound()
    {
        var settings = new MutableSettings();
        var spec = new SpecBuilder<CounterEvent>("Settings");
        var x = spec.Variable<int>("x");
        spec.Define(x, 0, e => x.Now + 1);
        var inProperty = Assert.Throws<SpecException>(() => spec.Invariant("BelowLimit", () => x.Now < settings.Limit));
        Assert.StartsWith("invariant 'BelowLimit': unsupported construct the captured 'settings' of type MutableSettings", inProperty.Message);
        var items = new List<int> { 1, 2 };
        var inBound = Assert.Throws<SpecException>(() => spec.Invariant("Counted", () => Bounded.Count(items.Count, i => i < x.Now) >= 0));
        Assert.Contains("invariant 'Counted': unsupported construct the captured 'items'", inBound.Message);
    }

    [Fact]
    public void StaticMutableField_IsRejected_ButAStaticReadonlyOneIsAConstant()
    {
        var spec = new SpecBuilder<CounterEvent>("Statics");
        var x = spec.Variable<int>("x");
        var error = Assert.Throws<SpecException>(() => spec.Define(x, 0, e => x.Now + SideEffects.Counter));
        Assert.Contains("the static field SideEffects.Counter", error.Message);
        spec.Define(x, 0, e => x.Now + SideEffects.Fixed);
        var evaluator = spec.Build().NewEvaluator();
        evaluator.Step(new Tick());
        Assert.Equal(7, evaluator.Value(x));
    }

    [Fact]
    public void SpecConstantHelper_AndImmutableRecord_MayBeCapturedAndRead()
    {
        var ring = new Ring(3);
        var limits = new Limits(0, 2);
        var spec = new SpecBuilder<CounterEvent>("Token");
        var token = spec.Variable<int>("token");
        spec.Define(token, 0, e => Bounded.Count(ring.Size, n => n == ring.Successor(0)) == 1 && e is Tick ? (token.Now + 1) % ring.Size : token.Now);
        spec.Invariant("InRange", () => token.Now >= limits.Low && token.Now <= limits.High);
        var built = spec.Build();
        Assert.Null(History.Check(built, [new Tick(), new Tick(), new Tick(), new Reset()]).Violation);
        Assert.DoesNotContain("Successor", built.Print()); // folded when the spec was built
    }

    [Fact]
    public void MathAbs_IsInTheLanguage_AndOverflowIsAnError()
    {
        var spec = new SpecBuilder<CounterEvent>("Distance");
        var position = spec.Variable<int>("position");
        var distance = spec.Variable<int>("distance");
        spec.Define(position, 2, e => e is Reset ? int.MinValue : position.Now - 1);
        spec.Define(distance, 2, e => Math.Abs(position.Next));
        var built = spec.Build();
        var history = new CounterEvent[] { new Tick(), new Tick(), new Tick(), new Tick() };
        var evaluator = built.NewEvaluator();
        foreach (var evt in history) evaluator.Step(evt);
        Assert.Equal(2, evaluator.Value(distance));
        Assert.Equal(evaluator.Snapshot(), ReferenceEvaluator.Evaluate(built, history));
        Assert.Contains("overflow", Assert.Throws<EvaluationException>(() => evaluator.Step(new Reset())).Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Summary_ListsTheQuantifiersAndTheHelpers()
    {
        Assert.Contains("Bounded.Any/All/Count", EquationLanguage.Summary);
        Assert.Contains("Math.Abs", EquationLanguage.Summary);
        Assert.Contains("[SpecConstant]", EquationLanguage.Summary);
    }

    [Fact]
    public void EveryShippedSpec_StillStagesAndCompiles()
    {
        var specs = new List<Action>
        {
            () => Compile(Counter.Create()),
            () => Compile(Counter.Create(withFalseClaim: true)),
            () => Compile(Scheduler.Create()),
            () => Compile(LockService.Create(clients: 2)),
            () => Compile(LastEvent.Create<CounterEvent>()),
            () => Compile(ShiftRegister.Create()),
            () => Compile(InOrderDelivery.Create()),
            () => Compile(ConsensusSpec.Create(values: 2)),
            () => Compile(PaxosSpec.Create(acceptors: 3, values: 2, ballots: 2)),
            () => Compile(PaxosSpec.Create(acceptors: 3, values: 2, ballots: 2, QuorumSystem.Explicit(3, [[0, 1], [1, 2]]))),
            () => Compile(RaftSpec.Create(servers: 3, logLength: 2, terms: 2, commands: 2)),
            () => Compile(ReplicatedLogSpec.Create(slots: 2, commands: 2, replicas: 3)),
        };
        foreach (var create in specs) create();
    }

    /// <summary>Compiles every delegate (step, checks) by creating a monitor, which checks the invariants at Nil.</summary>
    private static void Compile<TEvent>(Spec<TEvent> spec) where TEvent : class => Assert.Equal(0, new Monitor<TEvent>(spec).Length);
}
