using FsCheck;
using FsCheck.Fluent;
using Verification.Specs.Examples;

namespace Verification.Specs.Tests;

/// <summary>The seed's examples ("state equations in practice") mean what the seed says they mean.</summary>
public class SeedExampleTests
{
    [Fact]
    public void C_IsTheLengthOfTheHistory_AndSinceResetCountsEventsAfterTheLastReset()
    {
        var spec = Counter.Create();
        var length = spec.Variable<Var<int>>("C");
        var sinceReset = spec.Variable<Var<int>>("SinceReset");
        Check.One(Generators.Config(), Prop.ForAll(Generators.Histories<CounterEvent>(), history =>
        {
            var evaluator = spec.NewEvaluator();
            foreach (var evt in history) evaluator.Step(evt);
            var lastReset = history.FindLastIndex(e => e is Reset);
            Assert.Equal(history.Count, evaluator.Value(length));
            Assert.Equal(history.Count - lastReset - 1, evaluator.Value(sinceReset));
        }));
    }

    [Fact]
    public void L_IsTheMostRecentEvent_AndUndefinedAtNil()
    {
        var spec = LastEvent.Create<CounterEvent>();
        var last = spec.Variable<Var<CounterEvent>>(LastEvent.VariableName);
        var evaluator = spec.NewEvaluator();
        Assert.False(evaluator.IsDefined(last));
        var error = Assert.Throws<UndefinedValueException>(() => evaluator.Value(last));
        Assert.Contains("'L' is undefined", error.Message);
        evaluator.Step(new Tick());
        evaluator.Step(new Reset());
        Assert.True(evaluator.IsDefined(last));
        Assert.Equal(new Reset(), evaluator.Value(last));
    }

    [Fact]
    public void Waiting_AccumulatesClockTimeUntilTheProcessExecutes()
    {
        const int processes = 3;
        var spec = Scheduler.Create(processes);
        var waiting = spec.Variable<Family<int>>("waiting");
        var clock = spec.Variable<Var<int>>("Clock");
        Check.One(Generators.Config(), Prop.ForAll(Generators.Histories<SchedulerEvent>(maxInteger: processes - 1), history =>
        {
            var evaluator = spec.NewEvaluator();
            foreach (var evt in history) evaluator.Step(evt);
            // Independent reading of the seed: waiting_p is the clock time since p was last made the executing
            // process (0 while it executes), counting from the start if it never was.
            var executing = -1;
            var expected = new int[processes];
            foreach (var evt in history)
            {
                if (evt is Dispatch d) executing = d.Process;
                for (var p = 0; p < processes; p++)
                    expected[p] = executing == p ? 0 : expected[p] + (evt is ClockTick ? 1 : 0);
            }
            Assert.Equal(history.Count(e => e is ClockTick), evaluator.Value(clock));
            for (var p = 0; p < processes; p++) Assert.Equal(expected[p], evaluator.Value(waiting, p));
        }));
    }

    [Fact]
    public void EvaluationOrder_PutsVariablesReadAfterTheEventFirst()
    {
        var order = Scheduler.Create().EvaluationOrder.Select(v => v.Name).ToList();
        Assert.True(order.IndexOf("Executing") < order.IndexOf("waiting"));
        Assert.True(order.IndexOf("Clock") < order.IndexOf("waiting"));
    }

    [Fact]
    public void ShiftRegister_AfterRightX1ToXn_ReadsXnToX1()
    {
        const int cells = 5;
        var spec = ShiftRegister.Create(cells);
        var values = Gen.Choose(-50, 50).ArrayOf(cells).ToArbitrary();
        Check.One(Generators.Config(), Prop.ForAll(values, xs =>
        {
            var evaluator = spec.NewEvaluator();
            foreach (var x in xs) evaluator.Step(new Right(x));
            var read = Enumerable.Range(0, cells).Select(i => ShiftRegister.Cell(evaluator, i)).ToArray();
            Assert.Equal(xs.Reverse().Select(x => (int?)x).ToArray(), read);
        }));
    }

    [Fact]
    public void ShiftRegister_LeftShiftsFromTheOtherEnd_AndKeepsOnlyTheLastNValues()
    {
        const int cells = 3;
        var spec = ShiftRegister.Create(cells);
        var evaluator = spec.NewEvaluator();
        foreach (var x in new[] { 1, 2, 3, 4, 5 }) evaluator.Step(new Left(x));
        Assert.Equal(new int?[] { 3, 4, 5 }, Enumerable.Range(0, cells).Select(i => ShiftRegister.Cell(evaluator, i)));
        evaluator.Step(new Right(9));
        Assert.Equal(new int?[] { 9, 3, 4 }, Enumerable.Range(0, cells).Select(i => ShiftRegister.Cell(evaluator, i)));
    }

    [Fact]
    public void ShiftRegister_AnEmptyNeighbourPassesNothing()
    {
        var spec = ShiftRegister.Create(3);
        var evaluator = spec.NewEvaluator();
        evaluator.Step(new Right(7));
        Assert.Equal(new int?[] { 7, null, null }, Enumerable.Range(0, 3).Select(i => ShiftRegister.Cell(evaluator, i)));
    }

    [Fact]
    public void Print_ShowsTheEquationsInTheSeedsNotation()
    {
        var counter = Counter.Create().Print();
        Assert.Contains("C(Nil) = 0", counter);
        Assert.Contains("C(σe) = 1 + C", counter);
        Assert.Contains("SinceReset(σe) = if e is Reset then 0 else 1 + SinceReset", counter);
        var scheduler = Scheduler.Create().Print();
        Assert.Contains("waiting_p(σe) = if Executing(σe) = p then 0 else waiting_p + (Clock(σe) - Clock)", scheduler);
        var register = ShiftRegister.Create(3).Print();
        Assert.Contains("L(u_(i - 1))", register);
        Assert.Contains("L(Nil) undefined", LastEvent.Create<CounterEvent>().Print());
    }

    [Fact]
    public void Fork_IsIndependentOfTheOriginal()
    {
        var spec = Counter.Create();
        var length = spec.Variable<Var<int>>("C");
        var evaluator = spec.NewEvaluator();
        evaluator.Step(new Tick());
        var fork = evaluator.Fork();
        fork.Step(new Tick());
        Assert.Equal(1, evaluator.Value(length));
        Assert.Equal(2, fork.Value(length));
    }
}
