using Verification.Checkers.Systematic;
using Verification.Protocols.DistinguishedProposer;
using Verification.Protocols.Paxos;
using Verification.Runtime;
using Xunit.Abstractions;

namespace Verification.Protocols.Tests.DistinguishedProposer;

/// <summary>The seed's claims about its distinguished-proposer protocol, decided per failure model (see docs/distinguished-proposer.md).</summary>
public class DistinguishedProposerTests(ITestOutputHelper output)
{
    private static SystematicTester<DpState, DpMessage, DpTimer, NothingDurable, PaxosEvent> Tester(bool perfectDetector, FaultModel faults) =>
        new(DistinguishedProposerNode.System(perfectDetector), new TestOptions { Seed = 1, Iterations = 50_000, MaxSteps = 60, CheckLiveness = false, Faults = faults });

    [Fact]
    public void RecoveryOnSuspicion_BreaksAgreement_EvenWithoutFailures()
    {
        var bug = Tester(perfectDetector: false, FaultModel.None).AssertFindsAndReplays("Agreement");
        output.WriteLine(bug.ToString());
        Assert.DoesNotContain(bug.Schedule.Steps, s => s.Action.StartsWith("crash", StringComparison.Ordinal));
    }

    [Fact]
    public void PerfectDetector_AmnesiaOfOneAcceptor_BreaksAgreement()
    {
        var bug = Tester(perfectDetector: true, FaultModel.CrashRecover(1)).AssertFindsAndReplays("Agreement");
        output.WriteLine(bug.ToString());
        Assert.Contains(bug.Schedule.Steps, s => s.Action is "crash n2 (amnesia)" or "crash n3 (amnesia)" or "crash n4 (amnesia)");
    }

    [Fact]
    public void PerfectDetector_PauseOrHaltOfOneAcceptor_NoViolationFound()
    {
        foreach (var kind in new[] { CrashKind.Pause, CrashKind.Stop })
        {
            var faults = new FaultModel { MaxCrashes = 1, MaxDownAtOnce = 1, CrashKinds = [kind], MaxDuplicates = 1, MaxLosses = 1 };
            var report = DistinguishedProposerNode.System(perfectDetector: true).Tester(new TestOptions { Seed = 1, Iterations = 3000, MaxSteps = 60, CheckLiveness = false, Faults = faults }).Run();
            output.WriteLine($"{kind}: {report}");
            report.AssertHolds();
            Assert.Equal(3000, report.Coverage.Runs);
        }
    }
}
