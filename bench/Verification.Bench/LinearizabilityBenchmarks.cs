using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Verification.Checkers.Linearizability;

namespace Verification.Bench;

/// <summary>
/// The linearizability checker on Porcupine's test data (../shared/data/porcupine): reading and checking every etcd
/// log, the slowest one alone, and the key-value files (per-key partitions). Porcupine's own times are in that
/// directory's README and EXPECTED.csv.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class LinearizabilityBenchmarks
{
    private string[] etcd = [], kv = [];
    private string slowest = "";

    [GlobalSetup]
    public void Setup()
    {
        var data = DataDirectory();
        etcd = Directory.GetFiles(Path.Combine(data, "jepsen"), "*.log").Order().ToArray();
        kv = Directory.GetFiles(Path.Combine(data, "kv"), "*.txt").Order().ToArray();
        slowest = Path.Combine(data, "jepsen", "etcd_002.log");
    }

    private static string DataDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Verification.sln"))) return Path.Combine(dir.FullName, "..", "shared", "data", "porcupine");
        throw new InvalidOperationException("Verification.sln not found above the benchmark binaries");
    }

    private static int CheckAll(IEnumerable<string> files) =>
        files.Sum(f => PorcupineFiles.Check(f).Verdict == LinearizabilityVerdict.Unknown ? throw new InvalidOperationException($"{f}: unknown") : 1);

    [Benchmark(Description = "all 52 etcd logs (read + check)")]
    public int AllEtcd() => CheckAll(etcd);

    [Benchmark(Description = "etcd_002.log alone (77 ops, 179,127 configurations)")]
    public int Slowest() => CheckAll([slowest]);

    [Benchmark(Description = "all 4 kv files, per-key partitions")]
    public int AllKeyValue() => CheckAll(kv);

    private List<Operation<KeyValueInput, string?>>[] kvHistories = [];
    private List<Operation<RegisterInput, RegisterOutput>>[] etcdHistories = [];

    [GlobalSetup(Targets = [nameof(CheckOnlyKeyValue), nameof(CheckOnlyEtcd)])]
    public void ReadAhead()
    {
        Setup();
        kvHistories = kv.Select(KeyValueModel.ReadHistory).ToArray();
        etcdHistories = etcd.Select(RegisterHistories.ReadEtcdLog).ToArray();
    }

    [Benchmark(Description = "all 4 kv files, check only (already read)")]
    public int CheckOnlyKeyValue() => kvHistories.Sum(h => (int)LinearizabilityChecker.Check(new KeyValueModel(), h).Verdict);

    [Benchmark(Description = "all 52 etcd logs, check only (already read)")]
    public int CheckOnlyEtcd() => etcdHistories.Sum(h => (int)LinearizabilityChecker.Check(CasRegisterModel.Instance, h).Verdict);
}
