using System.Diagnostics;
using Xunit.Abstractions;

namespace Verification.Controlled.Rewriting.Tests;

/// <summary>
/// build/Verification.Controlled.targets in a real build: a copy of Assets/MsBuildConsumer (a "test project" that
/// imports the targets after Sdk.targets, names its reference ConsumerLibrary as a ControlledAssembly and rewrites
/// itself) is built twice with 'dotnet build'. Slow (two builds, and the rewriter project resolved through its
/// ProjectReference), so one test.
/// </summary>
public class MsBuildIntegrationTests(ITestOutputHelper log)
{
    [Fact]
    public async Task TheTargetsRewriteTheOutputDirectoryCopies_KeepObjPristine_AndASecondBuildIsACacheHit()
    {
        using var directory = new TemporaryDirectory();
        CopyDirectory(Path.Combine(Assets.RepositoryRoot, "tests", "Verification.Controlled.Rewriting.Tests", "Assets", "MsBuildConsumer"), directory.Path);
        var configuration = Assets.Configuration;
        var consumer = Path.Combine(directory.Path, "Consumer");
        var bin = Path.Combine(consumer, "bin", configuration, "net10.0");

        var first = await Build(consumer, configuration);
        Assert.Contains("ConsumerLibrary.dll: rewrote 4 call sites", first);
        Assert.Contains("Consumer.dll: rewrote 1 call sites", first);
        foreach (var rewritten in new[] { "Consumer.dll", "ConsumerLibrary.dll" })
            Assert.Equal(ExpectedMarker(), Marker(Path.Combine(bin, rewritten)));
        // Only the test project's output copies are rewritten: its obj/ and the library's own output stay as compiled.
        Assert.Null(Marker(Path.Combine(consumer, "obj", configuration, "net10.0", "Consumer.dll")));
        Assert.Null(Marker(Path.Combine(directory.Path, "ConsumerLibrary", "bin", configuration, "net10.0", "ConsumerLibrary.dll")));
        Assert.False(File.Exists(Path.Combine(bin, "Mono.Cecil.dll"))); // the rewriter is not a reference of the test project
        var afterFirst = File.ReadAllBytes(Path.Combine(bin, "ConsumerLibrary.dll"));

        var second = await Build(consumer, configuration);
        Assert.DoesNotContain(": rewrote", second);
        Assert.Contains("ConsumerLibrary.dll: cache hit", second);
        Assert.Contains("Consumer.dll: cache hit", second);
        Assert.Equal(afterFirst, File.ReadAllBytes(Path.Combine(bin, "ConsumerLibrary.dll")));
    }

    private static string ExpectedMarker()
    {
        using var runtime = InterceptorAssembly.Load(Assets.Double);
        return AssemblyRewriter.Signature(runtime);
    }

    private static string? Marker(string path)
    {
        using var module = Assets.ReadModule(path);
        return AssemblyRewriter.FindMarker(module);
    }

    private async Task<string> Build(string project, string configuration)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet,
        [
            "build", project, "-c", configuration, "-tl:off", "-v:n", "-nodeReuse:false", "-p:UseSharedCompilation=false",
            $"-p:VerificationControlledTargets={Path.Combine(Assets.RepositoryRoot, "Checkers", "Verification.Controlled.Rewriting", "build", "Verification.Controlled.targets")}",
            $"-p:ControlledRuntimeAssembly={Assets.Double}",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var build = Process.Start(start)!;
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        deadline.Token.Register(() => build.Kill(entireProcessTree: true)); // a hung build fails this test, not the suite
        var readError = build.StandardError.ReadToEndAsync(deadline.Token);
        var output = await build.StandardOutput.ReadToEndAsync(deadline.Token);
        await build.WaitForExitAsync(deadline.Token);
        var errors = await readError;
        var rewriterLines = string.Join("\n", output.Split('\n').Where(line => line.Contains("controlled-rewrite", StringComparison.Ordinal)));
        log.WriteLine(rewriterLines);
        Assert.True(build.ExitCode == 0, $"dotnet build failed ({build.ExitCode}):\n{output}\n{errors}");
        return rewriterLines;
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj")) continue;
            var target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
