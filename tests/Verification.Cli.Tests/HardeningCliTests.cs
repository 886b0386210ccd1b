using System.Diagnostics;
using System.Text.Json;
using Verification.Checkers;
using Verification.Checkers.Systematic;
using Verification.Cli.Catalog;
using Verification.Protocols.PingAck;
using Verification.Protocols.Raft;
using Verification.Runtime;
using Verification.Specs;

namespace Verification.Cli.Tests;

public abstract record HashEvent;

public sealed record Received(int Count) : HashEvent;

/// <summary>What the receiver has: how many items, and the hash code of the last one's name (differs between processes).</summary>
public sealed record HashState(int Count, int LastHash);

/// <summary>
/// A user's system, registered in the user's own assembly (this test assembly): n0 sends two items to n1, which keeps
/// the hash code of each item's name in its state, as a node that iterates a HashSet of strings would depend on it.
/// Its spec says n1 never receives two items, so every run that delivers both is a counterexample.
/// </summary>
public sealed class HashDependentSystem : SystemDefinition<HashDependentConfig, object, string, string, object, HashEvent>
{
    public override string Name => "HashDependent";
    public override string Description => "a node whose state holds string hash codes";
    public override IReadOnlyList<(string Name, HashDependentConfig Configuration)> Configurations { get; } = [("default", new HashDependentConfig(2))];

    protected override Protocol<object, string, string, object, HashEvent> Create(HashDependentConfig configuration)
    {
        var spec = new SpecBuilder<HashEvent>("AtMostOne");
        var count = spec.Variable<int>("count");
        spec.Define(count, 0, e => ((Received)e).Count);
        spec.Invariant("AtMostOne", () => count.Now <= 1);
        return new Protocol<object, string, string, object, HashEvent>("HashDependent", 2, _ => new HashNode(configuration.Items), spec.Build());
    }

    private sealed class HashNode(int items) : INode<object, string, string, object>
    {
        public object Start(Effects<string, string, object> effects)
        {
            if (effects.Self.Index == 0) for (var i = 0; i < items; i++) effects.Send(new NodeId(1), $"item{i}");
            return new HashState(0, 0);
        }

        public object OnMessage(object state, NodeId from, string message, Effects<string, string, object> effects)
        {
            var next = new HashState(((HashState)state).Count + 1, message.GetHashCode());
            effects.Observe(new Received(next.Count));
            return next;
        }

        public object OnTimer(object state, string timer, Effects<string, string, object> effects) => state;
        public object OnRecover(object? persisted, Effects<string, string, object> effects) => persisted ?? Start(effects);
    }
}

public sealed record HashDependentConfig(int Items);

/// <summary>The hardening issue's command-line items: replay of every registered system, hand-edited files, exit codes, coverage, and a machine without libz3.</summary>
public class HardeningCliTests
{
    private static (int Exit, string Output, string Error) Verify(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = Program.Run(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    private static string NewDirectory() => Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"verify-hardening-{Guid.NewGuid():N}")).FullName;

