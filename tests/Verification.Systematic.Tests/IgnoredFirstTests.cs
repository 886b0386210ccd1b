using Verification.Checkers.Systematic;
using Verification.Runtime;
using Verification.SpinPaxos;
using Xunit.Abstractions;

namespace Verification.Systematic.Tests;

/// <summary>
/// n0 sends n1 a tick at start; n1 starts closed and opens on a timer. Closed, it ignores ticks; open, it handles one
/// by issuing number 1 twice, which the spec forbids. Declaring that n1 ignores ticks "for ever" while closed is
/// wrong: it opens later, and a search that trusted the declaration would deliver the tick first and never see the bug.
/// </summary>
public sealed class Gate : INode<SequencerState, Tick, string, SequencerState>
{
    public SequencerState Start(Effects<Tick, string, SequencerState> effects)
    {
        if (effects.Self.Index == 0) effects.Send(new NodeId(1), new Tick());
        else effects.SetTimer("open");
        return new SequencerState(0);
    }

    public SequencerState OnMessage(SequencerState state, NodeId from, Tick message, Effects<Tick, string, SequencerState> effects)
    {
        if (state.Next == 0) return state; // closed: ignored
        effects.Observe(new Issued(1));
        effects.Observe(new Issued(1));
        return state;
    }

    public SequencerState OnTimer(SequencerState state, string timer, Effects<Tick, string, SequencerState> effects) => new(1);

    public SequencerState OnRecover(SequencerState? persisted, Effects<Tick, string, SequencerState> effects) => new(0);

    public static Protocol<SequencerState, Tick, string, SequencerState, IssueEvent> Protocol(Func<SequencerState, NodeId, Tick, bool>? ignoredForever) =>
        new("Gate", 2, _ => new Gate(), Sequencer.Spec(lotteryMayPickTwo: true)) { IgnoredForever = ignoredForever };
}

/// <summary>
/// The partial-order reduction that delivers a message declared ignored for ever before anything else
/// (IgnoredFirst.cs): fewer states with the same verdicts, said in the result, and wrong declarations refused.
/// </summary>
public sealed class IgnoredFirstTests(ITestOutputHelper output)
{
    private static CheckResult Explore(SpinPaxosConfig config, bool reduce, int workers = 1) =>
        SpinPaxosNode.System(config).Tester(new TestOptions { Faults = config.Faults, CheckLiveness = false, DeliverIgnoredFirst = reduce, Parallelism = workers })
            .Explore(maxDepth: 1000);

    /// <summary>SPIN's Paxos model: pan stores 170,572 states (1,352,201 with loss); delivering stale messages first leaves 26,910 (285,937).</summary>
    [Theory]
    [InlineData(false, 170_572, 26_910)]
    [InlineData(true, 1_352_201, 285_937)]
    public void SpinPaxos_FewerStates_SameVerdict_AndTheResultSaysSo(bool loss, int fullStates, int reducedStates)
    {
        var config = new SpinPaxosConfig(Rounds: 1, Loss: loss);
        var full = Explore(config, reduce: false);
        var reduced = Explore(config, reduce: true);
        output.WriteLine(reduced.ToString());

        Assert.True(full.Holds, full.ToString());
        Assert.True(reduced.Holds, reduced.ToString());
        Assert.Equal(fullStates, full.Coverage.States);
        Assert.Equal(reducedStates, reduced.Coverage.States);
        Assert.Contains(full.Within, line => line.Contains("NOT delivered first: turned off", StringComparison.Ordinal));
        Assert.Contains(reduced.Within, line => line.StartsWith("partial-order reduction: a message its addressee ignores for ever", StringComparison.Ordinal));
    }

    [Fact]
    public void SpinPaxos_PlantedMinorityQuorum_IsFoundWithTheReductionToo()
    {
        var config = new SpinPaxosConfig(Rounds: 1, MinorityQuorum: true);
        var full = Explore(config, reduce: false);
        var reduced = Explore(config, reduce: true);
        output.WriteLine(reduced.ToString());

        Assert.True(full.IsViolated, full.ToString());
        Assert.True(reduced.IsViolated, reduced.ToString());
        Assert.Equal(full.Counterexample!.Property, reduced.Counterexample!.Property);
        Assert.Equal("Agreement", reduced.Counterexample.Property);
    }

    /// <summary>Two workers take the same reduction and reach the same states: which stale message a state delivers first depends on the state alone.</summary>
    [Fact]
    public void SpinPaxos_InParallel_TheSameStatesAsSequentially()
    {
        var config = new SpinPaxosConfig(Rounds: 1, Loss: true);
        var sequential = Explore(config, reduce: true);
        var parallel = Explore(config, reduce: true, workers: 2);
        output.WriteLine(parallel.ToString());

        Assert.True(parallel.Holds, parallel.ToString());
        Assert.Equal(sequential.Coverage.States, parallel.Coverage.States);
        Assert.Equal(sequential.Coverage.Transitions, parallel.Coverage.Transitions);
        Assert.Contains(parallel.Within, line => line.StartsWith("partial-order reduction: a message its addressee ignores for ever", StringComparison.Ordinal));
    }

