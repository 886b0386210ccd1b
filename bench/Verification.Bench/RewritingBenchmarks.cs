using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Verification.Controlled.Rewriting;
using Verification.Protocols.Raft;

namespace Verification.Bench;

/// <summary>
/// IL rewriting time per assembly (issue 15): the rewriter on the test samples (tests/…/Assets/AsyncSamples, every
/// member of the contract) and on a larger assembly, Verification.Protocols.dll — in memory (read with its pdb,
/// rewrite, write with its pdb), and a cache hit through the file API (hash the input, copy the cached output).
/// The interceptors are the contract's test double (Assets/CountingInterceptors): the rewriter reads only its metadata.
/// In process: on the shared machine BenchmarkDotNet's generated project misses its two-minute build timeout.
/// </summary>
[Config(typeof(InProcessMonitoring))]
public class RewritingBenchmarks
{
    private InterceptorAssembly? runtime;
    private byte[] assembly = [], symbols = [];
    private string input = "", output = "", cache = "";

    [Params("AsyncSamples", "Protocols")] // Protocols: Verification.Protocols.dll
    public string Assembly { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        runtime = InterceptorAssembly.Load(RewritingInputs.Double());
        input = Assembly == "AsyncSamples" ? RewritingInputs.Samples() : typeof(RaftNode).Assembly.Location;
        assembly = File.ReadAllBytes(input);
        symbols = File.ReadAllBytes(Path.ChangeExtension(input, ".pdb"));
        var work = Directory.CreateTempSubdirectory("rewriting-bench-").FullName;
        output = Path.Combine(work, Path.GetFileName(input));
        cache = Path.Combine(work, "cache");
        var report = RewriteFiles.Rewrite(input, output, runtime, cache);
        Console.WriteLine($"// {Assembly}: {assembly.Length:N0} bytes, {report.CallSites} call sites redirected, {report.Unsupported.Count} unsupported");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        runtime?.Dispose();
        Directory.Delete(Path.GetDirectoryName(output)!, recursive: true);
    }

    [Benchmark(Description = "rewrite (in memory, with pdb)")]
    public int Rewrite() => AssemblyRewriter.Rewrite(assembly, symbols, runtime!, input).Report.CallSites;

    [Benchmark(Description = "cache hit (hash input, copy cached output)")]
    public RewriteOutcome CacheHit() => RewriteFiles.Rewrite(input, output, runtime!, cache).Outcome;
}

/// <summary>Monitoring (each iteration one call, no pilot), 3 warm-up and 20 measured iterations, in this process; median and minimum shown (the machine is shared).</summary>
public sealed class InProcessMonitoring : ManualConfig
{
    public InProcessMonitoring() =>
        AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(20)
            .WithToolchain(InProcessEmitToolchain.Instance))
            .AddColumn(StatisticColumn.Median, StatisticColumn.Min);
}

/// <summary>Where the rewriting benchmarks find their inputs, and the rewriter's command line timed as MSBuild runs it.</summary>
public static class RewritingInputs
{
    public static string Samples() => Built("AsyncSamples", "AsyncSamples.dll");

    public static string Double() => Built("CountingInterceptors", "CountingInterceptors.dll");

    /// <summary>
    /// The rewriter as build/Verification.Controlled.targets runs it: a 'dotnet' process per assembly, without a cache
    /// (a rewrite) and with a warm one (a hit); median of 5 each, with the load average.
    /// </summary>
    public static void ProcessTable()
    {
        var rewriter = typeof(AssemblyRewriter).Assembly.Location;
        var work = Directory.CreateTempSubdirectory("rewriting-process-").FullName;
        Console.WriteLine($"load average before: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine("| assembly | bytes | rewrite, no cache (process) | cache hit (process) |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var input in new[] { Samples(), typeof(RaftNode).Assembly.Location })
        {
            var output = Path.Combine(work, Path.GetFileName(input));
            var cache = Path.Combine(work, "cache");
            var miss = Median(() => Run(rewriter, input, output, null));
            Run(rewriter, input, output, cache);
            var hit = Median(() => Run(rewriter, input, output, cache));
            Console.WriteLine($"| {Path.GetFileName(input)} | {new FileInfo(input).Length:N0} | {miss:F0} ms | {hit:F0} ms |");
        }
        Console.WriteLine($"load average after: {File.ReadAllText("/proc/loadavg").Trim()}");
        Directory.Delete(work, recursive: true);

        static double Median(Func<double> measure) => Enumerable.Range(0, 5).Select(_ => measure()).Order().ElementAt(2);
    }

    private static double Run(string rewriter, string input, string output, string? cache)
    {
        var arguments = new List<string> { "exec", rewriter, "rewrite", input, output, "--runtime", Double() };
        if (cache is not null) arguments.AddRange(["--cache", cache]);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", arguments) { RedirectStandardOutput = true };
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"the rewriter exited with {process.ExitCode} on {input}");
        return watch.Elapsed.TotalMilliseconds;
    }

    /// <summary>
    /// A test asset's build under tests/Verification.Controlled.Rewriting.Tests/Assets (the bench's ProjectReference
    /// builds it: in Release from 'dotnet run -c Release --project', in Debug from a solution build, which leaves
    /// projects outside the solution in their default configuration; the samples set Optimize=true in both).
    /// </summary>
    private static readonly string[] Configurations = ["Release", "Debug"];

    private static string Built(string project, string file)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Verification.sln")))
            {
                var paths = Configurations
                    .Select(configuration => Path.Combine(dir.FullName, "tests", "Verification.Controlled.Rewriting.Tests", "Assets", project, "bin", configuration, "net10.0", file));
                return paths.FirstOrDefault(File.Exists) ?? throw new InvalidOperationException($"{paths.First()} not built (build bench/Verification.Bench)");
            }
        throw new InvalidOperationException("Verification.sln not found above the benchmark binaries");
    }
}
