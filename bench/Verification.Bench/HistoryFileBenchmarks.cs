using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Verification.Specs;
using Verification.Specs.Examples;

namespace Verification.Bench;

/// <summary>
/// Trace validation end to end: a 1M-event JSON Lines log of the shipped LockService spec (clients acquire and release
/// the lock in turn), read from a file and checked with <see cref="History.Check{TEvent}"/>, per event; and the
/// reading alone, to separate parsing from checking. The file is written once in setup (and is in the page cache).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class HistoryFileBenchmarks
{
    private const int Events = 1_000_000;
    private Spec<LockEvent> spec = null!;
    private string path = null!;

    [GlobalSetup]
    public void Setup()
    {
        spec = LockService.Create(clients: 10);
        path = Path.Combine(Path.GetTempPath(), $"lock-history-{Environment.ProcessId}.jsonl");
        using (var writer = new StreamWriter(path))
            HistoryFile.Write(Enumerable.Range(0, Events).Select(i => i % 2 == 0 ? (LockEvent)new Acquired(i / 2 % 10) : new Released(i / 2 % 10)), writer);
        var result = History.Check(spec, HistoryFile.Read<LockEvent>(path));
        if (!result.Holds || result.EventsChecked != Events) throw new InvalidOperationException($"the benchmark's history should hold on {Events} events: {result}");
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(path);

    [Benchmark(OperationsPerInvoke = Events, Description = "read a JSONL file and History.Check it (per event)")]
    public long ReadAndCheck() => History.Check(spec, HistoryFile.Read<LockEvent>(path)).EventsChecked;

    [Benchmark(OperationsPerInvoke = Events, Description = "read a JSONL file only (per event)")]
    public long ReadOnly()
    {
        var count = 0L;
        foreach (var _ in HistoryFile.Read<LockEvent>(path)) count++;
        return count;
    }
}