    /// <summary>Breadth-first search keeps every order (its counterexamples are the shortest), and says so.</summary>
    [Fact]
    public void BreadthFirst_KeepsEveryOrder_AndSaysWhy()
    {
        var result = SpinPaxosNode.System(new SpinPaxosConfig(Rounds: 1)).Tester(new TestOptions { CheckLiveness = false }).Explore(maxDepth: 1000, order: SearchOrder.BreadthFirst);

        Assert.Equal(170_572, result.Coverage.States);
        Assert.Contains(result.Within, line => line.Contains("NOT delivered first: a shortest counterexample needs every order", StringComparison.Ordinal));
    }

    /// <summary>A declaration that calls a message ignored when the handler acts on it is a model error at the first such delivery, naming node, message and what changed.</summary>
    [Fact]
    public void DeclaringAHandledMessageIgnored_IsRefused_NamingWhatTheHandlerDid()
    {
        var protocol = SpinPaxosNode.System(new SpinPaxosConfig(Rounds: 1)) with { IgnoredForever = (_, _, message) => message is Promise };
        var result = protocol.Tester(new TestOptions { CheckLiveness = false }).Explore(maxDepth: 1000);
        output.WriteLine(result.ToString());

        Assert.True(result.IsViolated, result.ToString());
        Assert.Equal(FailureKind.ModelError, Assert.IsType<RunCounterexample>(result.Counterexample).Kind);
        Assert.Equal("IgnoredForever", result.Counterexample!.Property);
        Assert.Contains("ignores Promise", result.ToString(), StringComparison.Ordinal);
        Assert.Contains("changed its state to", result.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// The Gate's declaration holds when the tick is delivered (n1 is closed) but not for ever (n1 opens): trusted, it
    /// would hide the reissued number. The node's next step breaks the declaration, and the search reports that,
    /// with or without the reduction — never "holds".
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ADeclarationThatStopsHolding_WouldHideABug_AndIsRefused(bool reduce)
    {
        var honest = Gate.Protocol(ignoredForever: null).Tester(new TestOptions { CheckLiveness = false }).Explore(maxDepth: 10);
        var declared = Gate.Protocol((state, _, _) => state.Next == 0).Tester(new TestOptions { CheckLiveness = false, DeliverIgnoredFirst = reduce }).Explore(maxDepth: 10);
        output.WriteLine(declared.ToString());

        Assert.True(honest.IsViolated, honest.ToString());
        Assert.Equal("NeverReissued", honest.Counterexample!.Property);
        Assert.True(declared.IsViolated, declared.ToString());
        Assert.Equal(FailureKind.ModelError, Assert.IsType<RunCounterexample>(declared.Counterexample).Kind);
        Assert.Equal("IgnoredForever", declared.Counterexample!.Property);
        Assert.Contains("no longer says so", declared.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A declaration that throws while a search chooses its steps is a one-line configuration error naming the message and state it was asked about, not a crash.</summary>
    [Fact]
    public void ADeclarationThatThrows_IsRefused_NotACrash()
    {
        var protocol = SpinPaxosNode.System(new SpinPaxosConfig(Rounds: 1)) with { IgnoredForever = (_, _, message) => message is Promise ? throw new InvalidOperationException("no idea") : false };
        var refused = Assert.Throws<ConfigurationException>(() => protocol.Tester(new TestOptions { CheckLiveness = false }).Explore(maxDepth: 1000));
        output.WriteLine(refused.Message);

        Assert.StartsWith("SpinPaxos: the protocol's IgnoredForever declaration threw InvalidOperationException: no idea", refused.Message, StringComparison.Ordinal);
        Assert.Contains("asked about Promise", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>Random runs check the declaration too: a handled message declared ignored fails a run.</summary>
    [Fact]
    public void RandomRuns_CheckTheDeclarationToo()
    {
        var protocol = SpinPaxosNode.System(new SpinPaxosConfig(Rounds: 1)) with { IgnoredForever = (_, _, message) => message is Accepted };
        var report = protocol.Tester(new TestOptions { CheckLiveness = false, Iterations = 200, MaxSteps = 60 }).Run();
        output.WriteLine(report.ToString());

        Assert.False(report.Holds, report.ToString());
        Assert.Contains("IgnoredForever", report.ToString(), StringComparison.Ordinal);
    }
}
