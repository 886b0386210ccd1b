using Verification.AsyncExamples.Accounts;
using Verification.AsyncExamples.BoundedBuffer;
using Verification.Controlled;
using Xunit.Abstractions;

namespace Verification.AsyncExamples.Tests;

/// <summary>
/// The shipped async examples, written in plain C# with no reference to the toolkit, tested through their rewritten
/// assembly: each bug found by the default strategy, minimised and replayed from its file; each fix clean over a large budget.
/// </summary>
public sealed class ExampleTests(ITestOutputHelper output)
{
    private static readonly string Schedules = Path.Combine(Path.GetTempPath(), "verification-async-examples");

    /// <summary>Two customers open the same account at once; exactly one may be told it opened it, and its deposit must stay.</summary>
    internal static Func<Task> OpenTwice(Func<IAccountStore, Func<string, decimal, Task<bool>>> service) => async () =>
    {
        var store = new InMemoryAccountStore();
        var open = service(store);
        var first = Task.Run(() => open("alice", 10m));
        var second = Task.Run(() => open("alice", 20m));
        var opened = await Task.WhenAll(first, second);
        Assert.Equal(1, opened.Count(o => o));
        Assert.Equal(opened[0] ? 10m : 20m, await store.BalanceAsync("alice"));
    };

    [Fact]
    public void TheAccountService_OpensOneAccountTwice_FoundMinimisedAndReplayed()
    {
        var body = OpenTwice(store => new AccountService(store).OpenAsync);
        var result = ControlledTest.Run(body, new ControlledOptions { Subject = "AccountService.OpenAsync", ScheduleDirectory = Schedules });
        output.WriteLine(result.ToString());
        var bug = Assert.IsType<ControlledCounterexample>(result.AssertViolated("EqualException"));
        Assert.Contains("AccountService", string.Join("\n", bug.Trace));
        var replay = ControlledTest.Replay(body, bug.SchedulePath!);
        Assert.Equal(bug.Trace, Assert.IsType<ControlledCounterexample>(replay.AssertViolated("EqualException")).Trace);
    }

    [Fact]
    public void TheSerialisedAccountService_IsCleanOverALargeBudget()
    {
        var result = ControlledTest.Run(OpenTwice(store => new SerialisedAccountService(store).OpenAsync),
            new ControlledOptions { Subject = "SerialisedAccountService.OpenAsync", Iterations = 2_000, ScheduleDirectory = Schedules });
        output.WriteLine(result.ToString());
        result.AssertHolds();
        Assert.Equal(2_000, result.Coverage.Runs);
    }

    /// <summary>Two producers and two consumers, two items each, through a buffer of one.</summary>
    internal static Func<Task> ProducersAndConsumers(Func<(Action<int> Put, Func<int> Take)> buffer) => async () =>
    {
        var (put, take) = buffer();
        var producers = Enumerable.Range(0, 2).Select(p => Task.Run(() =>
        {
            put(2 * p);
            put(2 * p + 1);
        })).ToArray();
        var consumers = Enumerable.Range(0, 2).Select(_ => Task.Run(() => take() + take())).ToArray();
        await Task.WhenAll(producers);
        var taken = await Task.WhenAll(consumers);
        Assert.Equal(0 + 1 + 2 + 3, taken.Sum());
    };

    [Fact]
    public void TheBoundedBufferWithPulse_Deadlocks_AndTheReportNamesWhatEachTaskWaitsOn()
    {
        var body = ProducersAndConsumers(() =>
        {
            var buffer = new BoundedBuffer<int>(1);
            return (buffer.Put, buffer.Take);
        });
        var result = ControlledTest.Run(body, new ControlledOptions { Subject = "BoundedBuffer (Pulse)", Iterations = 2_000, ScheduleDirectory = Schedules });
        output.WriteLine(result.ToString());
        var deadlock = Assert.IsType<ControlledCounterexample>(result.AssertViolated("Deadlock"));
        Assert.Equal(ControlledFailure.Deadlock, deadlock.Kind);
        Assert.Contains("Monitor.Wait", deadlock.Details);
        var replay = ControlledTest.Replay(body, deadlock.SchedulePath!);
        replay.AssertViolated("Deadlock");
    }

    [Fact]
    public void TheBoundedBufferWithPulseAll_IsCleanOverALargeBudget()
    {
        var result = ControlledTest.Run(ProducersAndConsumers(() =>
        {
            var buffer = new PulseAllBoundedBuffer<int>(1);
            return (buffer.Put, buffer.Take);
        }), new ControlledOptions { Subject = "BoundedBuffer (PulseAll)", Iterations = 2_000, ScheduleDirectory = Schedules });
        output.WriteLine(result.ToString());
        result.AssertHolds();
    }
}
