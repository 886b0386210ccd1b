using Verification.Checkers.Systematic;
using Verification.Runtime;
using Verification.Specs;
using Xunit.Abstractions;

namespace Verification.Systematic.Tests;

public abstract record GreetEvent;
public sealed record HeardFrom(int Worker) : GreetEvent;
public sealed record Boomed : GreetEvent;

public abstract record GreetState;
public sealed record WorkerState(bool Sent) : GreetState;
/// <summary>Heard: bit w for worker w; Holder: the worker granted the one Ack (−1: none yet).</summary>
public sealed record SinkState(uint Heard, int Holder) : GreetState;

public abstract record GreetMessage;
public sealed record Hello : GreetMessage;
public sealed record Ack : GreetMessage;
public sealed record Boom : GreetMessage;

public enum GreetTimer { Go }

/// <summary>
/// Workers n0..n(W−1) each say hello to the sink nW once, when their timer fires; the sink records who it heard and,
/// with <paramref name="Grant"/>, acks the first worker only. With <paramref name="OnlyN1Booms"/> worker n1 (only)
/// answers the ack with a Boom, which the spec forbids: a node whose behaviour depends on its id.
/// </summary>
public sealed record Greetings(int Workers, bool Grant = false, bool OnlyN1Booms = false, bool OnlyN0Starts = false)
{
    public Spec<GreetEvent> Spec()
    {
        var spec = new SpecBuilder<GreetEvent>("Greetings");
        var heard = spec.Family<bool>("heard", Workers);
        var boomed = spec.Variable<bool>("boomed");
        spec.Define(heard, w => false, (e, w) => heard.Now(w) || e.Is((HeardFrom h) => h.Worker == w));
        spec.Define(boomed, false, e => boomed.Now || e is Boomed);
        spec.Invariant("NoBoom", () => !boomed.Now);
        return spec.Build();
    }

    public NodeSymmetry<GreetState, GreetMessage, GreetTimer, GreetState> WorkerSymmetry(IReadOnlyList<int>? set = null)
    {
        GreetState Rename(GreetState state, NodePermutation π) => state is SinkState sink ? new SinkState(π.Bits(sink.Heard), π.Relative(sink.Holder, 0)) : state;
        return new([set ?? [.. Enumerable.Range(0, Workers)]], Rename, (message, _) => message, Rename)
        {
            SpecIndexed = [new SpecIndexedByNodes("heard")],
            SpecUnaffected = ["boomed"],
        };
    }

    public Protocol<GreetState, GreetMessage, GreetTimer, GreetState, GreetEvent> Protocol(bool symmetric, int checkedTransitions = 2000) =>
        new("Greetings", Workers + 1, id => id.Index < Workers ? new Worker(this) : new Sink(this), Spec())
        {
            Symmetry = symmetric ? WorkerSymmetry() with { CheckedTransitions = checkedTransitions } : null,
        };

    public sealed class Worker(Greetings system) : INode<GreetState, GreetMessage, GreetTimer, GreetState>
    {
        public GreetState Start(Effects<GreetMessage, GreetTimer, GreetState> effects)
        {
            if (!system.OnlyN0Starts || effects.Self.Index == 0) effects.SetTimer(GreetTimer.Go);
            return new WorkerState(false);
        }

        public GreetState OnTimer(GreetState state, GreetTimer timer, Effects<GreetMessage, GreetTimer, GreetState> effects)
        {
            effects.Send(new NodeId(system.Workers), new Hello());
            return new WorkerState(true);
        }

        public GreetState OnMessage(GreetState state, NodeId from, GreetMessage message, Effects<GreetMessage, GreetTimer, GreetState> effects)
        {
            if (message is Ack && system.OnlyN1Booms && effects.Self.Index == 1) effects.Send(from, new Boom());
            return state;
        }

        public GreetState OnRecover(GreetState? durable, Effects<GreetMessage, GreetTimer, GreetState> effects) => Start(effects);

        public GreetState OnDetector(GreetState state, DetectorReport report, Effects<GreetMessage, GreetTimer, GreetState> effects) => state;
    }

    public sealed class Sink(Greetings system) : INode<GreetState, GreetMessage, GreetTimer, GreetState>
    {
        public GreetState Start(Effects<GreetMessage, GreetTimer, GreetState> effects) => new SinkState(0, -1);

        public GreetState OnTimer(GreetState state, GreetTimer timer, Effects<GreetMessage, GreetTimer, GreetState> effects) => state;

        public GreetState OnMessage(GreetState state, NodeId from, GreetMessage message, Effects<GreetMessage, GreetTimer, GreetState> effects)
        {
            var sink = (SinkState)state;
            switch (message)
            {
                case Hello:
                    effects.Observe(new HeardFrom(from.Index));
                    if (!system.Grant || sink.Holder >= 0) return sink with { Heard = sink.Heard | (1u << from.Index) };
                    effects.Send(from, new Ack());
                    return new SinkState(sink.Heard | (1u << from.Index), from.Index);
                case Boom:
                    effects.Observe(new Boomed());
                    return sink;
                default:
                    return sink;
            }
        }

        public GreetState OnRecover(GreetState? durable, Effects<GreetMessage, GreetTimer, GreetState> effects) => Start(effects);
    }
}

/// <summary>Node-permutation symmetry: counts a person can check, the declarations it refuses, and an unsound one caught.</summary>
public class SymmetryTests(ITestOutputHelper output)
{
    private static readonly TestOptions NoFaults = new() { CheckLiveness = false };

