using Verification.Specs.Examples;

namespace Verification.Specs.Tests;

public abstract record NoCases;

public abstract record Pair;

public sealed record Both(int Left, int Right) : Pair;

/// <summary>Malformed specs and inputs get errors that name the problem and where it is.</summary>
public class BadInputTests
{
    [Fact]
    public void Cycle_IsRejected_NamingTheVariablesOnIt()
    {
        var spec = new SpecBuilder<CounterEvent>("Cyclic");
        var x = spec.Variable<int>("x");
        var y = spec.Variable<int>("y");
        var z = spec.Variable<int>("z");
        spec.Define(x, 0, e => y.Next + 1);
        spec.Define(y, 0, e => z.Next + x.Now);
        spec.Define(z, 0, e => x.Next);
        var error = Assert.Throws<SpecException>(() => spec.Build());
        Assert.Contains("cycle", error.Message);
        Assert.Contains("x -> y -> z -> x", error.Message);
    }

    [Fact]
    public void SelfReferenceAfterTheEvent_IsACycle()
    {
        var spec = new SpecBuilder<CounterEvent>("Self");
        var x = spec.Variable<int>("x");
        spec.Define(x, 0, e => x.Next + 1);
        Assert.Contains("x -> x", Assert.Throws<SpecException>(() => spec.Build()).Message);
    }

    [Fact]
    public void UnsupportedConstruct_NamesTheVariableAndTheConstruct()
    {
        var spec = new SpecBuilder<CounterEvent>("Unsupported");
        var x = spec.Variable<int>("x");
        var error = Assert.Throws<SpecException>(() => spec.Define(x, 0, e => x.Now.ToString().Length));
        Assert.Contains("variable 'x'", error.Message);
        Assert.Contains("Int32.ToString", error.Message);

        var y = spec.Variable<int>("y");
        var pow = Assert.Throws<SpecException>(() => spec.Define(y, 0, e => (int)Math.Pow(y.Now, 2)));
        Assert.Contains("variable 'y'", pow.Message);
        Assert.Contains("Math.Pow", pow.Message);
    }

    [Fact]
    public void UnsupportedConstructInAProperty_NamesTheProperty()
    {
        var spec = new SpecBuilder<CounterEvent>("Unsupported");
        var x = spec.Variable<int>("x");
        spec.Define(x, 0, e => x.Now + 1);
        var error = Assert.Throws<SpecException>(() => spec.Invariant("Bitwise", () => (x.Now & 1) == 0));
        Assert.Contains("invariant 'Bitwise'", error.Message);
        Assert.Contains("bitwise", error.Message);
    }

    [Fact]
    public void MissingEquation_AndDoubleDefinition_AreRejected()
    {
        var spec = new SpecBuilder<CounterEvent>("Incomplete");
        var x = spec.Variable<int>("x");
        spec.Variable<int>("y");
        spec.Define(x, 0, e => 1);
        Assert.Contains("no equation for 'y'", Assert.Throws<SpecException>(() => spec.Build()).Message);
        Assert.Contains("defined twice", Assert.Throws<SpecException>(() => spec.Define(x, 0, e => 2)).Message);
    }

    [Fact]
    public void InvariantReadingNext_IsRejected()
    {
        var spec = new SpecBuilder<CounterEvent>("NextInInvariant");
        var x = spec.Variable<int>("x");
        spec.Define(x, 0, e => 1);
        Assert.Contains("step properties", Assert.Throws<SpecException>(() => spec.Invariant("Bad", () => x.Next > 0)).Message);
    }

    [Fact]
    public void AlphabetWithoutCases_IsRejected()
    {
        var error = Assert.Throws<SpecException>(() => new SpecBuilder<NoCases>("Empty"));
        Assert.Contains("has no cases", error.Message);
    }

    [Fact]
    public void ReadingAnUndefinedPartialVariable_IsAnEvaluationErrorNamingIt()
    {
        var spec = new SpecBuilder<CounterEvent>("ReadsL");
        var last = spec.Partial<CounterEvent>("L");
        var resets = spec.Variable<int>("Resets");
        spec.Define(last, e => e);
        spec.Define(resets, 0, e => last.Now is Reset ? resets.Now + 1 : resets.Now);
        var evaluator = spec.Build().NewEvaluator();
        var error = Assert.Throws<EvaluationException>(() => evaluator.Step(new Tick()));
        Assert.Contains("event #1 (Tick)", error.Message);
        Assert.Contains("'L' is undefined", error.Message);
    }

    [Fact]
    public void WrongCast_IsAnEvaluationErrorNamingTheEvent()
    {
        var spec = new SpecBuilder<SchedulerEvent>("BadCast");
        var process = spec.Variable<int>("Process");
        spec.Define(process, 0, e => ((Dispatch)e).Process);
        var evaluator = spec.Build().NewEvaluator();
        evaluator.Step(new Dispatch(2));
        var error = Assert.Throws<EvaluationException>(() => evaluator.Step(new ClockTick()));
        Assert.Contains("event #2 (ClockTick)", error.Message);
    }

    [Fact]
    public void Overflow_IsAnError_NotAWrapAround()
    {
        var spec = new SpecBuilder<CounterEvent>("Doubling");
        var x = spec.Variable<int>("x");
        spec.Define(x, 1, e => x.Now * 2);
        var evaluator = spec.Build().NewEvaluator();
        for (var i = 0; i < 30; i++) evaluator.Step(new Tick());
        Assert.Contains("overflow", Assert.Throws<EvaluationException>(() => evaluator.Step(new Tick())).Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void FamilyReadOutOfRange_IsAnEvaluationErrorNamingTheFamily()
    {
        var spec = new SpecBuilder<SchedulerEvent>("OutOfRange");
        var seen = spec.Family<int>("seen", 2);
        var last = spec.Variable<int>("LastSeen");
        spec.Define(seen, p => 0, (e, p) => seen.Now(p) + 1);
        spec.Define(last, 0, e => e is Dispatch ? seen.Now(((Dispatch)e).Process) : last.Now);
        var evaluator = spec.Build().NewEvaluator();
        evaluator.Step(new Dispatch(1));
        var error = Assert.Throws<EvaluationException>(() => evaluator.Step(new Dispatch(5)));
        Assert.Contains("'seen' read at index 5, outside 0..1", error.Message);
    }

    [Fact]
    public void ReadingAnotherSpecsVariable_IsRejected()
    {
        var other = Counter.Create();
        var foreign = other.Variable<Var<int>>("C");
        var spec = new SpecBuilder<CounterEvent>("Thief");
        var x = spec.Variable<int>("x");
        Assert.Contains("belongs to another spec", Assert.Throws<SpecException>(() => spec.Define(x, 0, e => foreign.Now)).Message);
    }
}

/// <summary>An event type declared outside the alphabet's assembly: not a case of the alphabet.</summary>
public sealed record ForeignEvent : Verification.Specs.Examples.CounterEvent;

public class WrongAlphabetTests
{
    [Fact]
    public void EventOutsideTheAlphabet_IsRejectedNamingTheAlphabet()
    {
        var monitor = new Monitor<Verification.Specs.Examples.CounterEvent>(Verification.Specs.Examples.Counter.Create());
        var error = Assert.Throws<SpecException>(() => monitor.Append(new ForeignEvent()));
        Assert.Contains("is not in the alphabet CounterEvent (cases: Tick, Reset)", error.Message);
    }
}
