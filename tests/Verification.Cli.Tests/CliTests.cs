using System.Diagnostics;
using System.Text.Json;
using Verification.Checkers.Systematic;

namespace Verification.Cli.Tests;

/// <summary>The command line: the full check, its JSON report, and clear errors (never a stack trace) on bad input.</summary>
public class CliTests
{
    private static (int Exit, string Output, string Error) Verify(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = Program.Run(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    private static void NoStackTrace(string text) => Assert.DoesNotMatch(@"\n\s+at \S+\(", text);

    [Fact]
    public void FullCheck_EveryVerdictAsExpected_AndTheJsonReportHasOneRecordPerCheck()
    {
        var json = Path.Combine(Path.GetTempPath(), $"verify-report-{Guid.NewGuid():N}.json");
        try
        {
            var (exit, output, error) = Verify("--json", json);
            Assert.True(exit == 0, output + error);
            Assert.Contains("as expected, 0 not", output);
            using var report = JsonDocument.Parse(File.ReadAllText(json));
            var checks = report.RootElement.GetProperty("checks").EnumerateArray().ToList();
            Assert.True(checks.Count >= 16);
            Assert.Equal(checks.Count, report.RootElement.GetProperty("passed").GetInt32());
            foreach (var check in checks)
            {
                Assert.True(check.GetProperty("passed").GetBoolean(), check.ToString());
                Assert.Equal(check.GetProperty("expected").GetString()!.Split(' ')[0], check.GetProperty("actual").GetString()!.Split(' ')[0]);
                Assert.NotEqual("nothing", check.GetProperty("coverage").GetString());
                Assert.Contains(check.GetProperty("kind").GetString(), new[] { "spec", "history", "proof", "protocol", "planted-bug", "teaching" });
                Assert.True(check.GetProperty("seconds").GetDouble() >= 0);
                Assert.False(string.IsNullOrEmpty(check.GetProperty("name").GetString()));
            }
            Assert.Contains(checks, c => c.GetProperty("expected").GetString() == "not inductive");
            Assert.Contains(checks, c => c.GetProperty("expected").GetString() == "violated (SinceResetBelowLength)");
            Assert.Contains(checks, c => c.GetProperty("kind").GetString() == "planted-bug");
            Assert.Contains(checks, c => c.GetProperty("kind").GetString() == "teaching");
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Fact]
    public void Prove_FalseClaim_PrintsTheCounterexampleAndExitsOne()
    {
        var (exit, output, _) = Verify("prove", "CounterWithFalseClaim", "--claim", "SinceResetBelowLength");
        Assert.Equal(1, exit);
        Assert.Contains("SinceResetBelowLength is violated by the empty history Nil", output);
        Assert.Contains("replayed through the evaluator", output);
    }

    [Fact]
    public void Prove_TrueClaim_ExitsZero()
    {
        var (exit, output, _) = Verify("prove", "Counter");
        Assert.Equal(0, exit);
        Assert.Contains("holds by induction", output);
    }

    [Fact]
    public void History_Violation_ExitsOne_WithThePrefix()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "{\"event\":\"Acquired\",\"Client\":1}\n{\"event\":\"Acquired\",\"Client\":2}\n");
        try
        {
            var (exit, output, _) = Verify("history", "LockService", file);
            Assert.Equal(1, exit);
            Assert.Contains("guard GrantedOnlyWhenFree", output);
            Assert.Contains("after event #2: Acquired(Client: 2)", output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("{\"event\":\"Acquired\",\"Client\":1}\nnot json\n", ":2: not valid JSON")]
    [InlineData("{\"event\":\"Grabbed\",\"Client\":1}\n", ":1: event \"Grabbed\" is not in the alphabet LockEvent")]
    [InlineData("{\"event\":\"Acquired\"}\n", ":1: event Acquired is missing field \"Client\"")]
    public void History_MalformedFile_NamesFileAndLine_WithoutAStackTrace(string content, string expected)
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, content);
        try
        {
            var (exit, _, error) = Verify("history", "LockService", file);
            Assert.Equal(2, exit);
            Assert.Contains(file + expected, error);
            NoStackTrace(error);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData(new[] { "prove", "NoSuchSpec" }, "no spec named 'NoSuchSpec'")]
    [InlineData(new[] { "prove", "Counter", "--claim", "NoSuchClaim" }, "has no property 'NoSuchClaim'")]
    [InlineData(new[] { "prove", "Counter", "--depth", "-1" }, "--depth must be at least 0")]
    [InlineData(new[] { "history", "Counter", "/nonexistent/h.jsonl" }, "history file not found")]
    [InlineData(new[] { "--filter", "zzz-nothing" }, "no check matches")]
    [InlineData(new[] { "--no-such-option" }, "Unrecognized command or argument")]
    public void BadArguments_ExitTwo_WithAClearMessage(string[] args, string expected)
    {
        var (exit, _, error) = Verify(args);
        Assert.Equal(2, exit);
        Assert.Contains(expected, error);
        NoStackTrace(error);
    }

    [Fact]
    public void Print_ShowsEquationsAndSmt()
    {
        var (exit, output, _) = Verify("print", "Scheduler");
        Assert.Equal(0, exit);
        Assert.Contains("waiting_p(σe) = if Executing(σe) = p", output);
        var (smtExit, smt, _) = Verify("print", "Counter", "--smt");
        Assert.Equal(0, smtExit);
        Assert.Contains("(declare-datatypes", smt);
        Assert.Contains("(assert (= |C@1| (+ 1 |C@0|)))", smt);
    }

    [Fact]
    public void MissingZ3_IsAClearErrorNamingThePackage()
    {
        // The library is loaded once per process, so this runs the tool in a child process.
        var dll = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo("dotnet", [dll, "prove", "Counter"]) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.Environment["VERIFICATION_Z3_LIBRARY"] = "/nonexistent/libz3.so";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("Z3 is not available", error);
        Assert.Contains("apt-get install libz3-4", error);
        NoStackTrace(error);
    }
}

public class ReplayCommandTests
{
    [Fact]
    public void Replay_ASavedCounterexample_PrintsTheSameHistory_AndExitsOne()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"verify-replay-{Guid.NewGuid():N}");
        try
        {
            var tester = new Verification.Checkers.Systematic.SystematicTester<Verification.Protocols.Paxos.PaxosNodeState, Verification.Protocols.Paxos.PaxosMessage, Verification.Protocols.Paxos.PaxosTimer, Verification.Protocols.Paxos.PaxosNodeState, Verification.Protocols.Paxos.PaxosEvent>(
                Verification.Protocols.Paxos.PaxosNode.System(new Verification.Protocols.Paxos.PaxosConfig(Bugs: Verification.Protocols.Paxos.PaxosBug.AcceptsLowerBallot)),
                new Verification.Checkers.Systematic.TestOptions { Seed = 3, Iterations = 2000, MaxSteps = 120, CheckLiveness = false, ScheduleDirectory = directory, Faults = new Verification.Checkers.Systematic.FaultModel { MaxLosses = 1 } });
            var bug = tester.Run().AssertFound("VoteRespectsPromise");
            var output = new StringWriter();
            var error = new StringWriter();
            var exit = Program.Run(["replay", bug.SchedulePath!], output, error);
            Assert.Equal(1, exit);
            foreach (var line in bug.Trace) Assert.Contains(line, output.ToString());
            Assert.Contains("guard VoteRespectsPromise", output.ToString());
            Assert.Contains("verify replay", bug.ToString());
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Replay_NotASchedule_IsAClearError()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "{ not json");
        try
        {
            var error = new StringWriter();
            Assert.Equal(2, Program.Run(["replay", file], new StringWriter(), error));
            Assert.Contains("not a schedule file", error.ToString());
        }
        finally
        {
            File.Delete(file);
        }
    }
}
