using Verification.AsyncExamples.Accounts;
using Verification.AsyncExamples.AsyncRaft;
using Verification.AsyncExamples.BoundedBuffer;
using Verification.AsyncExamples.LockFreeStack;
using Verification.Checkers.Linearizability;
using Verification.Controlled;
using Verification.Protocols.Raft;
using Verification.Specs;

namespace Verification.AsyncExamples.Checks;

/// <summary>
/// How each shipped async example is checked under the controlled runtime: the test body, and the run. The bodies
/// call the interceptors (ControlledTask.Run, WhenAll) themselves; the examples' code reaches the runtime because its
/// assembly is rewritten in the caller's output directory (the test project and the CLI import
/// Verification.Controlled.targets). Without that rewriting, each check reports uncontrolled concurrency, never a verdict.
/// </summary>
public static class AsyncExampleChecks
{
    /// <summary>Two customers open the same account at once: exactly one may be told it opened it, and its deposit must stay.</summary>
    public static Func<Task> OpenTwice(bool serialised) => async () =>
    {
        var store = new InMemoryAccountStore();
        Func<string, decimal, Task<bool>> open = serialised ? new SerialisedAccountService(store).OpenAsync : new AccountService(store).OpenAsync;
        var first = ControlledTask.Run(() => open("alice", 10m));
        var second = ControlledTask.Run(() => open("alice", 20m));
        await ControlledTask.WhenAll(first, second);
        var opened = new[] { first.Result, second.Result };
        if (opened.Count(o => o) != 1) throw new InvalidOperationException($"{opened.Count(o => o)} openings of one account both reported success");
        var balance = await store.BalanceAsync("alice");
        if (balance != (opened[0] ? 10m : 20m)) throw new InvalidOperationException($"the opening that succeeded deposited {(opened[0] ? 10m : 20m)}, but the balance is {balance}");
    };

    /// <summary>The account example: the check-then-act race (or, serialised, none).</summary>
    public static CheckResult Accounts(bool serialised, long runs, string? scheduleDirectory = null) =>
        ControlledTest.Run(OpenTwice(serialised), new ControlledOptions { Subject = serialised ? "SerialisedAccountService.OpenAsync" : "AccountService.OpenAsync", Iterations = runs, ScheduleDirectory = scheduleDirectory });

    /// <summary>Two producers and two consumers, two items each, through a buffer of one.</summary>
    public static Func<Task> ProducersAndConsumers(bool pulseAll) => async () =>
    {
        (Action<int> Put, Func<int> Take) buffer;
        if (pulseAll)
        {
            var b = new PulseAllBoundedBuffer<int>(1);
            buffer = (b.Put, b.Take);
        }
        else
        {
            var b = new BoundedBuffer<int>(1);
            buffer = (b.Put, b.Take);
        }
        var producers = Enumerable.Range(0, 2).Select(p => ControlledTask.Run(() =>
        {
            buffer.Put(2 * p);
            buffer.Put(2 * p + 1);
        })).ToArray();
        var consumers = Enumerable.Range(0, 2).Select(_ => ControlledTask.Run(() => buffer.Take() + buffer.Take())).ToArray();
        await ControlledTask.WhenAll([.. producers, .. consumers]);
        var taken = consumers.Sum(c => c.Result);
        if (taken != 0 + 1 + 2 + 3) throw new InvalidOperationException($"the consumers took items summing to {taken}, not 6");
    };

    /// <summary>The bounded buffer example: the Pulse deadlock (or, with PulseAll, none).</summary>
    public static CheckResult BoundedBuffer(bool pulseAll, long runs, string? scheduleDirectory = null) =>
        ControlledTest.Run(ProducersAndConsumers(pulseAll), new ControlledOptions { Subject = pulseAll ? "BoundedBuffer (PulseAll)" : "BoundedBuffer (Pulse)", Iterations = runs, ScheduleDirectory = scheduleDirectory });

    private static StackCall NextCall(Random random) => random.Next(2) == 0 ? new StackCall(true, 1 + random.Next(9)) : new StackCall(false, 0);

    private delegate bool TryPop(out int value);

