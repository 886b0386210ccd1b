using System.Diagnostics;
using BenchmarkDotNet.Running;
using Verification.Checkers;
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
    /// dotnet run -c Release --project bench/Verification.Bench -- --search-table   (each shipped exhaustive check with each reduction off and on, once)
    /// dotnet run -c Release --project bench/Verification.Bench -- --first-bug-table   (runs to the first bug, per planted bug and strategy)
    /// dotnet run -c Release --project bench/Verification.Bench -- --first-bug-table ChainReplication PrimaryBackup   (only the rows of systems whose name starts so)
    /// dotnet run -c Release --project bench/Verification.Bench -- --spin-paxos 1 loss hc   (the SPIN comparison model: ballots, loss|noloss, exact|hc)
    /// dotnet run -c Release --project bench/Verification.Bench -- --raft-real 100000000 2 3 2 2   (Raft with heartbeats, retries, one amnesia crash: state limit, workers, and optionally in-flight bound, highest term, log capacity, then --every-order and/or --no-symmetry / --symmetric, and --servers=N for 3..5 servers)
    /// dotnet run -c Release --project bench/Verification.Bench -- --rewriting-process-table   (the IL rewriter as MSBuild runs it: a process per assembly, rewrite and cache hit)
    /// dotnet run -c Release --project bench/Verification.Bench -- --symmetry-table 3   (each symmetric exhaustive search with and without its symmetry declared, median of 3)
    /// dotnet run -c Release --project bench/Verification.Bench -- --controlled-table   (the controlled task runtime: runs/s, scheduling points/s, overhead against the body run uncontrolled)
    /// </summary>
    public static void Main(string[] args)
    {
        if (args is ["--search-table"])
        {
            SearchTable();
            return;
        }
        if (args is ["--raft-real", var limitText, var workersText, .. var rest] && long.TryParse(limitText, out var stateLimit) && int.TryParse(workersText, out var workers)
            && rest.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray() is var bounds && bounds.Length <= 3 && bounds.All(b => int.TryParse(b, out var n) && n > 0)
            && rest.Where(a => a.StartsWith("--", StringComparison.Ordinal)).All(flag => flag is "--every-order" or "--symmetric" or "--no-symmetry" || ServersFlag(flag) is not null))
        {
            // Optional: messages in flight (4), highest term (2), log capacity (2); --every-order: stale replies not delivered
            // first; --symmetric: servers declared interchangeable (retries to every server); --no-symmetry: the same
            // configuration (retries to every server) searched without the declaration, the baseline symmetry is measured against.
            int Bound(int i, int otherwise) => bounds.Length > i ? int.Parse(bounds[i]) : otherwise;
            var retriesToEveryServer = rest.Contains("--symmetric") || rest.Contains("--no-symmetry");
            RaftWithItsRealBehaviour(stateLimit, workers, Bound(0, 4), Bound(1, 2), Bound(2, 2), staleFirst: !rest.Contains("--every-order"),
                retriesToEveryServer, symmetric: rest.Contains("--symmetric"), servers: rest.Select(ServersFlag).FirstOrDefault(n => n is not null) ?? 3);
            return;
        }
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
        if (args is ["--symmetry-table", .. var repeatText] && repeatText.Length <= 1 && (repeatText.Length == 0 || int.TryParse(repeatText[0], out _)))
        {
            SymmetryTable(repeatText.Length == 0 ? 3 : int.Parse(repeatText[0]));
            return;
        }
        if (args is ["--rewriting-process-table"])
        {
            RewritingInputs.ProcessTable();
            return;
        }
        if (args is ["--parallel-table"])
        {
            ParallelTable();
            return;
        }
        if (args is ["--controlled-table"])
        {
            ControlledRuntimeBenchmarks.Table();
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }

    /// <summary>
    /// The exhaustive Paxos 2x3 and Raft searches on 1 and 2 workers, alternating (so a change in the machine's load
    /// hits both alike), after one warm-up run each; median of 3, with the load average before and after, and the
    /// process's CPU time per run (on a loaded machine two workers cannot get two cores, so the wall-clock speed-up
    /// says little; CPU time equal at 1 and 2 workers means the parallel search adds little work of its own). A table
    /// instead of BenchmarkDotNet (ParallelExhaustiveBenchmarks) because on a loaded machine its generated project
    /// misses the build timeout.
    /// </summary>
    private static void ParallelTable()
    {
        var searches = new (string Name, long States, Func<int, CheckResult> Explore)[]
        {
            ("Paxos 2x3, one ballot each", 671_225, workers => PaxosNode.System(new PaxosConfig(MaxRounds: 1, Learners: 1)).Tester(new TestOptions { CheckLiveness = false, Parallelism = workers, DeliverIgnoredFirst = false }).Explore(maxDepth: 100)),
            ("Raft, 3 servers, 2 requests, terms ≤ 2, ≤ 4 in flight", 1_489_814, workers => RaftNode.System(RaftConfig.ForExhaustiveSearch()).Tester(new TestOptions { CheckLiveness = false, Parallelism = workers, DeliverIgnoredFirst = false }).Explore(maxDepth: 200, maxInFlight: RaftConfig.ExhaustiveSearchInFlight)),
        };
        Console.WriteLine($"load average before: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine("| search | workers | median time | states/s | speed-up | median CPU time | times (s) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---|");
        foreach (var (name, states, explore) in searches)
        {
            var times = new Dictionary<int, List<double>> { [1] = [], [2] = [] };
            var cpu = new Dictionary<int, List<double>> { [1] = [], [2] = [] };
            foreach (var workers in new[] { 1, 2 }) Measure(workers); // warm-up
            foreach (var list in times.Values.Concat(cpu.Values)) list.Clear();
            for (var round = 0; round < 3; round++)
                foreach (var workers in new[] { 1, 2 }) Measure(workers);
            var one = Median(times[1]);
            foreach (var (workers, list) in times)
                Console.WriteLine($"| {name} | {workers} | {Median(list):F2} s | {states / Median(list):N0} | {one / Median(list):F2}× | {Median(cpu[workers]):F2} s | {string.Join(", ", list.Select(t => t.ToString("F2")))} |");

            void Measure(int workers)
            {
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                var report = explore(workers);
                watch.Stop();
                cpu[workers].Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds);
                if (!report.Holds || report.Coverage.States != states) throw new InvalidOperationException(report.ToString());
                times[workers].Add(watch.Elapsed.TotalSeconds);
            }
        }
        Console.WriteLine($"load average after: {File.ReadAllText("/proc/loadavg").Trim()}");

        static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
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

    /// <summary>
    /// Every shipped exhaustive check of Paxos, Raft and chain replication, with partial-order reduction off and on and
    /// with each visited-state store: states, transitions, time, states/s and bytes of visited set per state, one run
    /// each (after one warm-up run of the smallest), on one core.
    /// </summary>
    private static void SearchTable()
    {
        Console.WriteLine("| check | reduction | store | states | transitions | time | states/s | B/state (visited set) |");
        Console.WriteLine("|---|---|---|---:|---:|---:|---:|---:|");
        var systems = SystemRegistry.In(typeof(RaftSystem).Assembly).Where(s => s.Name is "Paxos" or "Raft" or "ChainReplication").ToList();
        foreach (var system in systems)
            foreach (var check in system.Checks.Where(c => c.Method is ExhaustiveSearch))
                foreach (var store in new[] { VisitedStore.Exact, VisitedStore.HashCompaction })
                    foreach (var reduction in new[] { "none", "sleep sets", "stale messages first" })
                    {
                        var search = (ExhaustiveSearch)check.Method with { PartialOrder = reduction == "sleep sets", Store = store };
                        var watch = Stopwatch.StartNew();
                        var result = system.Run(check with { Method = search }, options => options with { DeliverIgnoredFirst = reduction == "stale messages first" });
                        var elapsed = watch.Elapsed;
                        var applied = reduction == "none" || result.Within.Any(line => line.StartsWith("partial-order reduction:", StringComparison.Ordinal)) ? reduction : $"{reduction} (off: not declared or not applicable)";
                        Console.WriteLine($"| {check.Name} | {applied} | {store} | {result.Coverage.States:N0} | {result.Coverage.Transitions:N0} | {elapsed.TotalSeconds:F2} s | {result.Coverage.States / elapsed.TotalSeconds:N0} | {result.Coverage.BytesPerState} |");
                    }
    }

    /// <summary>
    /// Each symmetric exhaustive search with its symmetry declaration and without it (the same system otherwise), one
    /// core, exact store: states, transitions, median time of <paramref name="repeat"/> runs, states/s and bytes of
    /// visited set per state, with the load average before each row (another benchmark may be running).
    /// </summary>
    private static void SymmetryTable(int repeat)
    {
        // Symmetry alone: stale messages are not delivered first here (the "Stale messages first" table measures that).
        var plain = new TestOptions { CheckLiveness = false, DeliverIgnoredFirst = false };
        var crash = plain with { Faults = new FaultModel { MaxCrashes = 1, MaxDownAtOnce = 1, CrashKinds = [CrashKind.Amnesia] } };
        var paxos = PaxosNode.System(new PaxosConfig(MaxRounds: 1, Learners: 1) { AcceptorsSymmetric = true });
        var raft = RaftNode.System(RaftConfig.ForExhaustiveSearchWithRealBehaviourSymmetric());
        var searches = new (string Name, string Symmetry, Func<CheckResult> Explore)[]
        {
            ("Paxos 2x3, one ballot each", "none", () => (paxos with { Symmetry = null }).Tester(plain).Explore(maxDepth: 100)),
            ("Paxos 2x3, one ballot each", "acceptors", () => paxos.Tester(plain).Explore(maxDepth: 100)),
            ("Raft real behaviour, retries to every server, 1 amnesia crash, ≤ 4 in flight", "none", () => (raft with { Symmetry = null }).Tester(crash).Explore(maxDepth: 10_000, maxInFlight: RaftConfig.ExhaustiveSearchSymmetricInFlight)),
            ("Raft real behaviour, retries to every server, 1 amnesia crash, ≤ 4 in flight", "servers", () => raft.Tester(crash).Explore(maxDepth: 10_000, maxInFlight: RaftConfig.ExhaustiveSearchSymmetricInFlight)),
        };
        searches[1].Explore(); // warm-up (JIT)
        Console.WriteLine("| search | symmetry | states | transitions | median time | states/s | transitions/s | B/state (visited set) | renamings per key | load average before |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var (name, symmetry, explore) in searches)
        {
            var load = File.ReadAllText("/proc/loadavg").Trim();
            var runs = Enumerable.Range(0, repeat).Select(_ =>
            {
                var watch = Stopwatch.StartNew();
                var result = explore();
                if (!result.Holds || result.Bug is not null) throw new InvalidOperationException(result.ToString());
                return (result, watch.Elapsed);
            }).OrderBy(run => run.Elapsed).ToList();
            var (median, elapsed) = runs[runs.Count / 2];
            Console.WriteLine($"| {name} | {symmetry} | {median.Coverage.States:N0} | {median.Coverage.Transitions:N0} | {elapsed.TotalSeconds:F2} s | {median.Coverage.States / elapsed.TotalSeconds:N0} | {median.Coverage.Transitions / elapsed.TotalSeconds:N0} | {median.Coverage.BytesPerState} | {RenamingsPerKey(median)} | {load} |");
        }

        // As the result states it ("canonical keys: 1.15 renamings tried per key"); "—" without symmetry.
        static string RenamingsPerKey(CheckResult result) =>
            result.Within.SelectMany(line => line.Split("; ")).FirstOrDefault(part => part.StartsWith("canonical keys: ", StringComparison.Ordinal)) is { } part
                ? part["canonical keys: ".Length..].Split(' ')[0] : "—";
    }

    /// <summary>
    /// Raft with heartbeats, client retries and one crash-recovery with amnesia of unpersisted state (3 servers unless --servers=N, one
    /// request, terms ≤ 2, logs ≤ 2, ≤ 4 messages in flight), hash-compacted, up to a state limit, progress on stderr.
    /// </summary>
    private static void RaftWithItsRealBehaviour(long stateLimit, int workers, int maxInFlight, int maxTerm, int logCapacity, bool staleFirst, bool retriesToEveryServer, bool symmetric, int servers)
    {
        var config = new RaftConfig(Servers: servers, Clients: 1, MaxTerm: maxTerm, LogCapacity: logCapacity) { ElectionTimeoutTicks = 1, ElectionTimeoutSpread = 1, Heartbeats = true, ClientRetries = true, ServersSymmetric = retriesToEveryServer };
        var options = new TestOptions
        {
            CheckLiveness = false, Parallelism = workers, Progress = p => Console.Error.WriteLine($"  {p}"), ProgressInterval = TimeSpan.FromSeconds(20),
            Faults = new FaultModel { MaxCrashes = 1, MaxDownAtOnce = 1, CrashKinds = [CrashKind.Amnesia] }, DeliverIgnoredFirst = staleFirst,
        };
        var system = RaftNode.System(config);
        if (retriesToEveryServer && !symmetric) system = system with { Symmetry = null };
        var report = system.Tester(options).Explore(maxDepth: 10_000, maxStates: stateLimit, maxInFlight: maxInFlight, store: VisitedStore.HashCompaction);
        Console.WriteLine(report);
    }

    /// <summary>The server count of <c>--servers=N</c> (3 to 5), or null for any other flag.</summary>
    private static int? ServersFlag(string flag) =>
        flag.StartsWith("--servers=", StringComparison.Ordinal) && int.TryParse(flag["--servers=".Length..], out var n) && n is >= 3 and <= 5 ? n : null;

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