    /// <summary>
    /// Three workers, each idle (timer armed), hello in flight, or heard: 3³ = 27 states. Up to renaming the workers
    /// a state is how many workers are in each of the three phases: multisets of size 3 over 3 phases, C(5,2) = 10.
    /// </summary>
    [Fact]
    public void ThreeWorkers_27States_10UpToSymmetry()
    {
        var system = new Greetings(Workers: 3);
        var plain = system.Protocol(symmetric: false).Tester(NoFaults).Explore(maxDepth: 50);
        var reduced = system.Protocol(symmetric: true).Tester(NoFaults).Explore(maxDepth: 50);
        output.WriteLine(plain.ToString());
        output.WriteLine(reduced.ToString());
        Assert.True(plain.Holds);
        Assert.True(reduced.Holds);
        Assert.Equal(27, plain.Coverage.States);
        Assert.Equal(10, reduced.Coverage.States);
        Assert.Contains(reduced.Within, bound => bound.StartsWith("symmetry over {n0,n1,n2}", StringComparison.Ordinal));
        Assert.DoesNotContain(plain.Within, bound => bound.Contains("symmetry", StringComparison.Ordinal));
    }

    /// <summary>With the grant, each of the W workers may be the one acked: symmetry folds those W branches into one.</summary>
    [Fact]
    public void Grant_FoldsWhoWasAcked()
    {
        var system = new Greetings(Workers: 3, Grant: true);
        var plain = system.Protocol(symmetric: false).Tester(NoFaults).Explore(maxDepth: 50);
        var reduced = system.Protocol(symmetric: true).Tester(NoFaults).Explore(maxDepth: 50);
        output.WriteLine(plain.ToString());
        output.WriteLine(reduced.ToString());
        Assert.True(plain.Holds && reduced.Holds);
        Assert.True(reduced.Coverage.States * 3 <= plain.Coverage.States + 6, $"{reduced.Coverage.States} vs {plain.Coverage.States}");
    }

    /// <summary>
    /// n1 alone answers the ack with a Boom: the workers are not interchangeable. Without symmetry the search finds
    /// the Boom. The unsound declaration would file "n1 acked" and "n0 acked" as one state and explore only the one
    /// met first, so whether the Boom is seen depends on the order of generation: the search does not rely on that,
    /// it refuses the declaration (the commutation check, on by default), naming the renaming and the step. With the
    /// check turned off the result says the declaration was not checked.
    /// </summary>
    [Fact]
    public void UnsoundDeclaration_IsRefused_AndTheBugFoundWithout()
    {
        var system = new Greetings(Workers: 2, Grant: true, OnlyN1Booms: true);
        var plain = system.Protocol(symmetric: false).Tester(NoFaults).Explore(maxDepth: 50);
        output.WriteLine(plain.ToString());
        Assert.Equal("NoBoom", plain.Bug?.Property);

        var unchecked_ = system.Protocol(symmetric: true, checkedTransitions: 0).Tester(NoFaults).Explore(maxDepth: 50);
        output.WriteLine(unchecked_.ToString());
        Assert.Contains(unchecked_.Within, bound => bound.Contains("NOT checked", StringComparison.Ordinal));

        var refused = Assert.Throws<ConfigurationException>(() => system.Protocol(symmetric: true).Tester(NoFaults).Explore(maxDepth: 50));
        output.WriteLine(refused.Message);
        Assert.Contains("is unsound: renaming n0→n1, n1→n0 and then taking 'deliver n2→n", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refused.Message);
    }

    /// <summary>Only n0 arms its timer at start: the renamed initial state differs, so the declaration is refused before any search.</summary>
    [Fact]
    public void AsymmetricStart_IsRefused()
    {
        var system = new Greetings(Workers: 2, OnlyN0Starts: true);
        var refused = Assert.Throws<ConfigurationException>(() => system.Protocol(symmetric: true).Tester(NoFaults).Explore(maxDepth: 50));
        output.WriteLine(refused.Message);
        Assert.Contains("changes the initial state", refused.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "sink in the set", "interchangeable nodes must run the same code" },
        { "crash role splits the set", "the fault model must treat interchangeable nodes alike" },
        { "detector tells one", "subscribers must treat interchangeable nodes alike" },
        { "undeclared spec variable", "variable(s) boomed not declared" },
        { "unknown spec variable", "has no variable 'heard2'" },
        { "node out of range", "node 7 is not one of the protocol's nodes" },
        { "one-node set", "needs at least two nodes" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void DeclarationsItCannotHonour_AreRefused_WithOneLine(string declaration, string expected)
    {
        var system = new Greetings(Workers: 3);
        var symmetry = system.WorkerSymmetry();
        var faults = new FaultModel();
        switch (declaration)
        {
            case "sink in the set": symmetry = system.WorkerSymmetry([2, 3]); break;
            case "crash role splits the set": faults = new FaultModel { Roles = [NodeRole.MayCrash("some", [0, 1], 1, CrashKind.Stop)] }; break;
            case "detector tells one": faults = new FaultModel { Detector = FailureDetector.Perfect with { Subscribers = [0] } }; break;
            case "undeclared spec variable": symmetry = symmetry with { SpecUnaffected = [] }; break;
            case "unknown spec variable": symmetry = symmetry with { SpecIndexed = [new SpecIndexedByNodes("heard2")] }; break;
            case "node out of range": symmetry = system.WorkerSymmetry([0, 7]); break;
            case "one-node set": symmetry = system.WorkerSymmetry([0]); break;
        }
        var protocol = system.Protocol(symmetric: false) with { Symmetry = symmetry };
        var refused = Assert.Throws<ConfigurationException>(() => protocol.Tester(new TestOptions { CheckLiveness = false, Faults = faults }).Explore(maxDepth: 50));
        output.WriteLine(refused.Message);
        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refused.Message);
    }
}