    private static (int Exit, string Output, string Error) VerifyInAnotherProcess(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [typeof(Program).Assembly.Location, .. args]) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error);
    }

    /// <summary>D11. The stale-read counterexample is found by the linearizability check, which replay used to drop ("no violation", exit 0).</summary>
    [Fact]
    public void Replay_OfTheStaleReadCounterexample_RunsTheLinearizabilityCheck()
    {
        var directory = NewDirectory();
        try
        {
            var tester = (new RaftSystem().Build("bug:LeaderReadsLocally")).Tester(new TestOptions { Seed = 25, Iterations = 20_000, MaxSteps = 300, CheckLiveness = false, Faults = FaultModel.Full(f: 1, losses: 3, duplicates: 2, partitions: 1), ScheduleDirectory = directory });
            var bug = tester.Run().AssertFound("Linearizable");
            var (exit, output, _) = Verify("replay", bug.SchedulePath!);
            Assert.Equal(1, exit);
            Assert.Contains("Linearizable fails on the run's history", output);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>D11 and B7. A user's system replays from the command line (its assembly is named in the schedule); in a new process, where string hash codes differ, the replay says it diverged and why.</summary>
    [Fact]
    public void UserSystem_ReplaysFromTheCommandLine_AndInAnotherProcessTheHashDependenceIsCaught()
    {
        var directory = NewDirectory();
        try
        {
            var tester = (new HashDependentSystem().Build("default")).Tester(new TestOptions { Iterations = 10, MaxSteps = 10, ScheduleDirectory = directory });
            var bug = tester.AssertFindsAndReplays("AtMostOne");
            Assert.Contains("verify replay", bug.ToString());
            Assert.Equal(typeof(HashDependentSystem).Assembly.Location, bug.Schedule.Assembly);

            var (exit, output, error) = Verify("replay", bug.SchedulePath!);
            Assert.True(exit == 1, output + error);
            Assert.Contains("invariant AtMostOne", output);

            var (otherExit, otherOutput, otherError) = VerifyInAnotherProcess(null, "replay", bug.SchedulePath!);
            Assert.True(otherExit == 1, otherOutput + otherError);
            Assert.Contains("the replay diverged at step 1", otherOutput);
            Assert.Contains("hash codes", otherOutput);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>D12. Hand-edited schedule files: each mistake is a one-line error naming it, never an internal error.</summary>
    [Theory]
    [InlineData("\"Steps\": null", "\"Steps\" is missing")]
    [InlineData("\"CrashKinds\": null", "Settings.CrashKinds is missing")]
    [InlineData("\"Network\": 7", "Settings.Network is 7")]
    [InlineData("\"Choices\": [-1]", "a choice of -1")]
    [InlineData("{}", "\"Protocol\" is missing")]
    public void HandEditedSchedule_IsAOneLineError(string edit, string expected)
    {
        var directory = NewDirectory();
        try
        {
            var path = PingBugSchedule(directory);
            var json = File.ReadAllText(path);
            json = edit switch
            {
                "{}" => "{}",
                "\"Steps\": null" => System.Text.RegularExpressions.Regex.Replace(json, "\"Steps\": \\[[\\s\\S]*?\\n  \\]", "\"Steps\": null"),
                "\"CrashKinds\": null" => System.Text.RegularExpressions.Regex.Replace(json, "\"CrashKinds\": \\[[\\s\\S]*?\\]", "\"CrashKinds\": null"),
                "\"Network\": 7" => json.Replace("\"Network\": \"Unordered\"", "\"Network\": 7"),
                _ => System.Text.RegularExpressions.Regex.Replace(json, "\"Choices\": \\[\\]", "\"Choices\": [-1]"),
            };
            Assert.NotEqual(File.ReadAllText(path), json);
            File.WriteAllText(path, json);
            var (exit, _, error) = Verify("replay", path);
            Assert.Equal(2, exit);
            Assert.Contains(expected, error);
            Assert.Single(error.Trim().Split('\n')); // one line
            Assert.DoesNotContain("internal error", error);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>D12. Steps added after the failure are refused.</summary>
    [Fact]
    public void HandEditedSchedule_WithStepsAfterTheFailure_IsRefused()
    {
        var directory = NewDirectory();
        try
        {
            var path = PingBugSchedule(directory);
            var schedule = Schedule.Load(path);
            (schedule with { Steps = [.. schedule.Steps, schedule.Steps[^1]] }).Save(path);
            var (exit, _, error) = Verify("replay", path);
            Assert.Equal(2, exit);
            Assert.Contains("steps after a failure were added by hand", error);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string PingBugSchedule(string directory) =>
        PingNode.System(pipelined: true).Tester(new TestOptions { Seed = 3, Iterations = 100, MaxSteps = 50, ScheduleDirectory = directory })
            .Run().AssertFound("InOrder").SchedulePath!;

    /// <summary>E17. An unusable --json path fails before any check runs; --help lists the exit codes.</summary>
    [Theory]
    [InlineData("", "--json needs a file path")]
    [InlineData("/nonexistent-directory/report.json", "cannot write the report there")]
    public void UnwritableJsonPath_FailsBeforeAnyCheckRuns(string path, string expected)
    {
        var (exit, output, error) = Verify("--json", path, "--filter", "Counter");
        Assert.Equal(2, exit);
        Assert.Contains(expected, error);
        Assert.DoesNotContain("[1/", output);
    }

    [Fact]
    public void Help_ListsTheExitCodes()
    {
        var (exit, output, _) = Verify("--help");
        Assert.Equal(0, exit);
        Assert.Contains("Exit codes: 0", output);
        Assert.Contains("3 unknown", output);
        Assert.Contains("4 internal error", output);
    }

    /// <summary>G20. Without libz3 the checks that need it are "not run", the others run, the JSON is written, and the exit code says so.</summary>
    [Fact]
    public void WithoutZ3_TheOtherChecksRun_TheZ3OnesAreNotRun_AndTheReportIsWritten()
    {
        var json = Path.Combine(NewDirectory(), "report.json");
        var (exit, output, error) = VerifyInAnotherProcess(new Dictionary<string, string> { ["VERIFICATION_Z3_LIBRARY"] = "/nonexistent/libz3.so" }, "--filter", "LockService", "--json", json);
        Assert.True(exit == 2, output + error);
        Assert.Contains("not run (install libz3-4", output);
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        var checks = report.RootElement.GetProperty("checks").EnumerateArray().ToList();
        Assert.Contains(checks, c => c.GetProperty("kind").GetString() == "history" && c.GetProperty("passed").GetBoolean());
        Assert.Contains(checks, c => c.GetProperty("kind").GetString() == "proof" && c.GetProperty("actual").GetString() == "not run");
        Directory.Delete(Path.GetDirectoryName(json)!, recursive: true);
    }

    /// <summary>A4. A check that covered nothing fails, whatever its verdict; the guarded Paxos spec's random histories now have events (they had none).</summary>
    [Fact]
    public void ACheckThatCoveredNothing_Fails_AndGuardedRandomHistoriesCoverEvents()
    {
        var check = new CatalogCheck("vacuous", CheckKind.Spec, Expectation.Holds, "", new RandomHistoriesOf(CheckCatalog.Spec("Counter")));
        var nothing = new CheckResult { Subject = "s", Method = "m", Verdict = Verdict.Holds, Coverage = new Coverage() };
        var vacuous = Program.Judge(check, () => nothing, System.Diagnostics.Stopwatch.StartNew());
        Assert.False(vacuous.Passed);
        Assert.Equal(Program.Error, vacuous.Actual);
        Assert.Contains("covered nothing", vacuous.Detail);
        Assert.True(Program.Judge(check, () => nothing with { Coverage = new Coverage { Events = 1 } }, System.Diagnostics.Stopwatch.StartNew()).Passed);

        var paxos = CheckCatalog.Run(CheckCatalog.Default().Single(c => c.Name == "Paxos: random histories, three uses agree"), seed: 1);
        Assert.Equal(Verdict.Holds, paxos.Verdict);
        Assert.True(paxos.Coverage.Events >= 2000, paxos.Coverage.ToString());

        // The replicated log's random histories are within its bounds now: the violation they find is a real one, not an out-of-range event.
        var log = CheckCatalog.Run(CheckCatalog.Default().Single(c => c.Name == "ReplicatedLog: random histories, three uses agree"), seed: 1);
        Assert.Equal(Verdict.Violated, log.Verdict);
        Assert.DoesNotContain("EventWithinBounds", log.ToString());
    }
}

public class ShardOptionTests
{
    /// <summary>H22. --shard i/n (parsed by TestOptions.ParseShard) runs checks i, i+n, …: the shards together run each check once.</summary>
    [Fact]
    public void Shards_SplitTheChecks_AndABadShardIsAClearError()
    {
        static List<string> Run(string shard)
        {
            var output = new StringWriter();
            Assert.Equal(0, Program.Run(["--filter", "recorded history", "--shard", shard], output, new StringWriter()));
            return output.ToString().Split('\n').Where(l => l.Contains("ok ")).ToList();
        }
        var first = Run("0/2");
        var second = Run("1/2");
        Assert.Equal(2, first.Count);
        Assert.Equal(2, second.Count);
        Assert.Empty(first.Intersect(second));
        var error = new StringWriter();
        Assert.Equal(2, Program.Run(["--shard", "2/2"], new StringWriter(), error));
        Assert.Contains("is not of the form i/n", error.ToString());
    }
}
