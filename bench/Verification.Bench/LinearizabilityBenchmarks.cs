using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Verification.Checkers.Linearizability;

namespace Verification.Bench;

/// <summary>
/// The linearizability checker on Porcupine's test data (tests/data/porcupine, vendored): reading and checking every etcd
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

    /// <summary>Porcupine's data, vendored in the repository: tests/data/porcupine under the directory holding Verification.sln.</summary>
    internal static string DataDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Verification.sln"))) return Path.Combine(dir.FullName, "tests", "data", "porcupine");
        throw new InvalidOperationException("Verification.sln not found above the benchmark binaries");
    }

    private static int CheckAll(IEnumerable<string> files) =>
        files.Sum(f => PorcupineFiles.Check(f).Verdict == Verdict.Unknown ? throw new InvalidOperationException($"{f}: unknown") : 1);

    [Benchmark(Description = "all 52 etcd logs (read + check)")]
    public int AllEtcd() => CheckAll(etcd);

    [Benchmark(Description = "etcd_002.log alone (77 ops; Porcupine's slowest file, 228 ms)")]
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

/// <summary>
/// Each Porcupine data file on its own, already read, checked against its model (etcd logs: the compare-and-set
/// register; kv files: the key-value store, per key), for the file-by-file comparison with Porcupine's medians in
/// EXPECTED.csv.
/// </summary>
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 3, iterationCount: 5)]
public class LinearizabilityPerFileBenchmarks
{
    private Func<Verdict> check = () => Verdict.Unknown;

    /// <summary>The data files by their path under the data directory, as EXPECTED.csv names them.</summary>
    public static IEnumerable<string> Files()
    {
        var data = LinearizabilityBenchmarks.DataDirectory();
        return Directory.GetFiles(Path.Combine(data, "jepsen"), "*.log").Concat(Directory.GetFiles(Path.Combine(data, "kv"), "*.txt"))
            .Select(f => Path.GetRelativePath(data, f)).Order(StringComparer.Ordinal);
    }

    [ParamsSource(nameof(Files))]
    public string History { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var path = Path.Combine(LinearizabilityBenchmarks.DataDirectory(), History);
        if (History.StartsWith("jepsen", StringComparison.Ordinal))
        {
            var history = RegisterHistories.ReadEtcdLog(path);
            check = () => LinearizabilityChecker.Check(CasRegisterModel.Instance, history).Verdict;
        }
        else
        {
            var history = KeyValueModel.ReadHistory(path);
            check = () => LinearizabilityChecker.Check(new KeyValueModel(), history).Verdict;
        }
        if (check() == Verdict.Unknown) throw new InvalidOperationException($"{History}: unknown");
    }

    [Benchmark(Description = "check (already read)")]
    public Verdict Check() => check();
}
