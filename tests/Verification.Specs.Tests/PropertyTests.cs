using Verification.Specs.Examples;

namespace Verification.Specs.Tests;

/// <summary>Invariants and step properties: a violation names the property, the shortest failing prefix, the event and the values read.</summary>
public class PropertyTests
{
    private static Spec<SchedulerEvent> ClockBelow(int limit)
    {
        var spec = new SpecBuilder<SchedulerEvent>("ClockBelow");
        var clock = spec.Variable<int>("Clock");
        var executing = spec.Variable<int>("Executing");
        spec.Define(clock, 0, e => e is ClockTick ? clock.Now + 1 : clock.Now);
        spec.Define(executing, -1, e => e is Dispatch ? ((Dispatch)e).Process : executing.Now);
        spec.Invariant("ClockBelowLimit", () => clock.Now < limit);
        return spec.Build();
    }

    [Fact]
    public void Invariant_Violation_ReportsTheShortestPrefixTheEventAndTheValuesRead()
    {
        var history = new SchedulerEvent[] { new ClockTick(), new Dispatch(1), new ClockTick(), new ClockTick(), new ClockTick() };
        var result = History.Check(ClockBelow(2), history);
        var violation = Assert.IsType<Violation>(result.Violation);
        Assert.Equal("ClockBelowLimit", violation.Instance);
        Assert.Equal(3, violation.PrefixLength);
        Assert.Equal(new ClockTick(), violation.Event);
        Assert.Equal(history.Take(3), violation.Prefix!.Cast<SchedulerEvent>());
        Assert.Equal([new VariableValue("Clock", 2, true)], violation.Values); // only what the invariant reads
        Assert.Contains("after event #3: ClockTick", violation.ToString());
    }

    [Fact]
    public void Invariant_CheckedAtNil()
    {
        var result = History.Check(Counter.Create(withFalseClaim: true), [new Tick()]);
        Assert.Equal(0, result.Violation!.PrefixLength);
        Assert.Equal("SinceResetBelowLength", result.Violation!.Instance);
        Assert.Contains("at Nil", result.Violation!.ToString());
    }

    [Fact]
    public void StepProperty_Violation_ShowsValuesBeforeAndAfterTheEvent()
    {
        var spec = new SpecBuilder<CounterEvent>("Shrinks");
        var count = spec.Variable<int>("Count");
        spec.Define(count, 5, e => e is Reset ? 0 : count.Now + 1);
        spec.StepProperty("NeverDecreases", e => count.Next >= count.Now);
        var result = History.Check(spec.Build(), [new Tick(), new Reset(), new Tick()]);
        var violation = result.Violation!;
        Assert.Equal(2, violation.PrefixLength);
        Assert.Equal(new Reset(), violation.Event);
        Assert.Contains(new VariableValue("Count", 6, true), violation.Values);
        Assert.Contains(new VariableValue("Count(σe)", 0, true), violation.Values);
    }

    [Fact]
    public void IndexedInvariant_NamesTheFailingIndex()
    {
        var spec = new SpecBuilder<SchedulerEvent>("NoDispatchOfTwo");
        var dispatched = spec.Family<bool>("dispatched", 3);
        spec.Define(dispatched, p => false, (e, p) => dispatched.Now(p) || (e is Dispatch && ((Dispatch)e).Process == p));
        spec.Invariant("NeverDispatched", 3, p => p != 2 || !dispatched.Now(p));
        var result = History.Check(spec.Build(), [new Dispatch(0), new Dispatch(2)]);
        Assert.Equal("NeverDispatched[p=2]", result.Violation!.Instance);
        Assert.Equal([new VariableValue("dispatched[2]", true, true)], result.Violation!.Values);
    }

    [Fact]
    public void Guard_Violation_IsReportedOnTheForbiddenStep()
    {
        var history = new LockEvent[] { new Acquired(1), new Released(1), new Acquired(2), new Acquired(3), new Released(2) };
        var violation = History.Check(LockService.Create(), history).Violation!;
        Assert.Equal(PropertyKind.Guard, violation.Property.Kind);
        Assert.Equal("GrantedOnlyWhenFree", violation.Instance);
        Assert.Equal(4, violation.PrefixLength);
        Assert.Equal(new Acquired(3), violation.Event);
        Assert.Contains(new VariableValue("Holder", 2, true), violation.Values);
        Assert.StartsWith("guard GrantedOnlyWhenFree of spec 'LockService' fails after event #4: Acquired(Client: 3)", violation.ToString());
    }

    [Fact]
    public void Monitor_HoldsOnAHistoryWithoutViolation()
    {
        var result = History.Check(Scheduler.Create(), [new ClockTick(), new Dispatch(0), new ClockTick(), new SetPriority(1, 4)]);
        Assert.True(result.Holds);
        Assert.Equal(4, result.EventsChecked);
    }
}

public class LongHistoryTests
{
    [Fact]
    public void Violation_OnALongLog_KeepsOnlyTheLastEvents_AndNumbersThemByPosition()
    {
        var history = Enumerable.Repeat<SchedulerEvent>(new Dispatch(0), 50).Append(new ClockTick()).Append(new ClockTick()).ToList();
        var spec = new SpecBuilder<SchedulerEvent>("ClockBelowTwo");
        var clock = spec.Variable<int>("Clock");
        spec.Define(clock, 0, e => e is ClockTick ? clock.Now + 1 : clock.Now);
        spec.Invariant("ClockBelowTwo", () => clock.Now < 2);
        var violation = History.Check(spec.Build(), history, keepLast: 3).Violation!;
        Assert.Equal(52, violation.PrefixLength);
        Assert.Equal(history.Skip(49).Cast<object>(), violation.Prefix!);
        Assert.Contains("(52 events, the first 49 not kept)", violation.ToString());
        Assert.Contains("  50. Dispatch(Process: 0)", violation.ToString());
        Assert.Contains("  52. ClockTick", violation.ToString());
    }
}
