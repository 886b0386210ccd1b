using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Verification.Controlled;

namespace Verification.Bench;

/// <summary>
/// The controlled task runtime: time per run (so runs/s; scheduling points per run are printed by the setup) of two
/// small async bodies under the default portfolio, and the same lost-update body run uncontrolled, for the overhead.
/// Bodies that hold, so every run is a full run (a failing one would stop at the first bug and be minimised).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class ControlledRuntimeBenchmarks
{
    private const int Runs = 200;

    private sealed class Counter
    {
        public int Value;
    }

    private static async Task RacyIncrement(Counter counter)
    {
        var read = counter.Value;
        await Task.Yield();
        counter.Value = read + 1;
    }

    /// <summary>Two tasks each read, yield and write a counter (the lost update, without the assertion).</summary>
    private static async Task TwoIncrements()
    {
        var counter = new Counter();
        await Task.WhenAll(ControlledTask.Run(() => RacyIncrement(counter)), ControlledTask.Run(() => RacyIncrement(counter)));
    }

    /// <summary>Two producers and two consumers of two items each on a Monitor.Wait/PulseAll buffer of capacity 1.</summary>
    private static async Task BoundedBuffer()
    {
        var gate = new object();
        var items = new Queue<int>();
        void Put(int item)
        {
            ControlledMonitor.Enter(gate);
            while (items.Count == 1) ControlledMonitor.Wait(gate);
            items.Enqueue(item);
            ControlledMonitor.PulseAll(gate);
            ControlledMonitor.Exit(gate);
        }
        int Take()
        {
            ControlledMonitor.Enter(gate);
            while (items.Count == 0) ControlledMonitor.Wait(gate);
            var item = items.Dequeue();
            ControlledMonitor.PulseAll(gate);
            ControlledMonitor.Exit(gate);
            return item;
        }
        await Task.WhenAll(
            ControlledTask.Run(() => { Put(1); Put(2); }),
            ControlledTask.Run(() => { Put(3); Put(4); }),
            ControlledTask.Run(() => Take() + Take()),
            ControlledTask.Run(() => Take() + Take()));
    }

    /// <summary>
    /// The same measurement without BenchmarkDotNet (whose generated project can miss its build timeout on a loaded
    /// machine): per body, 1,000 controlled runs under the portfolio, then 1,000 uncontrolled runs of the same body,
    /// each timed by a stopwatch after a warm-up; best of three.
    /// </summary>
    public static void Table()
    {
        const int runs = 1000;
        Console.WriteLine("| body | scheduling points per run | controlled runs/s | scheduling points/s | uncontrolled runs/s | overhead per run |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (name, body) in new (string, Func<Task>)[] { ("lost update (2 tasks, Task.Yield)", TwoIncrements), ("bounded buffer (2+2 tasks, Wait/PulseAll)", BoundedBuffer) })
        {
            ControlledTest.Run(body, new ControlledOptions { Iterations = 50 }).AssertHolds();
            CheckResult? best = null;
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var result = ControlledTest.Run(body, new ControlledOptions { Iterations = runs }).AssertHolds();
                if (best is null || result.Elapsed < best.Elapsed) best = result;
            }
            var plain = TimeSpan.MaxValue;
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var watch = System.Diagnostics.Stopwatch.StartNew();
                for (var i = 0; i < runs; i++) body().GetAwaiter().GetResult();
                if (watch.Elapsed < plain) plain = watch.Elapsed;
            }
            var controlledPerRun = best!.Elapsed.TotalMicroseconds / runs;
            var plainPerRun = plain.TotalMicroseconds / runs;
            Console.WriteLine($"| {name} | {best.Coverage.Steps / (double)runs:F1} | {runs / best.Elapsed.TotalSeconds:F0} | {best.Coverage.Steps / best.Elapsed.TotalSeconds:F0} | {runs / plain.TotalSeconds:F0} | {controlledPerRun:F0} µs vs {plainPerRun:F1} µs ({controlledPerRun / plainPerRun:F0}×) |");
        }
    }

    [Benchmark(OperationsPerInvoke = Runs, Description = "lost update body (2 tasks, Task.Yield): one controlled run")]
    public bool LostUpdateControlled() => ControlledTest.Run(TwoIncrements, new ControlledOptions { Iterations = Runs }).Holds;

    [Benchmark(OperationsPerInvoke = Runs, Description = "bounded buffer body (2 producers, 2 consumers, PulseAll): one controlled run")]
    public bool BoundedBufferControlled() => ControlledTest.Run(BoundedBuffer, new ControlledOptions { Iterations = Runs }).Holds;

    [Benchmark(OperationsPerInvoke = Runs, Description = "lost update body run uncontrolled (thread pool), for the overhead")]
    public async Task LostUpdateUncontrolled()
    {
        for (var i = 0; i < Runs; i++) await TwoIncrements();
    }
}
