using Verification.Specs.Examples;

namespace Verification.Specs.Tests;

/// <summary>What the monitor reports: properties that cannot be evaluated, null events, member names, several failures at one step.</summary>
public class MonitorReportTests
{
    private static (Spec<SchedulerEvent> Spec, Family<int> Seen) LastDispatchSpec(Action<SpecBuilder<SchedulerEvent>, Family<int>, Var<int>> addProperties)
    {
        var spec = new SpecBuilder<SchedulerEvent>("LastDispatch");
        var seen = spec.Family<int>("seen", 2);
        var last = spec.Variable<int>("LastProcess");
        spec.Define(seen, p => 0, (e, p) => e is Dispatch && ((Dispatch)e).Process == p ? seen.Now(p) + 1 : seen.Now(p));
        spec.Define(last, 0, e => e is Dispatch ? ((Dispatch)e).Process : last.Now);
        addProperties(spec, seen, last);
        return (spec.Build(), seen);
    }

    [Fact]
    public void InvariantThatThrows_IsAnEvaluationErrorNamingTheInvariantAndTheEvent()
    {
        var (spec, _) = LastDispatchSpec((s, seen, last) => s.Invariant("LastWasSeen", () => seen.Now(last.Now) > 0 || last.Now == 0));
        var error = Assert.Throws<EvaluationException>(() => History.Check(spec, [new Dispatch(1), new Dispatch(5)]));
        Assert.Equal("spec 'LastDispatch': evaluating invariant LastWasSeen after event #2 (Dispatch(Process: 5)) failed: 'seen' read at index 5, outside 0..1", error.Message);
    }

    [Fact]
    public void IndexedInvariantThatThrows_NamesTheInstance()
    {
        var (spec, _) = LastDispatchSpec((s, seen, last) => s.Invariant("Ratio", 2, p => 10 / seen.Now(p) >= 0 || p == 0));
        var error = Assert.Throws<EvaluationException>(() => new Monitor<SchedulerEvent>(spec));
        Assert.StartsWith("spec 'LastDispatch': evaluating invariant Ratio[p=0] at Nil (the empty history) failed: ", error.Message);
        Assert.IsType<DivideByZeroException>(error.InnerException);
    }

    [Fact]
    public void InvariantReadingAnUndefinedPartial_NamesTheInvariant()
    {
        var spec = new SpecBuilder<CounterEvent>("ReadsL");
        var last = spec.Partial<CounterEvent>("L");
        spec.Define(last, e => e);
        spec.Invariant("LastIsTick", () => last.Now is Tick);
        var error = Assert.Throws<EvaluationException>(() => History.Check(spec.Build(), [new Tick()]));
        Assert.Contains("evaluating invariant LastIsTick at Nil (the empty history) failed: 'L' is undefined", error.Message);
    }

    [Fact]
    public void GuardAndStepPropertyThatThrow_NameThemselvesAndTheEvent()
    {
        var (guarded, _) = LastDispatchSpec((s, seen, last) => s.Guard("DispatchOfAKnownProcess", e => ((Dispatch)e).Process >= 0));
        var guardError = Assert.Throws<EvaluationException>(() => History.Check(guarded, [new Dispatch(1), new ClockTick()]));
        Assert.StartsWith("spec 'LastDispatch': evaluating guard DispatchOfAKnownProcess on event #2 (ClockTick) failed: ", guardError.Message);
        Assert.IsType<InvalidCastException>(guardError.InnerException);

        var (stepped, _) = LastDispatchSpec((s, seen, last) => s.StepProperty("SeenGrows", e => seen.Next(last.Next) > seen.Now(last.Next)));
        var monitor = new Monitor<SchedulerEvent>(stepped);
        Assert.True(monitor.Append(new Dispatch(1)));
        var stepError = Assert.Throws<EvaluationException>(() => monitor.Append(new Dispatch(7)));
        Assert.Equal("spec 'LastDispatch': evaluating step property SeenGrows on event #2 (Dispatch(Process: 7)) failed: 'seen' read at index 7, outside 0..1", stepError.Message);
    }

    [Fact]
    public void LivenessPredicateThatThrows_NamesTheMonitorAndTheEvent()
    {
        var (spec, _) = LastDispatchSpec((s, seen, last) => s.Liveness("Pending", () => 10 / seen.Now(1) > 1));
        var monitor = new Monitor<SchedulerEvent>(spec);
        monitor.Append(new Dispatch(0));
        var error = Assert.Throws<EvaluationException>(() => monitor.HotMask);
        Assert.StartsWith("spec 'LastDispatch': evaluating liveness property Pending after event #1 (Dispatch(Process: 0)) failed: ", error.Message);
    }

