using Verification.Checkers.Teaching;
using Verification.Protocols.Flp;
using Verification.Runtime;
using Verification.Specs;
using Xunit.Abstractions;

namespace Verification.Protocols.Tests.Flp;

/// <summary>FLP's story told on three protocols that each escape the theorem differently.</summary>
public class FlpStoryTests(ITestOutputHelper output)
{
    [Fact]
    public void DecideOnFirstHeard_EscapesByBeingUnsafe()
    {
        var result = Checkers.Teaching.Flp.Tell(FlpProtocols.DecideOnFirstHeard());
        output.WriteLine(result.ToString());
        var run = Assert.IsType<FlpRun>(result.AssertViolated(Checkers.Teaching.Flp.Agreement));
        Assert.Null(run.Cycle);
    }

    [Fact]
    public void WaitForAll_EscapesByBlockingWhenAProcessCrashes()
    {
        var result = Checkers.Teaching.Flp.Tell(FlpProtocols.WaitForAll());
        output.WriteLine(result.ToString());
        var run = Assert.IsType<FlpRun>(result.AssertViolated(Checkers.Teaching.Flp.DecidesDespiteOneCrash));
        Assert.Contains(run.Prefix, e => e is FlpCrash);
    }

    [Fact]
    public void LeaderDecidesFirstHeard_IsBivalent_AndLemma3FailsWhereTheLeadersCrashBlocksIt()
    {
        var result = Checkers.Teaching.Flp.Tell(FlpProtocols.LeaderDecidesFirstHeard());
        output.WriteLine(result.ToString());
        var run = Assert.IsType<FlpRun>(result.AssertViolated(Checkers.Teaching.Flp.DecidesDespiteOneCrash));
        Assert.Contains(new FlpCrash(0), run.Prefix);
        Assert.Contains("is bivalent: both decisions are still reachable from it", result.Notes);
        Assert.Contains("case 2 (both at p0)", result.Notes);
        Assert.Contains("the protocol cannot decide if p0 crashes", result.Notes);
    }

    [Fact]
    public void RoundsWithoutCoin_EscapesByNeverDecidingOnAFairRun()
    {
        var result = Checkers.Teaching.Flp.Tell(FlpProtocols.RoundsWithoutCoin());
        output.WriteLine(result.ToString());
        var run = Assert.IsType<FlpRun>(result.AssertViolated(Checkers.Teaching.Flp.DecidesOnEveryFairRun));
        Assert.DoesNotContain(run.Prefix, e => e is FlpCrash);
    }

    /// <summary>A process whose handler the test chooses, to play a hostile or careless student.</summary>
    private sealed class Scripted(Func<WaitForAllState, InputValue, Effects<InputValue, NoTimer, NothingDurable>, WaitForAllState> onMessage) : INode<WaitForAllState, InputValue, NoTimer, NothingDurable>
    {
        public WaitForAllState Start(Effects<InputValue, NoTimer, NothingDurable> effects)
        {
            effects.Broadcast(new InputValue(effects.Self.Index % 2));
            return new WaitForAllState(0, 1, null);
        }

        public WaitForAllState OnMessage(WaitForAllState state, NodeId from, InputValue message, Effects<InputValue, NoTimer, NothingDurable> effects) => onMessage(state, message, effects);

        public WaitForAllState OnTimer(WaitForAllState state, NoTimer timer, Effects<InputValue, NoTimer, NothingDurable> effects) => state;

        public WaitForAllState OnRecover(NothingDurable? durable, Effects<InputValue, NoTimer, NothingDurable> effects) => Start(effects);
    }

    private static FlpProtocol<WaitForAllState, InputValue> Student(Func<WaitForAllState, InputValue, Effects<InputValue, NoTimer, NothingDurable>, WaitForAllState> onMessage) =>
        new("Student", 3, (_, _) => new Scripted(onMessage), state => state.Decision);

    [Fact]
    public void AStudentProtocolThatThrows_IsReportedInOneLine_NamingTheStep()
    {
        var error = Assert.Throws<SpecException>(() => Checkers.Teaching.Flp.Tell(Student((_, _, _) => throw new InvalidOperationException("oops"))));
        Assert.Matches(@"^Student: p\d threw InvalidOperationException when p\d receives input \d from p\d: oops$", error.Message);
    }

    [Fact]
    public void TimersAndOutOfRangeDecisions_AreRefused()
    {
        Assert.Contains("FLP's processes only send messages", Assert.Throws<SpecException>(() => Checkers.Teaching.Flp.Tell(Student((state, _, effects) =>
        {
            effects.Persist(NothingDurableInstance());
            return state;
        }))).Message);
        Assert.Contains("decisions are 0 or 1", Assert.Throws<SpecException>(() => Checkers.Teaching.Flp.Tell(Student((state, _, _) => state with { Decision = 2 }))).Message);
    }

    private static NothingDurable NothingDurableInstance() => (NothingDurable)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(typeof(NothingDurable));

    [Fact]
    public void AChangedDecision_IsASafetyViolation()
    {
        var result = Checkers.Teaching.Flp.Tell(Student((state, message, _) => state with { Decision = message.Value }));
        output.WriteLine(result.ToString());
        result.AssertViolated(Checkers.Teaching.Flp.DecisionsAreFinal, Checkers.Teaching.Flp.Agreement, Checkers.Teaching.Flp.Validity);
    }

    [Fact]
    public void AWrongIgnoredDeclaration_IsReported_NotTrusted()
    {
        var protocol = FlpProtocols.WaitForAll() with { IgnoredForever = (_, _) => true };
        Assert.Contains("is declared ignored by p", Assert.Throws<SpecException>(() => Checkers.Teaching.Flp.Tell(protocol)).Message);
    }

    [Fact]
    public void AnExplorationCutOffByItsLimit_ClaimsNothing()
    {
        var result = Checkers.Teaching.Flp.Tell(FlpProtocols.RoundsWithoutCoin() with { MaxConfigurations = 1_000 });
        Assert.Equal(Verdict.Unknown, result.Verdict);
        Assert.Equal(Inconclusive.SearchLimit, result.Why);
        Assert.Contains("nothing is claimed", result.Reason);
    }
}
