namespace Verification.Controlled.Rewriting.Tests;

/// <summary>The rewriter's command line: a bad input is one line on stderr naming the problem and the file, exit code 2.</summary>
public class CommandLineTests
{
    [Fact]
    public void RewritesAndPrintsTheCountOfEachRedirectAndEachUnsupportedCall()
    {
        using var directory = new TemporaryDirectory();
        var (code, output, error) = Run("rewrite", Assets.Samples(Assets.Optimized), directory.File("AsyncSamples.dll"), "--runtime", Assets.Double, "--cache", directory.File("cache"));
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Contains(": rewrote ", output);
        Assert.Contains(" x System.Threading.Tasks.Task::Run(System.Action) -> ControlledTask.Run(System.Action)", output);
        Assert.Contains("unsupported: System.Threading.Tasks.Parallel::For(", output);

        var (again, secondOutput, _) = Run("rewrite", Assets.Samples(Assets.Optimized), directory.File("AsyncSamples.dll"), "--runtime", Assets.Double, "--cache", directory.File("cache"));
        Assert.Equal(0, again);
        Assert.Contains("cache hit", secondOutput);
    }

    [Fact]
    public void AMissingInputIsOneLineAndExitCode2()
    {
        using var directory = new TemporaryDirectory();
        var missing = directory.File("Missing.dll");
        AssertBadInput(Run("rewrite", missing, directory.File("out.dll"), "--runtime", Assets.Double), missing, "input assembly not found");
    }

    [Fact]
    public void AFileThatIsNotADotNetAssemblyIsOneLineAndExitCode2()
    {
        using var directory = new TemporaryDirectory();
        var text = directory.File("Text.dll");
        File.WriteAllText(text, "not an assembly");
        AssertBadInput(Run("rewrite", text, directory.File("out.dll"), "--runtime", Assets.Double), text, "is not a .NET assembly");
    }

    [Fact]
    public void AFrameworkTestPlatformOrToolkitAssemblyIsRefused()
    {
        using var directory = new TemporaryDirectory();
        var xunitAssert = typeof(Assert).Assembly.Location;
        AssertBadInput(Run("rewrite", xunitAssert, directory.File("out.dll"), "--runtime", Assets.Double), xunitAssert, "refusing to rewrite xunit.assert");
        var rewriter = typeof(AssemblyRewriter).Assembly.Location;
        AssertBadInput(Run("rewrite", rewriter, directory.File("out.dll"), "--runtime", Assets.Double), rewriter, "refusing to rewrite Verification.Controlled.Rewriting");
        var runtime = Assets.Double;
        AssertBadInput(Run("rewrite", runtime, directory.File("out.dll"), "--runtime", Assets.Double), runtime, "it is the controlled runtime itself");
        Assert.False(File.Exists(directory.File("out.dll")));
    }

    [Fact]
    public void ARuntimeMissingTheContractIsOneLineAndExitCode2()
    {
        using var directory = new TemporaryDirectory();
        var notARuntime = Assets.Samples(Assets.Optimized);
        AssertBadInput(Run("rewrite", Assets.Samples(Assets.Optimized), directory.File("out.dll"), "--runtime", notARuntime), notARuntime, "has no public class Verification.Controlled.ControlledTask");
        var missing = directory.File("Verification.Controlled.dll");
        AssertBadInput(Run("rewrite", Assets.Samples(Assets.Optimized), directory.File("out.dll"), "--runtime", missing), missing, "controlled runtime assembly not found");
    }

    [Fact]
    public void BadArgumentsPrintTheUsage()
    {
        AssertBadInput(Run("rewrite", "a.dll", "b.dll"), "--runtime is required", "usage: rewrite");
        AssertBadInput(Run("rewrite", "a.dll", "b.dll", "--runtime"), "--runtime needs a value", "usage: rewrite");
        AssertBadInput(Run("rewrite", "a.dll", "b.dll", "--runtime", "r.dll", "--fast", "yes"), "unknown option '--fast'", "usage: rewrite");
        AssertBadInput(Run("transform"), "usage: rewrite", "--runtime");
    }

    private static void AssertBadInput((int Code, string Output, string Error) result, params string[] mentions)
    {
        Assert.Equal(2, result.Code);
        Assert.Equal("", result.Output);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("controlled-rewrite: error: ", line);
        foreach (var mention in mentions) Assert.Contains(mention, line);
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = Program.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