    [Fact]
    public void NullEvent_IsAnArgumentErrorNamingItsPosition()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => History.Check(Counter.Create(), [new Tick(), new Reset(), null!, new Tick()]));
        Assert.StartsWith("event #3 is null", error.Message);
        var monitor = new Monitor<CounterEvent>(Counter.Create());
        monitor.Append(new Tick());
        Assert.StartsWith("event #2 is null", Assert.ThrowsAny<ArgumentException>(() => monitor.Append(null!)).Message);
    }

    [Fact]
    public void ValuesRead_NameFamilyMembersByTheirLabels()
    {
        var spec = new SpecBuilder<SchedulerEvent>("Labelled");
        var hist = spec.Family<int>("hist", 4, i => $"s{i / 2},#{i % 2}");
        var last = spec.Variable<int>("LastProcess");
        spec.Define(hist, i => 0, (e, i) => e is Dispatch && ((Dispatch)e).Process == i ? hist.Now(i) + 1 : hist.Now(i));
        spec.Define(last, 0, e => e is Dispatch ? ((Dispatch)e).Process : last.Now);
        spec.Invariant("AtMostOnce", () => hist.Now(last.Now) <= 1);
        spec.Invariant("NotBothTwoAndZero", () => hist.Now(2) == 0 || hist.Now(0) == 0);
        var built = spec.Build();
        var computed = History.Check(built, [new Dispatch(3), new Dispatch(3)]).Violation!;
        Assert.Contains(new VariableValue("hist[s1,#1]", 2, true), computed.Values);
        Assert.Contains(new VariableValue("hist[s0,#0]", 0, true), computed.Values);
        Assert.DoesNotContain(computed.Values, v => v.Name == "hist[3]");
        var constant = History.Check(built, [new Dispatch(2), new Dispatch(0)]).Violation!;
        Assert.Equal("NotBothTwoAndZero", constant.Instance);
        Assert.Equal([new VariableValue("hist[s1,#0]", 1, true), new VariableValue("hist[s0,#0]", 1, true)], constant.Values);
    }

    [Fact]
    public void SeveralInvariantsFailingAtOneStep_AreAllListed_TheFirstDeclaredIsReported()
    {
        var spec = new SpecBuilder<SchedulerEvent>("ManyLimits");
        var clock = spec.Variable<int>("Clock");
        spec.Define(clock, 0, e => e is ClockTick ? clock.Now + 1 : clock.Now);
        spec.Invariant("BelowTen", () => clock.Now < 10);
        spec.Invariant("BelowTwo", () => clock.Now < 2);
        spec.Invariant("PerProcess", 3, p => clock.Now < 2 + p);
        spec.Invariant("BelowThree", () => clock.Now < 3);
        var violation = History.Check(spec.Build(), [new ClockTick(), new ClockTick(), new ClockTick()]).Violation!;
        Assert.Equal("BelowTwo", violation.Instance);
        Assert.Equal(2, violation.PrefixLength);
        Assert.Equal(["PerProcess[p=0]"], violation.AlsoFailing);
        Assert.Contains("\n  also failing: PerProcess[p=0]\n", violation.ToString());
    }

    [Fact]
    public void GuardStepPropertyAndInvariantFailingAtOneStep_AreAllListed_TheGuardFirst()
    {
        var spec = new SpecBuilder<LockEvent>("StrictLock");
        var holder = spec.Variable<int>("Holder");
        var grants = spec.Variable<int>("Grants");
        spec.Define(holder, -1, e => e is Acquired ? ((Acquired)e).Client : -1);
        spec.Define(grants, 0, e => e is Acquired ? grants.Now + 1 : grants.Now);
        spec.Invariant("AtMostOneGrant", () => grants.Now <= 1);
        spec.StepProperty("HolderChangesOnlyFromNobody", e => holder.Now == -1 || holder.Next == holder.Now);
        spec.Guard("GrantedOnlyWhenFree", e => !(e is Acquired) || holder.Now == -1);
        spec.Guard("ClientsArePositive", e => !(e is Acquired) || ((Acquired)e).Client > 0);
        var violation = History.Check(spec.Build(), [new Acquired(1), new Acquired(0)]).Violation!;
        Assert.Equal("GrantedOnlyWhenFree", violation.Instance);
        Assert.Equal(["ClientsArePositive", "HolderChangesOnlyFromNobody", "AtMostOneGrant"], violation.AlsoFailing);
        Assert.Contains("also failing: ClientsArePositive, HolderChangesOnlyFromNobody, AtMostOneGrant", violation.ToString());
    }

    [Fact]
    public void AnotherFailingInstanceThatCannotBeEvaluated_IsListedWithItsError()
    {
        var (spec, _) = LastDispatchSpec((s, seen, last) =>
        {
            s.Invariant("OnlyProcessZero", () => last.Now == 0);
            s.Invariant("LastSeenOnce", () => seen.Now(last.Now) >= 0);
        });
        var violation = History.Check(spec, [new Dispatch(9)]).Violation!;
        Assert.Equal("OnlyProcessZero", violation.Instance);
        Assert.Equal(["LastSeenOnce (cannot be evaluated: 'seen' read at index 9, outside 0..1)"], violation.AlsoFailing);
    }
}
