using Verification.AsyncExamples.AsyncRaft;
using Xunit.Abstractions;

namespace Verification.AsyncExamples.Tests.AsyncRaft;

/// <summary>
/// The async Raft example (plain C#, real threads and timers here) checked against RaftSpec and the replicated log
/// through <see cref="RaftSpecObserver"/>. These runs are uncontrolled: they show the correct replica commits every
/// command and its history satisfies the specs, not that no interleaving breaks it. The planted bug
/// (<see cref="AsyncRaftOptions.UnserialisedApply"/>) needs one continuation to wait through a message round trip,
/// which the thread pool cannot be relied on to do, so no test here expects it to show; the controlled runtime's
/// test is the one that finds it.
/// </summary>
public class AsyncRaftTests(ITestOutputHelper output)
{
    private const int Servers = 3;
    private const int Commands = 3;

    // Generous bounds: under load, timers fire late and a run may hold extra elections (each adds a term and a no-op).
    private const int LogLength = 48;
    private const int Terms = 48;

    [Theory]
    [InlineData(1, "default")]
    [InlineData(2, "default")]
    [InlineData(3, "lossy")]
    [InlineData(4, "frequent elections")]
    [InlineData(5, "frequent elections")]
    public async Task TheCorrectReplica_CommitsEveryCommand_AndItsHistorySatisfiesRaftAndTheReplicatedLog(int seed, string network)
    {
        var observer = new RaftSpecObserver(Servers, Commands, LogLength, Terms);
        var options = network switch
        {
            "lossy" => new AsyncRaftOptions { DropProbability = 0.2 },
            // Election timeouts barely above the heartbeat, slow and lossy links: leaders change, step down, and
            // now and then a follower's uncommitted suffix is truncated.
            "frequent elections" => new AsyncRaftOptions
            {
                ElectionTimeout = TimeSpan.FromMilliseconds(20), HeartbeatInterval = TimeSpan.FromMilliseconds(15),
                MaxMessageDelay = TimeSpan.FromMilliseconds(12), DropProbability = 0.3, ClientRetryInterval = TimeSpan.FromMilliseconds(40),
            },
            _ => new AsyncRaftOptions(),
        } with { Deadline = TimeSpan.FromSeconds(60) };
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(120)); // only against a hang; no assertion on time

        var run = await AsyncRaftCluster.RunAsync(Servers, Commands, options, observer, new Random(seed), guard.Token);

        output.WriteLine($"answered {run.Answered}/{Commands}; {observer.Events} events, {observer.Commits} commits, {observer.Applies} applies; " +
            $"executed: {string.Join(" | ", run.ExecutedCommands.Select(e => string.Join(",", e)))}");
        Assert.Null(observer.Error);
        Assert.True(observer.Violation is null, observer.Violation?.ToString());
        Assert.True(run.AllAnswered, $"only {run.Answered} of {Commands} commands were answered before the deadline");
        // The monitor saw the work, not an empty history: every command committed, at least once each.
        Assert.Equal(Enumerable.Range(0, Commands), observer.CommittedCommands.Order());
        Assert.True(observer.Commits >= Commands, $"{observer.Commits} commits observed");
        Assert.True(observer.Applies >= Commands, $"{observer.Applies} applies observed");
        // What the specs owe once every client is answered is paid (the servers' applies may still lag at shutdown).
        // (RaftSpec's, and ReplicatedLogSpec's on the mapped events, named "ReplicatedLog.…").
        var owed = observer.HotLiveness.Where(p => p.EndsWith("EverySubmittedCommandCommitted", StringComparison.Ordinal)
            || p.EndsWith("EveryRequestCompletes", StringComparison.Ordinal)).ToList();
        Assert.Empty(owed);
        // The replicas' state machines agree: each ran a prefix of the longest, which ran every command once.
        var longest = run.ExecutedCommands.MaxBy(e => e.Count)!;
        Assert.Equal(Enumerable.Range(0, Commands), longest.Order());
        foreach (var executed in run.ExecutedCommands) Assert.Equal(longest.Take(executed.Count), executed);
    }

    [Fact]
    public async Task ASingleServer_CommitsOnItsOwn()
    {
        var observer = new RaftSpecObserver(servers: 1, commands: 2, LogLength, Terms);
        var options = new AsyncRaftOptions { DropProbability = 0, Deadline = TimeSpan.FromSeconds(60) };
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(120));

        var run = await AsyncRaftCluster.RunAsync(servers: 1, commands: 2, options, observer, new Random(7), guard.Token);

        Assert.True(observer.Violation is null, observer.Violation?.ToString());
        Assert.True(run.AllAnswered);
        Assert.Equal([0, 1], run.ExecutedCommands[0].Order());
    }

    /// <summary>
    /// Hand-made histories the observer is given as a replica would report them: the RaftSpec property each breaks, and
    /// the ReplicatedLogSpec property that fails with it on the mapped events ("" when elections are all it is about).
    /// </summary>
    public static TheoryData<string, string, string> BadHistories => new()
    {
        // What the planted bug produces: two appliers both apply index 1.
        { "applies index 1 twice", "AppliedInOrder", "ReplicatedLog.AppliedInOrder" },
        { "two leaders in term 1", "ElectionSafety", "" },
        { "commits two commands at index 1", "StateMachineSafety", "ReplicatedLog.SlotAgreement" },
        { "a leader without the committed entry", "LeaderCompleteness", "" },
    };

    [Theory]
    [MemberData(nameof(BadHistories))]
    public void TheAdapter_RejectsABadHistory_NamingTheProperty(string history, string property, string replicatedLogProperty)
    {
        var observer = new RaftSpecObserver(Servers, Commands, LogLength, Terms);
        // Common prefix: s0 leads term 1, replicates its no-op to s1 and commits it; the client submits command 0.
        observer.BecameLeader(0, 1);
        observer.EntryStored(0, 1, 1, RaftReplica.NoOp);
        observer.EntryStored(1, 1, 1, RaftReplica.NoOp);
        observer.EntryCommitted(0, 1, 1, RaftReplica.NoOp, 1);
        observer.CommandSubmitted(0, 0);
        Assert.Null(observer.Violation);
        switch (history)
        {
            case "applies index 1 twice":
                observer.EntryApplied(0, 1, RaftReplica.NoOp, false);
                observer.EntryApplied(0, 1, RaftReplica.NoOp, false);
                break;
            case "two leaders in term 1":
                observer.BecameLeader(2, 1);
                break;
            case "commits two commands at index 1":
                observer.EntryStored(2, 1, 2, 0);
                observer.EntryCommitted(2, 1, 2, 0, 2);
                break;
            default:
                observer.SteppedDown(0, 2);
                observer.BecameLeader(2, 2);
                break;
        }
        var violation = observer.Violation;
        Assert.NotNull(violation);
        output.WriteLine(violation.ToString());
        Assert.Equal(property, violation.Instance);
        Assert.Equal(replicatedLogProperty, violation.AlsoFailing.FirstOrDefault(p => p.StartsWith("ReplicatedLog.", StringComparison.Ordinal)) ?? "");
    }
}