    private static int? Apply(Action<int> push, TryPop pop, StackCall call)
    {
        if (call.Push)
        {
            push(call.Value);
            return null;
        }
        return pop(out var value) ? value : null;
    }

    private static LinearizabilityTestOptions StackOptions(long runsPerScenario, string? scheduleDirectory) =>
        new() { Threads = 2, OperationsPerThread = 3, Scenarios = 20, Runs = new ControlledOptions { Iterations = runsPerScenario, ScheduleDirectory = scheduleDirectory } };

    /// <summary>The stack example, Lincheck-style: 20 scenarios of 2 threads × 3 operations, each under <paramref name="runsPerScenario"/> interleavings.</summary>
    public static CheckResult Stack(bool treiber, long runsPerScenario, string? scheduleDirectory = null) => treiber
        ? LinearizabilityTest.Check(() => new TreiberStack<int>(), NextCall, (stack, call) => Apply(stack.Push, stack.TryPop, call), new StackModel(), StackOptions(runsPerScenario, scheduleDirectory))
        : LinearizabilityTest.Check(() => new LockFreeStack<int>(), NextCall, (stack, call) => Apply(stack.Push, stack.TryPop, call), new StackModel(), StackOptions(runsPerScenario, scheduleDirectory));

    /// <summary>Replays a failing run of the stack that loses pushes from its schedule file.</summary>
    public static CheckResult ReplayLosingStack(string schedulePath) =>
        LinearizabilityTest.Replay(() => new LockFreeStack<int>(), NextCall, (stack, call) => Apply(stack.Push, stack.TryPop, call), new StackModel(), schedulePath, StackOptions(1, null));

    public const int RaftServers = 3;
    public const int RaftCommands = 1;

    /// <summary>RaftSpec and ReplicatedLogSpec together (the refinement), for 3 servers, 1 command, logs ≤ 16, terms ≤ 48.</summary>
    public static Spec<RaftEvent> RaftSpec => RaftSpecValue.Value;

    private static readonly Lazy<Spec<RaftEvent>> RaftSpecValue = new(() => RaftRefinement.RefinesReplicatedLog(RaftServers, 16, 48, RaftCommands));

    /// <summary>
    /// Three replicas and one client; the network adds no randomness of its own, so the scheduler's choices are the
    /// only source. No deadline (an infinite delay never fires): the cluster stops once the client is answered.
    /// <paramref name="answered"/> collects, per run, whether the client was answered.
    /// </summary>
    public static Func<Task> RaftCluster(bool unserialisedApply, List<bool>? answered = null) => async () =>
    {
        var options = new AsyncRaftOptions { MaxMessageDelay = TimeSpan.Zero, DropProbability = 0, Deadline = Timeout.InfiniteTimeSpan, UnserialisedApply = unserialisedApply };
        var run = await AsyncRaftCluster.RunAsync(RaftServers, RaftCommands, options, new ControlledRaftObserver(), new Random(7), CancellationToken.None);
        answered?.Add(run.AllAnswered);
    };

    /// <summary>
    /// The async Raft example against RaftSpec and ReplicatedLogSpec. Only safety is judged (a replica need not have
    /// applied everything when the cluster stops). The planted bug is searched with adversarial timers; the fixed
    /// replica with partially synchronous ones (timers fire only when nothing else can run), so that every run also
    /// gets its command committed — with timers free to fire at any point, elections can restart for ever.
    /// </summary>
    public static CheckResult Raft(bool unserialisedApply, long runs, string? scheduleDirectory = null, List<bool>? answered = null) =>
        ControlledTest.Run(RaftSpec, RaftCluster(unserialisedApply, answered), RaftOptions(unserialisedApply, runs, scheduleDirectory));

    /// <summary>The options <see cref="Raft"/> runs with (a replay needs the same).</summary>
    public static ControlledOptions RaftOptions(bool unserialisedApply, long runs, string? scheduleDirectory = null) => new()
    {
        Subject = unserialisedApply ? "async Raft, unserialised apply" : "async Raft",
        Iterations = runs,
        MaxSteps = 20_000,
        CheckLiveness = false,
        TimersOnlyWhenIdle = !unserialisedApply,
        ScheduleDirectory = scheduleDirectory,
    };
}
