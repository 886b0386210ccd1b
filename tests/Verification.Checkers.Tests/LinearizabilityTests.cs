using Verification.Checkers.Linearizability;
using Verification.Specs;
using Xunit.Abstractions;

namespace Verification.Checkers.Tests;

/// <summary>
/// The linearizability checker against Porcupine's test data (tests/data/porcupine, known verdicts in
/// EXPECTED.csv), and on small hand-made histories whose verdict is obvious.
/// </summary>
public class LinearizabilityTests(ITestOutputHelper output)
{
    /// <summary>Porcupine's data, vendored in the repository: tests/data/porcupine under the directory holding Verification.sln.</summary>
    public static string DataDirectory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Verification.sln")))
                    return Path.Combine(dir.FullName, "tests", "data", "porcupine");
            throw new InvalidOperationException("the repository root (Verification.sln) was not found above the test binaries");
        }
    }

    public static IEnumerable<object[]> ExpectedVerdicts() =>
        File.ReadAllLines(Path.Combine(DataDirectory, "EXPECTED.csv")).Skip(1)
            .Select(line => line.Split(','))
            .Where(fields => fields[1] != "kv(no partitioning)") // the same files, only timed without partitioning
            .Select(fields => new object[] { fields[0], fields[3] == "true" });

    [Theory]
    [MemberData(nameof(ExpectedVerdicts))]
    public void PorcupineData_SameVerdictAsPorcupine(string file, bool linearizable)
    {
        var result = PorcupineFiles.Check(Path.Combine(DataDirectory, file));
        output.WriteLine(result.ToString());
        Assert.Equal(linearizable ? Verdict.Holds : Verdict.Violated, result.Verdict);
        if (!linearizable) Assert.Contains("the longest partial linearization", result.Explanation);
    }

    [Fact]
    public void PorcupineData_HasEveryFileOfExpectedCsv()
    {
        Assert.Equal(56, ExpectedVerdicts().Count());
    }

    [Fact]
    public void PorcupineData_IsVendoredInTheRepository_WithItsLicence()
    {
        var root = Path.GetFullPath(Path.Combine(DataDirectory, "..", "..", ".."));
        Assert.True(File.Exists(Path.Combine(root, "Verification.sln")), root);
        Assert.True(File.Exists(Path.Combine(DataDirectory, "LICENSE-porcupine-MIT.md")));
        Assert.Contains("Vendored into this repository", File.ReadAllText(Path.Combine(DataDirectory, "README.md")));
        Assert.Equal(52, Directory.GetFiles(Path.Combine(DataDirectory, "jepsen"), "*.log").Length);
        Assert.Equal(4, Directory.GetFiles(Path.Combine(DataDirectory, "kv"), "*.txt").Length);
    }

    private static Operation<RegisterInput, RegisterOutput> Op(int client, RegisterInput input, RegisterOutput result, long call, long ret) => new(client, input, result, call, ret, (int)call);

    [Fact]
    public void StaleRead_AfterACompletedWrite_IsNotLinearizable_ButConcurrentIs()
    {
        var write = new RegisterInput(RegisterOperation.Write, 1);
        var read = new RegisterInput(RegisterOperation.Read, null);
        // write 1 completes (0..1), then a read (2..3) returns nil: stale.
        var stale = new[] { Op(0, write, new(Outcome.Ok), 0, 1), Op(1, read, new(Outcome.Ok, null), 2, 3) };
        var result = LinearizabilityChecker.Check(CasRegisterModel.Instance, stale);
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Violated, result.Verdict);
        Assert.Contains("read → nil", result.Explanation);
        // The same read overlapping the write may see nil.
        var concurrent = new[] { Op(0, write, new(Outcome.Ok), 0, 3), Op(1, read, new(Outcome.Ok, null), 1, 2) };
        Assert.Equal(Verdict.Holds, LinearizabilityChecker.Check(CasRegisterModel.Instance, concurrent).Verdict);
    }

    [Fact]
    public void TimedOutWrite_MayTakeEffectLate_OrNever()
    {
        var write = new RegisterInput(RegisterOperation.Write, 1);
        var read = new RegisterInput(RegisterOperation.Read, null);
        var history = new[] { Op(0, write, RegisterOutput.Unknown, 0, long.MaxValue), Op(1, read, new(Outcome.Ok, null), 1, 2), Op(1, read, new(Outcome.Ok, 1), 3, 4), Op(2, read, new(Outcome.Ok, 1), 5, 6) };
        Assert.Equal(Verdict.Holds, LinearizabilityChecker.Check(CasRegisterModel.Instance, history).Verdict);
        var neverThenBack = history.Append(Op(3, read, new(Outcome.Ok, null), 7, 8)).ToArray();
        Assert.Equal(Verdict.Violated, LinearizabilityChecker.Check(CasRegisterModel.Instance, neverThenBack).Verdict);
    }

    [Fact]
    public void Budget_EndsAsUnknown_NotAsACrash()
    {
        // Many concurrent writes of distinct values and reads that fit nowhere: a wide search.
        var ops = new List<Operation<RegisterInput, RegisterOutput>>();
        for (var i = 0; i < 30; i++) ops.Add(Op(i, new RegisterInput(RegisterOperation.Write, i), new(Outcome.Ok), i, 100 + i));
        ops.Add(Op(99, new RegisterInput(RegisterOperation.Read, null), new(Outcome.Ok, 1000), 200, 201));
        var result = LinearizabilityChecker.Check(CasRegisterModel.Instance, ops, new LinearizabilityBudget { MaxCachedConfigurations = 10_000 });
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Unknown, result.Verdict);
        Assert.True(result.Coverage.Configurations <= 10_001);
    }

    [Fact]
    public void JepsenEdn_CasRegister_IsRead_FailsAreLeftOut_NemesisIgnored()
    {
        var path = Path.Combine(Path.GetTempPath(), $"jepsen-{Guid.NewGuid():N}.edn");
        File.WriteAllText(path, """
            [{:process 0, :type :invoke, :f :write, :value 3, :time 1}
             {:process :nemesis, :type :info, :f :start, :value nil}
             {:process 0, :type :ok, :f :write, :value 3}
             {:process 1, :type :invoke, :f :cas, :value [2 5]}
             {:process 1, :type :fail, :f :cas, :value [2 5]}
             {:process 2, :type :invoke, :f :read, :value nil}
             {:process 2, :type :ok, :f :read, :value 3}
             {:process 1, :type :invoke, :f :cas, :value [3 4]}
             {:process 1, :type :info, :f :cas, :value [3 4]}
             {:process 2, :type :invoke, :f :read, :value nil}
             {:process 2, :type :ok, :f :read, :value 4}]
            """);
        try
        {
            var history = RegisterHistories.ReadJepsenEdn(path);
            Assert.Equal(4, history.Count); // the failed cas did not happen
            Assert.Equal(Verdict.Holds, LinearizabilityChecker.Check(CasRegisterModel.Instance, history).Verdict);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - x\t:ok\t:read\t1\n", "etcd.log", ":2: the process 'x' is not a number")]
    [InlineData("INFO  jepsen.util - 0\t:ok\t:read\t1\n", "etcd.log", ":1: process 0 completes an operation it never invoked")]
    [InlineData("something else\n", "etcd.log", ":1: not a history this tool reads")]
    [InlineData("{:process 1, :type :invoke, :f :get, :key \"0\", :value nil}\n{:process 1 :type :ok\n", "kv.txt", ":2: missing '}'")]
    [InlineData("[{:process 0, :type :invoke, :f :frobnicate, :value 1}]", "history.edn", ":1: unknown register operation :frobnicate")]
    public void MalformedHistories_NameTheFileAndLine(string content, string name, string expected)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}-{name}");
        File.WriteAllText(path, content);
        try
        {
            var error = Assert.Throws<SpecException>(() => PorcupineFiles.Check(path, name.EndsWith(".edn", StringComparison.Ordinal) ? HistoryFormat.JepsenEdn : null));
            Assert.Contains(path + expected, error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void KeyValueCas_SucceedsOnlyOnTheExpectedValue()
    {
        static Operation<KeyValueInput, string?> Kv(int client, KeyValueInput input, string? result, long call, long ret) => new(client, input, result, call, ret, (int)call);
        var put = new KeyValueInput(KeyValueOperation.Put, "x", "a");
        var casFromA = new KeyValueInput(KeyValueOperation.Cas, "x", "b", Expected: "a");
        var get = new KeyValueInput(KeyValueOperation.Get, "x", "");
        var fine = new[] { Kv(0, put, null, 0, 1), Kv(1, casFromA, "ok", 2, 3), Kv(0, get, "b", 4, 5) };
        Assert.Equal(Verdict.Holds, LinearizabilityChecker.Check(new KeyValueModel(), fine).Verdict);
        var failedButShouldNot = new[] { Kv(0, put, null, 0, 1), Kv(1, casFromA, "fail", 2, 3) };
        Assert.Equal(Verdict.Violated, LinearizabilityChecker.Check(new KeyValueModel(), failedButShouldNot).Verdict);
        var okButValueUnchanged = new[] { Kv(0, put, null, 0, 1), Kv(1, casFromA, "ok", 2, 3), Kv(0, get, "a", 4, 5) };
        Assert.Equal(Verdict.Violated, LinearizabilityChecker.Check(new KeyValueModel(), okButValueUnchanged).Verdict);
    }
}
