using Verification.Specs;

namespace Verification.Bench;

public abstract record MeterEvent;

public sealed record Sample(int Value) : MeterEvent;

public sealed record MeterReset : MeterEvent;

public sealed record Alarm : MeterEvent;

/// <summary>A spec of ten scalar state variables (the benchmark shape): counters, sums, extremes, resets.</summary>
public static class MeterSpec
{
    public static Spec<MeterEvent> Create()
    {
        var spec = new SpecBuilder<MeterEvent>("Meter");
        var count = spec.Variable<int>("C");
        var sinceReset = spec.Variable<int>("SinceReset");
        var resets = spec.Variable<int>("Resets");
        var sum = spec.Variable<long>("Sum");
        var max = spec.Variable<int>("Max");
        var min = spec.Variable<int>("Min");
        var last = spec.Variable<int>("LastSample");
        var alarms = spec.Variable<int>("Alarms");
        var sinceAlarm = spec.Variable<int>("SinceAlarm");
        var high = spec.Variable<bool>("High");
        spec.Define(count, 0, e => count.Now + 1);
        spec.Define(sinceReset, 0, e => e is MeterReset ? 0 : sinceReset.Now + 1);
        spec.Define(resets, 0, e => e is MeterReset ? resets.Now + 1 : resets.Now);
        spec.Define(sum, 0L, e => e.When((MeterReset r) => 0L).When((Sample s) => sum.Now + s.Value).Else(sum.Now));
        spec.Define(max, 0, e => e.When((Sample s) => Math.Max(max.Now, s.Value)).Else(max.Now));
        spec.Define(min, 100, e => e.When((Sample s) => Math.Min(min.Now, s.Value)).Else(min.Now));
        spec.Define(last, 0, e => e.When((Sample s) => s.Value).Else(last.Now));
        spec.Define(alarms, 0, e => e is Alarm ? alarms.Now + 1 : alarms.Now);
        spec.Define(sinceAlarm, 0, e => e is Alarm ? 0 : sinceAlarm.Now + 1);
        spec.Define(high, false, e => e.When((Sample s) => s.Value > 5).Else(high.Now));
        spec.Invariant("SinceResetAtMostLength", () => sinceReset.Now <= count.Now);
        spec.Invariant("MinAtMostLastSample", () => min.Now <= 100);
        return spec.Build();
    }

    /// <summary>A long history drawn from a small pool of event objects, so the array, not the events, dominates memory.</summary>
    public static MeterEvent[] History(int length, int seed = 7)
    {
        var pool = new MeterEvent[] { new Sample(1), new Sample(3), new Sample(9), new Sample(4), new Sample(7), new MeterReset(), new Alarm(), new Sample(2) };
        var random = new Random(seed);
        var history = new MeterEvent[length];
        for (var i = 0; i < length; i++) history[i] = pool[random.Next(pool.Length)];
        return history;
    }
}
