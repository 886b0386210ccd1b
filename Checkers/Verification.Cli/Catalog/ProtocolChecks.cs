using Verification.Checkers;
using Verification.Runtime;
using Verification.Checkers.Systematic;
using Verification.Protocols;
using Verification.Specs.Examples;

namespace Verification.Cli.Catalog;

/// <summary>The example protocols under the systematic tester: correct versions must hold, planted bugs must be found and replay.</summary>
internal static class ProtocolChecks
{
    private static TestOptions LockOptions(int seed) => new()
    {
        Seed = seed,
        Iterations = 1000,
        MaxSteps = 600,
        FairAfterSteps = 40,
        LivenessThreshold = 400,
        Faults = new FaultModel { MaxLosses = 2, MaxDuplicates = 1 },
        Parallelism = Environment.ProcessorCount,
    };

    public static IEnumerable<CheckDefinition> All(int seed)
    {
        yield return new CheckDefinition("PingStopAndWait: every schedule, with reordering and 2 duplications (DFS)", CheckKind.Protocol, Verdict.Holds,
            "exhaustive depth-first search with a visited-state set", () =>
            {
                var report = new SystematicTester<object, PingMessage, DeliveryEvent>(PingNode.System(false), new TestOptions { Faults = new FaultModel { MaxDuplicates = 2 } }).Explore(100);
                return new CheckOutcome(report.Bug is not null ? Verdict.Violated : report.Complete ? Verdict.Holds : Verdict.Unknown, report.ToString(), report.Coverage);
            });
        yield return PlantedBug("PingPipelined: the ordering bug (InOrder)", "InOrder", FailureKind.Safety,
            () => new SystematicTester<object, PingMessage, DeliveryEvent>(PingNode.System(true), new TestOptions { Seed = seed, Iterations = 1000, MaxSteps = 50 }).AssertFindsAndReplays("InOrder", FailureKind.Safety));
        yield return new CheckDefinition("LockWithRetransmit: loss, duplication and reordering (portfolio)", CheckKind.Protocol, Verdict.Holds,
            "1000 runs of the default portfolio, liveness judged after a fair suffix", () =>
            {
                var report = new SystematicTester<object, LockMessage, LockEvent>(LockNode.System(true), LockOptions(seed)).Run();
                return new CheckOutcome(report.Bug is null ? Verdict.Holds : Verdict.Violated, report.ToString(), report.Coverage);
            });
        yield return PlantedBug("LockLostRelease: a lost Release starves the other client (EveryClientAcquires)", "EveryClientAcquires", FailureKind.Liveness,
            () => new SystematicTester<object, LockMessage, LockEvent>(LockNode.System(false), LockOptions(seed) with { Faults = new FaultModel { MaxLosses = 1 } }).AssertFindsAndReplays("EveryClientAcquires", FailureKind.Liveness));
    }

    /// <summary>A planted bug "holds" only if the tester misses it; found and replayed, its verdict is "violated".</summary>
    internal static CheckDefinition PlantedBug(string name, string property, FailureKind kind, Func<Counterexample> find) =>
        new(name, CheckKind.PlantedBug, Verdict.Violated, $"the default portfolio must find a {kind.ToString().ToLowerInvariant()} violation of {property} and replay it", () =>
        {
            try
            {
                var bug = find();
                return new CheckOutcome(Verdict.Violated, bug.ToString(), new Coverage { Runs = bug.Schedule.Iteration + 1, Steps = bug.OriginalSteps });
            }
            catch (SystematicTestException ex)
            {
                return new CheckOutcome(ex.NothingFound ? Verdict.Holds : Verdict.Error, ex.Message, ex.Coverage ?? new Coverage());
            }
        });
}
