using System.Reflection;
using System.Runtime.Loader;
using Mono.Cecil;

namespace Verification.Controlled.Rewriting.Tests;

/// <summary>
/// The test assets as the build copied them under assets/: the samples compiled optimised (async state machines are
/// structs) and unoptimised (classes), and the interceptor test double (CountingInterceptors, the contract's classes
/// forwarding to the BCL and counting calls — a stand-in for the real runtime in these tests).
/// </summary>
public static class Assets
{
    public const string Optimized = "optimized";
    public const string Unoptimized = "unoptimized";

    public static string Samples(string variant) => Path.Combine(AppContext.BaseDirectory, "assets", variant, "AsyncSamples.dll");

    public static string Double => Path.Combine(AppContext.BaseDirectory, "assets", "double", "CountingInterceptors.dll");

    public static string RepositoryRoot => Metadata("RepositoryRoot");

    public static string Configuration => Metadata("Configuration");

    public static string SourceOf(string file) => Path.Combine(RepositoryRoot, "tests", "Verification.Controlled.Rewriting.Tests", "Assets", "AsyncSamples", file);

    /// <summary>The 1-based line of the first line of an asset source file containing <paramref name="text"/>.</summary>
    public static int LineOf(string file, string text)
    {
        var lines = File.ReadAllLines(SourceOf(file));
        var index = Array.FindIndex(lines, line => line.Contains(text, StringComparison.Ordinal));
        Assert.True(index >= 0, $"'{text}' not in {file}");
        return index + 1;
    }

    public static ModuleDefinition ReadModule(string path) =>
        ModuleDefinition.ReadModule(new MemoryStream(File.ReadAllBytes(path)), new ReaderParameters { ReadingMode = ReadingMode.Immediate });

    private static string Metadata(string key) =>
        typeof(Assets).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(attribute => attribute.Key == key).Value!;
}

/// <summary>A temporary directory, deleted at the end.</summary>
public sealed class TemporaryDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("controlled-rewrite-tests-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // a collectible context not yet collected may still map a file; the OS temp cleaner takes it
        }
    }
}

/// <summary>
/// A collectible load context over one directory: the samples (original or rewritten) and the interceptor double load
/// from it, everything else (the framework) from the default context.
/// </summary>
public sealed class IsolatedContext(string directory) : AssemblyLoadContext($"rewriting-test:{directory}", isCollectible: true)
{
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var path = System.IO.Path.Combine(directory, assemblyName.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    public Type SamplesType => LoadFromAssemblyName(new AssemblyName("AsyncSamples")).GetType("AsyncSamples.Samples", throwOnError: true)!;

    /// <summary>Runs a sample method and returns its number (awaiting it if it is async).</summary>
    public async Task<int> Run(string method)
    {
        var result = SamplesType.GetMethod(method, BindingFlags.Public | BindingFlags.Static)!.Invoke(null, null);
        return result is Task<int> task ? await task : (int)result!;
    }

    /// <summary>The test double's call counts (only when the double was loaded into this context).</summary>
    public IReadOnlyDictionary<string, int> InterceptorCalls()
    {
        var calls = LoadFromAssemblyName(new AssemblyName("CountingInterceptors")).GetType("Verification.Controlled.TestDoubleCalls", throwOnError: true)!;
        return (IReadOnlyDictionary<string, int>)calls.GetMethod("Snapshot")!.Invoke(null, null)!;
    }
}

/// <summary>Each sample variant rewritten once (against the test double) into a temporary directory for the tests to inspect and run.</summary>
public sealed class RewrittenSamples : IDisposable
{
    private readonly TemporaryDirectory directory = new();
    private readonly Dictionary<string, (string Path, RewriteReport Report)> rewritten = [];

    public RewrittenSamples()
    {
        Runtime = InterceptorAssembly.Load(Assets.Double);
        foreach (var variant in new[] { Assets.Optimized, Assets.Unoptimized })
        {
            var output = System.IO.Path.Combine(directory.Path, variant, "AsyncSamples.dll");
            var report = RewriteFiles.Rewrite(Assets.Samples(variant), output, Runtime, cacheDirectory: null);
            File.Copy(Assets.Double, System.IO.Path.Combine(directory.Path, variant, "CountingInterceptors.dll"));
            rewritten[variant] = (output, report);
        }
    }

    public InterceptorAssembly Runtime { get; }

    public string Path(string variant) => rewritten[variant].Path;

    public string Directory(string variant) => System.IO.Path.GetDirectoryName(rewritten[variant].Path)!;

    public RewriteReport Report(string variant) => rewritten[variant].Report;

    public void Dispose()
    {
        Runtime.Dispose();
        directory.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class RewrittenSamplesGroup : ICollectionFixture<RewrittenSamples>
{
    public const string Name = "rewritten samples";
}
