using Verification.Specs;

namespace Verification.Controlled.Tests;

public abstract record AccountEvent;
public sealed record AccountCreated(string Name) : AccountEvent;
public sealed record CreateRequested(string Name) : AccountEvent;

/// <summary>Spec events observed from async code feed the state-equation monitor of the spec, per run.</summary>
public sealed class SpecObservationTests
{
    private static readonly string Schedules = Path.Combine(Path.GetTempPath(), "verification-controlled-tests");

    /// <summary>Creations so far, and requests not yet answered by a creation (a liveness monitor: hot while one is owed).</summary>
    private static Spec<AccountEvent> AccountSpec()
    {
        var spec = new SpecBuilder<AccountEvent>("Accounts");
        var created = spec.Variable<int>("Created");
        var owed = spec.Variable<bool>("Owed");
        spec.Define(created, initial: 0, next: e => e is AccountCreated ? created.Now + 1 : created.Now);
        spec.Define(owed, initial: false, next: e => e is CreateRequested || (!(e is AccountCreated) && owed.Now));
        spec.Invariant("CreatedAtMostOnce", () => created.Now <= 1);
        spec.Liveness("RequestAnswered", () => owed.Now);
        return spec.Build();
    }

    /// <summary>An async store with "create if absent" as check-then-act: two callers can both see it absent.</summary>
    private sealed class AccountStore(bool atomic) : IDisposable
    {
        private readonly HashSet<string> names = [];
        private readonly SemaphoreSlim gate = new(1);

        public async Task CreateIfAbsentAsync(string name)
        {
            if (atomic) await ControlledSemaphore.WaitAsync(gate);
            try
            {
                var exists = names.Contains(name);
                await Task.Yield(); // the store's round trip
                if (exists) return;
                names.Add(name);
                ControlledSpec.Observe(new AccountCreated(name));
            }
            finally
            {
                if (atomic) ControlledSemaphore.Release(gate);
            }
        }

        public void Dispose() => gate.Dispose();
    }

    private static Func<Task> TwoCallers(bool atomic) => async () =>
    {
        using var store = new AccountStore(atomic);
        await Task.WhenAll(ControlledTask.Run(() => store.CreateIfAbsentAsync("ann")), ControlledTask.Run(() => store.CreateIfAbsentAsync("ann")));
    };

    [Fact]
    public void ACheckThenActRaceBreaksTheSpecAndReplays()
    {
        var spec = AccountSpec();
        var result = ControlledTest.Run(spec, TwoCallers(atomic: false), new ControlledOptions { Subject = "AccountStore", Iterations = 100, ScheduleDirectory = Schedules });
        var bug = Assert.IsType<ControlledCounterexample>(result.AssertViolated("CreatedAtMostOnce"));
        Assert.Equal(ControlledFailure.SpecViolation, bug.Kind);
        Assert.Contains("observes AccountCreated", string.Join("\n", bug.Trace), StringComparison.Ordinal);
        Assert.Contains("Created", bug.Details, StringComparison.Ordinal);
        var replay = ControlledTest.Replay(spec, TwoCallers(atomic: false), bug.SchedulePath!);
        Assert.Equal(bug.Trace, Assert.IsType<ControlledCounterexample>(replay.AssertViolated("CreatedAtMostOnce")).Trace);
    }

    [Fact]
    public void TheAtomicVersionKeepsTheSpecInEveryInterleaving()
    {
        var result = ControlledTest.Run(AccountSpec(), TwoCallers(atomic: true), new ControlledOptions { Strategy = ControlledStrategy.Dfs, Iterations = 100_000 });
        result.AssertHolds();
        Assert.Contains("depth-first search is complete", string.Join(" ", result.Within), StringComparison.Ordinal);
    }

    [Fact]
    public void ALivenessMonitorHotWhenTheRunEndsIsAViolation()
    {
        var result = ControlledTest.Run(AccountSpec(), () =>
        {
            ControlledSpec.Observe(new CreateRequested("bob")); // asked, never created
            return Task.CompletedTask;
        }, new ControlledOptions { Iterations = 3, ScheduleDirectory = Schedules });
        var bug = Assert.IsType<ControlledCounterexample>(result.AssertViolated("RequestAnswered"));
        Assert.Contains("ended with liveness monitor RequestAnswered", bug.Details, StringComparison.Ordinal);
    }

    [Fact]
    public void AWholeHistoryCheckRunsOnEveryFinishedRun()
    {
        var checkedRuns = 0;
        CheckResult NoDuplicates(IReadOnlyList<AccountEvent> history)
        {
            checkedRuns++;
            var duplicated = history.OfType<AccountCreated>().GroupBy(c => c.Name).Any(g => g.Count() > 1);
            return new CheckResult
            {
                Subject = "history",
                Method = "distinct names",
                Verdict = duplicated ? Verdict.Violated : Verdict.Holds,
                Coverage = new Coverage { Events = history.Count, Runs = 1 },
                Counterexample = duplicated ? new NamedFailure("DistinctNames") : null,
            };
        }
        // A spec with no properties of its own: only the whole-history check can fail.
        var empty = new SpecBuilder<AccountEvent>("Empty").Build();
        var result = ControlledTest.Run(empty, TwoCallers(atomic: false), new ControlledOptions { Iterations = 100, ScheduleDirectory = Schedules }, NoDuplicates);
        result.AssertViolated("DistinctNames");
        Assert.True(checkedRuns >= 2, $"{checkedRuns} runs checked");
        ControlledSpec.Observe(new AccountCreated("outside a run: ignored"));
    }

    private sealed record NamedFailure(string Name) : Counterexample(Name)
    {
        public override string Describe() => $"{Name} failed";
    }
}
