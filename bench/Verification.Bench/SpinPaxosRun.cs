using System.Diagnostics;
using System.Globalization;
using Verification.Checkers.Systematic;
using Verification.SpinPaxos;

namespace Verification.Bench;

/// <summary>
/// The toolkit side of bench/spin/run.sh: explores the SPIN comparison model once and prints what pan prints
/// (states stored, states/s, bytes per state), as one markdown-friendly line that run.sh parses.
/// </summary>
internal static class SpinPaxosRun
{
    private const string Usage = "usage: --spin-paxos <ballots 1..3>[,<proposer 1's ballots>] <loss|noloss> [exact|hc|bitstate] [--bits LOG2] [--workers N] [--minutes N] [--no-contract-check] [--no-replay] [--ignored-first] [--symmetric] [--clear] [--warm N]";

    public static int Run(string[] args)
    {
        // "2,1": proposer 0 has two ballots and proposer 1 one (paxos.pml -DBALLOTS=2 -DBALLOTS1=1).
        var ballotArgs = args.Length > 0 ? args[0].Split(',') : [];
        var second = 0;
        if (args.Length < 2 || ballotArgs.Length is < 1 or > 2 || !int.TryParse(ballotArgs[0], out var ballots) || args[1] is not ("loss" or "noloss")
            || (ballotArgs.Length == 2 && !int.TryParse(ballotArgs[1], out second)))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        int? secondBallots = ballotArgs.Length == 2 ? second : null;
        var store = VisitedStore.Exact;
        var minutes = 10.0;
        var contract = MutationCheck.Sampled;
        var replay = true;
        var ignoredFirst = false;
        var symmetric = false;
        var clear = false;
        var workers = 1;
        var bitsLog2 = 31; // a bitstate sweep's array: 2^31 bits unless --bits says (run.sh passes pan's -w)
        var warmUps = 0; // whole searches run first and not timed: the timed one then runs without JIT and spec compilation
        for (var i = 2; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "exact": store = VisitedStore.Exact; break;
                case "hc": store = VisitedStore.HashCompaction; break;
                case "bitstate": store = VisitedStore.Bitstate; break;
                case "--workers" when i + 1 < args.Length && int.TryParse(args[i + 1], out workers) && workers >= 1: i++; break;
                case "--bits" when i + 1 < args.Length && int.TryParse(args[i + 1], out bitsLog2) && bitsLog2 is >= 10 and <= 36: i++; break;
                case "--no-contract-check": contract = MutationCheck.Off; break;
                case "--no-replay": replay = false; break;
                case "--ignored-first": ignoredFirst = true; break;
                case "--symmetric": symmetric = true; break; // acceptors interchangeable: counts are no longer SPIN's
                case "--clear": clear = true; break; // a proposer clears what it no longer reads (paxos.pml -DCLEAR)
                case "--warm" when i + 1 < args.Length && int.TryParse(args[i + 1], out warmUps) && warmUps >= 0: i++; break;
                case "--minutes" when i + 1 < args.Length && double.TryParse(args[i + 1], CultureInfo.InvariantCulture, out minutes) && minutes > 0: i++; break;
                default:
                    Console.Error.WriteLine($"--spin-paxos: '{args[i]}' is not understood; {Usage}");
                    return 2;
            }
        }
        var config = new SpinPaxosConfig(Rounds: ballots, Loss: args[1] == "loss", AcceptorsSymmetric: symmetric, ClearUnread: clear, SecondProposerRounds: secondBallots);
        try
        {
            config.Validate();
        }
        catch (Verification.Specs.SpecException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        for (var w = 0; w < warmUps; w++)
        {
            CollectGarbage();
            var warm = Stopwatch.StartNew();
            var states = SpinPaxosNode.Explore(config, store, null, contract, replay, ignoredFirst, 1L << bitsLog2, workers).Coverage.States;
            Console.Error.WriteLine($"  toolkit warm-up {w + 1}: {states} states in {warm.Elapsed.TotalSeconds:F3} s");
        }
        if (warmUps > 0) CollectGarbage();
        var allocatedBefore = GC.GetTotalAllocatedBytes(); // the warm-ups' allocations are not the timed search's
        // A time limit, as the SPIN runs get one: the search runs on its own thread, and when the limit passes first the
        // last progress report is printed as a partial rate and the process exits (the explorer has no time limit).
        var watch = Stopwatch.StartNew();
        SearchProgress? last = null;
        CheckResult? result = null;
        var search = new Thread(() => result = SpinPaxosNode.Explore(config, store, progress =>
        {
            Volatile.Write(ref last, progress);
            Console.Error.WriteLine($"  toolkit: {progress}");
        }, contract, replay, ignoredFirst, 1L << bitsLog2, workers), maxStackSize: 64 << 20) { IsBackground = true };
        search.Start();
        if (!search.Join(TimeSpan.FromMinutes(minutes)))
        {
            var partial = Volatile.Read(ref last);
            Console.WriteLine(partial is null
                ? $"toolkit stopped after {minutes} min before its first progress report"
                : $"toolkit partial states={partial.States} seconds={partial.Elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture)} " +
                  $"states_per_s={partial.StatesPerSecond.ToString("F0", CultureInfo.InvariantCulture)} heap_bytes={partial.HeapBytes} store={store} (stopped at the {minutes}-minute limit)");
            return 3;
        }
        var seconds = watch.Elapsed.TotalSeconds;
        if (result is null) return 4;
        Console.WriteLine($"toolkit states={result.Coverage.States} transitions={result.Coverage.Transitions} seconds={seconds.ToString("F2", CultureInfo.InvariantCulture)} " +
                          $"states_per_s={(result.Coverage.States / seconds).ToString("F0", CultureInfo.InvariantCulture)} bytes_per_state={result.Coverage.BytesPerState} " +
                          $"verdict={result.Verdict} store={store}{(warmUps > 0 ? $" warm={warmUps}" : "")}");
        // Where the time goes, coarsely: the garbage collector's share (pauses) and what each transition allocates.
        Console.WriteLine($"  GC: {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} collections (gen 0/1/2), paused {GC.GetTotalPauseDuration().TotalSeconds:F2} s of {seconds:F2} s, " +
                          $"{(GC.GetTotalAllocatedBytes() - allocatedBefore) / (double)Math.Max(1, result.Coverage.Transitions):F0} B allocated per transition, node-contract check {(contract == MutationCheck.Off ? "off" : "on")}, handler results {(replay ? "replayed" : "not replayed")}");
        if (HugePages() is { } huge) Console.WriteLine($"  memory: {huge}");
        Console.WriteLine($"  {result.Method}; within: {string.Join("; ", result.Within)}; {result.Notes}{(result.Reason is null ? "" : "; " + result.Reason)}");
        return 0;
    }

    /// <summary>
    /// On Linux, how much of the process's resident memory is on 2 MiB pages (the visited set's large arrays ask for
    /// them: LargeArrays in the checker), from /proc/self/smaps_rollup; null where that cannot be read.
    /// </summary>
    private static string? HugePages()
    {
        try
        {
            var lines = File.ReadAllLines("/proc/self/smaps_rollup");
            long Kilobytes(string field) => lines.Where(l => l.StartsWith(field + ":", StringComparison.Ordinal))
                .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)).FirstOrDefault();
            return $"{Kilobytes("Rss") / 1024.0:F0} MiB resident, {Kilobytes("AnonHugePages") / 1024.0:F0} MiB of it on 2 MiB pages";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>
    /// Frees what earlier searches left (their visited sets are tens of megabytes of large arrays), so a full
    /// collection of it does not fall inside the next timed search, which pan, a fresh process per run, never pays.
    /// </summary>
    private static void CollectGarbage()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
    }
}
