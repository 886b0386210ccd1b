using System.Diagnostics;
using BenchmarkDotNet.Running;
using Verification.Checkers.Systematic;
using Verification.Protocols.FailureDetectors;
using Verification.Protocols.Paxos;
using Verification.Protocols.Raft;
using Verification.Runtime;

namespace Verification.Bench;

public static class Program
{
    /// <summary>
    /// dotnet run -c Release --project bench/Verification.Bench -- --filter '*'
    /// dotnet run -c Release --project bench/Verification.Bench -- --first-bug-table   (runs to the first bug, per planted bug and strategy)
    /// dotnet run -c Release --project bench/Verification.Bench -- --first-bug-table FailureDetectors   (one system's rows only)
    /// </summary>
    public static void Main(string[] args)
    {
        if (args is ["--first-bug-table", ..] && args.Length <= 2)
        {
            FirstBugTable(args.Length == 2 ? args[1] : null);
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }

    /// <summary>
    /// Runs until the first bug and runs per second, one line per planted bug and strategy (seed 1, one core,
    /// minimisation off; the spec is built once beforehand, so its compilation is not counted). Median of 3.
    /// </summary>
    private static void FirstBugTable(string? only)
    {
        if (only is not (null or "PaxosRaft" or "FailureDetectors"))
        {
            Console.Error.WriteLine($"--first-bug-table: no rows named '{only}' (known: PaxosRaft, FailureDetectors; none for all)");
            Environment.Exit(2);
        }
        Console.WriteLine("| system | planted bug | strategy | runs to first bug | time to first bug | runs/s |");
        Console.WriteLine("|---|---|---|---:|---:|---:|");
        if (only is null or "PaxosRaft") PaxosAndRaftRows();
        if (only is null or "FailureDetectors") FailureDetectorRows();
    }

    private static void PaxosAndRaftRows()
    {
        var paxosFaults = new FaultModel { MaxLosses = 2, MaxDuplicates = 1, MaxCrashes = 1, MaxDownAtOnce = 1, CrashKinds = [CrashKind.Amnesia] };
        foreach (var bug in new[] { PaxosBug.AcceptorForgetsPromise, PaxosBug.PromiseOmitsAcceptedValue, PaxosBug.ProposerIgnoresReportedValue, PaxosBug.MinorityQuorum, PaxosBug.AcceptsLowerBallot })
        {
            var system = PaxosNode.System(new PaxosConfig(Bugs: bug));
            Row("Paxos", bug.ToString(), strategy => system.Tester(new TestOptions { Strategy = strategy, Seed = 1, Iterations = 100_000, MaxSteps = 150, CheckLiveness = false, Faults = paxosFaults, Minimize = false }).Run());
        }
        var raftFaults = FaultModel.Full(f: 1, losses: 3, duplicates: 2, partitions: 1);
        foreach (var bug in new[] { RaftBug.CommitsEarlierTermByCounting, RaftBug.VotesWithoutLogCheck, RaftBug.ForgetsVote, RaftBug.AppendsWithoutTruncating, RaftBug.NoDeduplication })
        {
            var system = RaftNode.System(RaftConfig.ForPlantedBug(bug));
            Row("Raft", bug.ToString(), strategy => system.Tester(new TestOptions { Strategy = strategy, Seed = 1, Iterations = 300_000, MaxSteps = 300, CheckLiveness = false, Faults = raftFaults, Minimize = false }).Run());
        }
        // The stale read breaks no Raft property: the key-value store's clients' history, checked for linearizability
        // at the end of each run, is what finds it (so its runs include that check).
        var store = RaftNode.System(RaftConfig.ForPlantedBug(RaftBug.LeaderReadsLocally)) with { HistoryCheck = RaftSystem.LinearizableClients() };
        Row("Raft store", nameof(RaftBug.LeaderReadsLocally), strategy => store.Tester(new TestOptions { Strategy = strategy, Seed = 1, Iterations = 300_000, MaxSteps = 300, CheckLiveness = false, Faults = raftFaults, Minimize = false }).Run());
    }

    /// <summary>
    /// The failure detectors' planted bugs under synchronous timing, each with the options of its declared check (the
    /// heartbeat's with one crash-stop; SWIM's with a crash-stop and two losses).
    /// </summary>
    private static void FailureDetectorRows()
    {
        var system = new FailureDetectorSystem();
        foreach (var bug in new[] { DetectorBug.TimeoutShorterThanPeriod, DetectorBug.NeverTrustsAgain, DetectorBug.NoIncarnations })
        {
            var check = system.Checks.Single(c => c.Configuration == $"bug:{bug}");
            var protocol = system.Build(check.Configuration);
            Row("FailureDetectors", bug.ToString(), strategy => protocol.Tester(check.Method.Options with { Strategy = strategy, Seed = 1, Iterations = 100_000, Minimize = false }).Run());
        }
    }

    private static void Row(string system, string bug, Func<StrategyKind, CheckResult> run)
    {
        foreach (var strategy in new[] { StrategyKind.Random, StrategyKind.Pct, StrategyKind.Portfolio })
        {
            var samples = Enumerable.Range(0, 3).Select(_ =>
            {
                var watch = Stopwatch.StartNew();
                var report = run(strategy);
                return (report.Bug is not null, report.Coverage.Runs, watch.Elapsed);
            }).OrderBy(s => s.Elapsed).ToList();
            var (found, iterations, elapsed) = samples[1];
            Console.WriteLine(found
                ? $"| {system} | {bug} | {strategy} | {iterations:N0} | {elapsed.TotalMilliseconds:F1} ms | {iterations / elapsed.TotalSeconds:N0} |"
                : $"| {system} | {bug} | {strategy} | not found in {iterations:N0} | ({elapsed.TotalSeconds:F1} s) | {iterations / elapsed.TotalSeconds:N0} |");
        }
    }
}
