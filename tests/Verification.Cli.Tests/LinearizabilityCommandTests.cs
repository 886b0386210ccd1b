namespace Verification.Cli.Tests;

/// <summary>
/// `verify linearizability`: every file checked and each unreadable one reported, a summary, and the exit codes
/// 0 all linearizable, 1 some not, 2 bad input, 3 unknown.
/// </summary>
public sealed class LinearizabilityCommandTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"verify-lin-{Guid.NewGuid():N}");

    public LinearizabilityCommandTests() => Directory.CreateDirectory(directory);

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static (int Exit, string Output, string Error) Verify(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = Program.Run(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    private static string PorcupineData
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Verification.sln"))) return Path.Combine(dir.FullName, "tests", "data", "porcupine");
            throw new InvalidOperationException("the repository root (Verification.sln) was not found above the test binaries");
        }
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    private const string LinearizableEdn = """
        [{:process 0, :type :invoke, :f :write, :value 3}
         {:process 0, :type :ok, :f :write, :value 3}
         {:process 1, :type :invoke, :f :read, :value nil}
         {:process 1, :type :ok, :f :read, :value 3}]
        """;

    private const string StaleReadEdn = """
        [{:process 0, :type :invoke, :f :write, :value 3}
         {:process 0, :type :ok, :f :write, :value 3}
         {:process 1, :type :invoke, :f :read, :value nil}
         {:process 1, :type :ok, :f :read, :value nil}]
        """;

    [Fact]
    public void PorcupineData_EveryFileChecked_SomeNotLinearizable_ExitsOne()
    {
        var (exit, output, error) = Verify("linearizability", PorcupineData);
        Assert.True(exit == 1, output + error);
        Assert.Equal("", error);
        Assert.Matches(@"56 histories: 13 linearizable, 43 not, 0 unknown, 0 unreadable \(\d+\.\d ms checking\)", output);
    }

    [Fact]
    public void AllLinearizable_ExitsZero()
    {
        var (exit, output, error) = Verify("linearizability", Write("a.edn", LinearizableEdn), Path.Combine(PorcupineData, "kv", "c01-ok.txt"));
        Assert.True(exit == 0, output + error);
        Assert.Contains("2 histories: 2 linearizable, 0 not, 0 unknown, 0 unreadable", output);
    }

    [Fact]
    public void DirectoryWithAnUnreadableFile_ChecksAndReportsEveryFile_ExitsTwo()
    {
        Write("1-good.edn", LinearizableEdn);
        var bad = Write("2-bad.edn", "[{:process 0, :type :invoke, :f :frobnicate, :value 1}]");
        var garbage = Write("3-garbage.log", "hello\n");
        Write("4-good.edn", LinearizableEdn);
        var (exit, output, error) = Verify("linearizability", directory);
        Assert.True(exit == 2, output + error);
        Assert.Contains("4 histories: 2 linearizable, 0 not, 0 unknown, 2 unreadable", output);
        // One line per unreadable file, naming it and the problem (with the line), and nothing else.
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal($"verify: {bad}:1: unknown register operation :frobnicate (expected :read, :write or :cas)", lines[0].TrimEnd());
        Assert.StartsWith($"verify: {garbage}:1: not a history this tool reads", lines[1]);
        Assert.Contains("4-good.edn: linearizable", output); // the file after the bad ones was checked too
    }

    [Fact]
    public void NotLinearizable_AndUnreadable_ExitsOne_ReportingBoth()
    {
        var (exit, output, error) = Verify("linearizability", Write("stale.edn", StaleReadEdn), Path.Combine(directory, "missing.edn"));
        Assert.True(exit == 1, output + error);
        Assert.Contains("2 histories: 0 linearizable, 1 not, 0 unknown, 1 unreadable", output);
        Assert.Contains("NOT linearizable", output);
        Assert.Contains($"verify: {Path.Combine(directory, "missing.edn")}: no such file", error);
    }

    [Fact]
    public void BudgetExhausted_ExitsThree_NamingTheBudget()
    {
        // 41 overlapping appends to one key and a get no order explains: the search explodes; 16 MB ends it.
        var lines = Enumerable.Range(0, 40).Select(i => $"{{:process {i}, :type :invoke, :f :append, :key \"k\", :value \"value {i:D2}; \"}}")
            .Append("{:process 40, :type :invoke, :f :get, :key \"k\", :value nil}")
            .Concat(Enumerable.Range(0, 40).Select(i => $"{{:process {i}, :type :ok, :f :append, :key \"k\", :value \"value {i:D2}; \"}}"))
            .Append("{:process 40, :type :ok, :f :get, :key \"k\", :value \"none of these\"}");
        var path = Write("appends.txt", string.Join("\n", lines));
        var (exit, output, error) = Verify("linearizability", path, "--memory", "16");
        Assert.True(exit == 3, output + error);
        Assert.Matches(@"memory budget of 16 MB exhausted after \d+ configurations", output);
        Assert.Contains("1 history: 0 linearizable, 0 not, 1 unknown, 0 unreadable", output);
    }

    [Theory]
    [InlineData("--timeout", "0", "--timeout must be a positive number of seconds")]
    [InlineData("--memory", "-5", "--memory must be a positive number of megabytes")]
    [InlineData("--format", "csv", "--format must be etcd-log, kv or jepsen-edn (got 'csv')")]
    [InlineData("--timeout", "soon", "soon")]
    public void BadOption_ExitsTwo_WithOneLineSayingWhy(string option, string value, string expected)
    {
        var (exit, _, error) = Verify("linearizability", Write("a.edn", LinearizableEdn), option, value);
        Assert.Equal(2, exit);
        Assert.Contains(expected, error);
        Assert.DoesNotMatch(@"\n\s+at \S+\(", error);
    }

    [Fact]
    public void Help_DescribesTheExitCodes()
    {
        var (exit, output, _) = Verify("linearizability", "--help");
        Assert.Equal(0, exit);
        Assert.Contains("Exit codes: 0 every history linearizable; 1 some history not linearizable; 2 bad input", output);
        Assert.Contains("--memory", output);
    }
}
