using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Verification.Checkers.Systematic;
using Verification.Runtime;
using Verification.Specs;

namespace Verification.Bench;

public sealed record Token(int Hop);

public sealed record RingNodeState(int Seen);

public abstract record RingEvent;

public sealed record Passed(int Hop) : RingEvent;

/// <summary>A trivial 3-node protocol: a token passed around a ring, plus a second token so there is always a choice.</summary>
public sealed class RingNode : INode<RingNodeState, Token, string, RingNodeState>
{
    public const int Nodes = 3;

    public RingNodeState Start(Effects<Token, string, RingNodeState> effects)
    {
        if (effects.Self.Index == 0)
        {
            effects.Send(new NodeId(1), new Token(0));
            effects.Send(new NodeId(2), new Token(0));
        }
        return new RingNodeState(0);
    }

    public RingNodeState OnMessage(RingNodeState state, NodeId from, Token message, Effects<Token, string, RingNodeState> effects)
    {
        effects.Send(new NodeId((effects.Self.Index + 1) % Nodes), new Token((message.Hop + 1) % 8));
        return new RingNodeState((state.Seen + 1) % 4);
    }

    public RingNodeState OnTimer(RingNodeState state, string timer, Effects<Token, string, RingNodeState> effects) => state;

    public RingNodeState OnRecover(RingNodeState? persisted, Effects<Token, string, RingNodeState> effects) => persisted ?? new RingNodeState(0);

    public static Protocol<RingNodeState, Token, string, RingNodeState, RingEvent> Protocol()
    {
        var spec = new SpecBuilder<RingEvent>("Ring");
        var passes = spec.Variable<int>("Passes");
        spec.Define(passes, 0, e => passes.Now + 1);
        return new Protocol<RingNodeState, Token, string, RingNodeState, RingEvent>("Ring", Nodes, _ => new RingNode(), spec.Build());
    }
}

/// <summary>Scheduling throughput (random strategy, one core) and DFS with state caching on the 3-node ring.</summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class SchedulingBenchmarks
{
    private const int Iterations = 100;
    private const int StepsPerIteration = 1000;

    [Benchmark(OperationsPerInvoke = Iterations * StepsPerIteration, Description = "random walk, per scheduling step")]
    public long RandomSteps()
    {
        var tester = RingNode.Protocol().Tester(new TestOptions { Strategy = StrategyKind.Random, Iterations = Iterations, MaxSteps = StepsPerIteration });
        return tester.Run().Coverage.Steps;
    }

    [Benchmark(OperationsPerInvoke = Iterations * StepsPerIteration, Description = "PCT, per scheduling step")]
    public long PctSteps()
    {
        var tester = RingNode.Protocol().Tester(new TestOptions { Strategy = StrategyKind.Pct, Iterations = Iterations, MaxSteps = StepsPerIteration });
        return tester.Run().Coverage.Steps;
    }
}

/// <summary>
/// DFS with a visited-state set on the ring with one message loss and one duplication allowed: distinct states per
/// second, bytes per cached state. Throughput job with several warm-up runs: long explorations run in steady state
/// (tiered JIT done), which is what states/s should describe.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 5, iterationCount: 10)]
public class ExplorationBenchmarks
{
    /// <summary>Prints the exploration's counts and its approximate retained bytes per cached state into the benchmark log.</summary>
    [GlobalSetup]
    public void Describe()
    {
        var report = Dfs();
        Console.WriteLine($"// {report.Summary}; ~{report.Coverage.BytesPerState} B of key arrays retained per cached state");
    }

    [Benchmark(Description = "DFS, ring with loss and duplication, depth 40")]
    public CheckResult Dfs() =>
        (RingNode.Protocol() with { Spec = NoCounter() }).Tester(new TestOptions { Faults = new FaultModel { MaxLosses = 1, MaxDuplicates = 1 } }).Explore(40);

    /// <summary>The ring's spec without its unbounded counter, so the state space is finite.</summary>
    private static Spec<RingEvent> NoCounter()
    {
        var spec = new SpecBuilder<RingEvent>("RingNoCounter");
        var any = spec.Variable<bool>("Any");
        spec.Define(any, false, e => true);
        return spec.Build();
    }
}
