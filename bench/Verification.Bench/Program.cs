using System.Diagnostics;
using BenchmarkDotNet.Running;
using Verification.Checkers.Systematic;
using Verification.Protocols.ChainReplication;
using Verification.Protocols.FailureDetectors;
using Verification.Protocols.Paxos;
using Verification.Protocols.PrimaryBackup;
using Verification.Protocols.Raft;
using Verification.Runtime;

namespace Verification.Bench;

public static class Program
{
    /// <summary>
    /// dotnet run -c Release --project bench/Verification.Bench -- --filter '*'
    /// dotnet run -c Release --project bench/Verification.Bench -- --first-bug-table   (runs to the first bug, per planted bug and strategy)
    /// dotnet run -c Release --project bench/Verification.Bench -- --first-bug-table ChainReplication PrimaryBackup   (only the rows of systems whose name starts so)
    /// dotnet run -c Release --project bench/Verification.Bench -- --spin-paxos 1 loss hc   (the SPIN comparison model: ballots, loss|noloss, exact|hc)
    /// </summary>
    public static void Main(string[] args)
    {
        if (args is ["--spin-paxos", .. var spinArgs])
        {
            Environment.Exit(SpinPaxosRun.Run(spinArgs));
            return;
        }
        if (args is ["--first-bug-table", .. var only])
        {
            var unknown = only.FirstOrDefault(name => !Systems.Any(system => system.StartsWith(name, StringComparison.OrdinalIgnoreCase)));
            if (unknown is not null)
            {
                Console.Error.WriteLine($"--first-bug-table: no rows for '{unknown}' (known: {string.Join(", ", Systems)}; none for all)");
                Environment.Exit(2);
            }
            onlySystems = only;
            FirstBugTable();
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }

    /// <summary>
    /// Runs until the first bug and runs per second, one line per planted bug and strategy (seed 1, one core,
    /// minimisation off; the spec is built once beforehand, so its compilation is not counted). Median of 3.
    /// </summary>
    private static void FirstBugTable()
    {
        Console.WriteLine("| system | planted bug | strategy | runs to first bug | time to first bug | runs/s |");
        Console.WriteLine("|---|---|---|---:|---:|---:|");
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
        // Chain replication under its own fault model (one server halts, a perfect detector tells the master), liveness judged after a fair suffix.
        foreach (var (bug, _, _) in ChainSystem.PlantedBugs)
        {
            var config = new ChainConfig(Bug: bug);
            var system = ChainNode.System(config);
            Row("ChainReplication", bug.ToString(), strategy => system.Tester(ChainSystem.Options(config, 100_000) with { Strategy = strategy, Seed = 1, Minimize = false }).Run());
        }
        // The message-logging pair's and the classic pair's planted bugs, under their own fault models and the options of their checks.
        foreach (var bug in new[] { MessageLoggingBug.ResendsSentOutputs, MessageLoggingBug.SyncDropsSentCount, MessageLoggingBug.RepliesBeforeBackupLogs })
        {
            var config = new MessageLoggingConfig(Bug: bug);
            var system = MessageLoggingSystem.System(config);
            Row("MessageLogging", bug.ToString(), strategy => system.Tester(MessageLoggingSystem.Options(config, 100_000) with { Strategy = strategy, Seed = 1, Minimize = false }).Run());
        }
        var classic = ClassicPrimaryBackupSystem.System(new ClassicPrimaryBackupConfig(ReplyBeforeAck: true));
        Row("PrimaryBackup", "ReplyBeforeAck", strategy => classic.Tester(ClassicPrimaryBackupSystem.Options(100_000) with { Strategy = strategy, Seed = 1, Minimize = false }).Run());
        // The failure detectors' planted bugs, each with the options of its declared check (synchronous timing; the
        // heartbeat's with one crash-stop, SWIM's with a crash-stop and two losses).
        var detectors = new FailureDetectorSystem();
        foreach (var bug in new[] { DetectorBug.TimeoutShorterThanPeriod, DetectorBug.NeverTrustsAgain, DetectorBug.NoIncarnations })
        {
            var check = detectors.Checks.Single(c => c.Configuration == $"bug:{bug}");
            var protocol = detectors.Build(check.Configuration);
            Row("FailureDetectors", bug.ToString(), strategy => protocol.Tester(check.Method.Options with { Strategy = strategy, Seed = 1, Iterations = 100_000, Minimize = false }).Run());
        }
    }

    private static readonly string[] Systems = ["Paxos", "Raft", "Raft store", "ChainReplication", "MessageLogging", "PrimaryBackup", "FailureDetectors"];

    private static IReadOnlyList<string> onlySystems = [];

    private static void Row(string system, string bug, Func<StrategyKind, CheckResult> run)
    {
        if (onlySystems.Count > 0 && !onlySystems.Any(only => system.StartsWith(only, StringComparison.OrdinalIgnoreCase))) return;
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
