using Verification.Checkers.Systematic;
using Verification.Protocols.Paxos;
using Verification.Protocols.Raft;
using Verification.Runtime;
using Verification.Specs;
using Xunit.Abstractions;

namespace Verification.Systematic.Tests;

// The scratch world of a search keeps the numbers it gave its values from one transition to the next (World.Numbers.cs),
// and is copied back from the same state by writing only what the last step changed (World.Copy.cs): at every
// transition of a depth-first search over these systems its key must be a fresh clone's, under the search's numbering
// and under another, and the copy back must equal the state it was copied from. The relay sends value-type or class messages (the message numbers are remembered only
// for classes), persists and observes; the flood puts 150 messages in flight, more than the per-message slots.

/// <summary>What the relay spec sees.</summary>
public abstract record RelayEvent;
public sealed record Bumped(int Node, int Count) : RelayEvent;
public sealed record RelayState(int Count, int Seen);
public readonly record struct SVal(int V, int Pad);
public sealed record CVal(int V, int Pad);

public sealed class Relay<TMsg>(Func<int, TMsg> make, Func<TMsg, int> read, int limit) : INode<RelayState, TMsg, string, RelayState> where TMsg : notnull
{
    public RelayState Start(Effects<TMsg, string, RelayState> effects)
    {
        if (effects.Self.Index == 0) effects.SetTimer("tick");
        if (effects.Self.Index == 1) effects.SetTimer("idle", 2);
        return new RelayState(0, 0);
    }

    public RelayState OnMessage(RelayState state, NodeId from, TMsg message, Effects<TMsg, string, RelayState> effects)
    {
        var v = read(message);
        var next = state with { Seen = Math.Max(state.Seen, v) };
        if (v < limit && effects.Self.Index != 2) effects.Send(new NodeId((effects.Self.Index + 1) % 3), make(v + 1));
        if (effects.Self.Index == 2 && v == 1) effects.Send(new NodeId(0), make(v));
        if (next != state) effects.Persist(next);
        return next;
    }

    public RelayState OnTimer(RelayState state, string timer, Effects<TMsg, string, RelayState> effects)
    {
        if (timer == "idle") return state;
        if (state.Count >= limit) return state;
        var next = state with { Count = state.Count + 1 };
        effects.Persist(next);
        effects.Observe(new Bumped(effects.Self.Index, next.Count));
        effects.Send(new NodeId(1), make(next.Count));
        effects.Send(new NodeId(2), make(next.Count));
        effects.SetTimer("tick", 2);
        return next;
    }

    public RelayState OnRecover(RelayState? persisted, Effects<TMsg, string, RelayState> effects)
    {
        if (effects.Self.Index == 0) effects.SetTimer("tick");
        return persisted ?? new RelayState(0, 0);
    }

    public static Spec<RelayEvent> Spec()
    {
        var spec = new SpecBuilder<RelayEvent>("Relay");
        var total = spec.Variable<int>("Total");
        spec.Define(total, 0, e => e is Bumped ? Math.Max(total.Now, ((Bumped)e).Count) : total.Now);
        spec.StepProperty("TotalNeverNegative", e => total.Now >= 0);
        return spec.Build();
    }
}

/// <summary>n0 sends n1 many equal (but distinct-object) messages at start; n1 counts and answers some.</summary>
public sealed class Flood(int count) : INode<RelayState, CVal, string, RelayState>
{
    public RelayState Start(Effects<CVal, string, RelayState> effects)
    {
        if (effects.Self.Index == 0)
            for (var i = 0; i < count; i++) effects.Send(new NodeId(1), new CVal(i % 3, 0));
        if (effects.Self.Index == 1) effects.SetTimer("t");
        return new RelayState(0, 0);
    }

    public RelayState OnMessage(RelayState state, NodeId from, CVal message, Effects<CVal, string, RelayState> effects)
    {
        if (effects.Self.Index == 1 && state.Count % 16 == 0) effects.Send(new NodeId(0), new CVal(state.Count, 1));
        return state with { Count = state.Count + 1 };
    }

    public RelayState OnTimer(RelayState state, string timer, Effects<CVal, string, RelayState> effects) => state with { Seen = state.Seen + 1 };
    public RelayState OnRecover(RelayState? persisted, Effects<CVal, string, RelayState> effects) => new(0, 0);
}

public class ScratchKeyTests(ITestOutputHelper output)
{
    private sealed class FirstChoice : IChoiceSource
    {
        public int Choose(int count) => 0;
    }

    private static string KeyOf<TState, TMessage, TTimer, TDurable, TEvent>(World<TState, TMessage, TTimer, TDurable, TEvent> world, ValueNumbering numbering)
        where TState : class where TMessage : notnull where TTimer : notnull where TDurable : class where TEvent : class
    {
        world.WriteKey(numbering);
        return Convert.ToHexString(numbering.Writer.Written);
    }

    private int Check<TState, TMessage, TTimer, TDurable, TEvent>(Protocol<TState, TMessage, TTimer, TDurable, TEvent> protocol, FaultModel faults, int maxStates)
        where TState : class where TMessage : notnull where TTimer : notnull where TDurable : class where TEvent : class
    {
        var nodes = Enumerable.Range(0, protocol.Nodes).Select(i => protocol.NodeFactory(new NodeId(i))).ToArray();
        var start = new World<TState, TMessage, TTimer, TDurable, TEvent>(protocol, faults, nodes);
        start.Start(new FirstChoice());
        var numbering = new ValueNumbering();
        var other = new ValueNumbering();
        for (var i = 0; i < 5; i++) other.Number($"x{i}");
        var scratch = start.Clone();
        scratch.Memo = new HandlerMemo(numbering);
        var visited = new HashSet<string> { KeyOf(start, numbering) };
        var stack = new Stack<World<TState, TMessage, TTimer, TDurable, TEvent>>();
        var pool = new Stack<World<TState, TMessage, TTimer, TDurable, TEvent>>();
        stack.Push(start);
        var enabled = new List<ScheduledAction>();
        long checks = 0;
        while (stack.Count > 0 && visited.Count < maxStates)
        {
            var world = stack.Pop();
            var worldKey = KeyOf(world, numbering);
            enabled.Clear();
            world.Enumerate(enabled);
            foreach (var action in enabled)
            {
                // From the second action on, the copy writes back only what the last step changed (World.Copy.cs).
                scratch.CopyFrom(world);
                Assert.Equal(worldKey, KeyOf(scratch, numbering));
                Assert.Equal(world.Monitor.Length, scratch.Monitor.Length);
                if (checks % 64 == 0) Assert.Equal(world.Describe(), scratch.Describe()); // persisted states too, which the key holds only while they can be read
                try
                {
                    scratch.Apply(action, new FirstChoice());
                }
                catch (Exception)
                {
                    continue;
                }
                if (scratch.Violation is not null) continue;
                var key = KeyOf(scratch, numbering);
                Assert.Equal(KeyOf(scratch.Clone(), numbering), key);
                if (++checks % 5 == 0)
                {
                    Assert.Equal(KeyOf(scratch.Clone(), other), KeyOf(scratch, other));
                    Assert.Equal(key, KeyOf(scratch, numbering));
                }
                if (visited.Add(key))
                {
                    World<TState, TMessage, TTimer, TDurable, TEvent> kept;
                    if (pool.TryPop(out var reused))
                    {
                        // As a depth-first search keeps a new state and then expands it: the copy back writes no node.
                        reused.CopyFrom(scratch, copiedBack: true);
                        kept = reused;
                        Assert.Equal(key, KeyOf(kept, numbering));
                        scratch.CopyFrom(kept);
                        Assert.Equal(key, KeyOf(scratch, numbering));
                    }
                    else kept = scratch.Clone();
                    stack.Push(kept);
                }
            }
            if (!ReferenceEquals(world, start)) pool.Push(world);
        }
        output.WriteLine($"{protocol.Name} {faults}: {visited.Count} states, {checks} checks");
        Assert.True(checks > 0 && visited.Count > 1, $"{protocol.Name}: nothing compared");
        return visited.Count;
    }

    [Fact]
    public void ScratchKeysEqualFreshClones()
    {
        FaultModel[] models =
        [
            FaultModel.None,
            new FaultModel { MaxLosses = 1, MaxDuplicates = 1, MaxPartitions = 1 },
            FaultModel.CrashRecover(1),
            new FaultModel { Timing = Timing.Synchronous, MaxMessageDelay = 2, Roles = [NodeRole.MayCrash("a", [0], 1, CrashKind.Amnesia)] },
            new FaultModel { Network = NetworkOrder.Fifo, MaxLosses = 1 },
        ];
        foreach (var faults in models)
        {
            Check(new Protocol<RelayState, SVal, string, RelayState, RelayEvent>("RelayS", 3, _ => new Relay<SVal>(v => new SVal(v, 7), m => m.V, 3), Relay<SVal>.Spec()), faults, 4_000);
            Check(new Protocol<RelayState, CVal, string, RelayState, RelayEvent>("RelayC", 3, _ => new Relay<CVal>(v => new CVal(v, 7), m => m.V, 3), Relay<CVal>.Spec()), faults, 4_000);
            Check(PaxosNode.ConsensusSystem(PaxosConfig.Duelling(3)), faults, 1_500);
            Check(Sequencer.Protocol(persist: true), faults.Roles.Count > 0 ? FaultModel.None : faults, 1_500);
        }
        Check(new Protocol<RelayState, CVal, string, RelayState, RelayEvent>("Flood", 2, _ => new Flood(150), Relay<CVal>.Spec()), FaultModel.None, 1_000);
        Check(new Protocol<RelayState, CVal, string, RelayState, RelayEvent>("Flood", 2, _ => new Flood(150), Relay<CVal>.Spec()), new FaultModel { MaxDuplicates = 2, MaxLosses = 2 }, 1_000);
        Check(RaftNode.System(RaftConfig.ForExhaustiveSearchWithRealBehaviourSymmetric()), FaultModel.None, 2_000);
    }

    /// <summary>
    /// The steps whose node is not a delivery's addressee — a failure detector's report (its subscriber's row and
    /// state), a pause and a recovery — and a spec with nested components, under the same check: the copy back after
    /// each must equal the state it was copied from.
    /// </summary>
    [Fact]
    public void ScratchKeysEqualFreshClones_DetectorReportsPausesAndNestedSpecs()
    {
        FaultModel[] models =
        [
            new FaultModel { MaxCrashes = 1, MaxDownAtOnce = 1, CrashKinds = [CrashKind.Pause, CrashKind.Amnesia], MaxLosses = 1, Detector = FailureDetector.EventuallyPerfect },
            new FaultModel { MaxCrashes = 2, MaxDownAtOnce = 1, CrashKinds = [CrashKind.Stop, CrashKind.Pause], MaxDuplicates = 1, Detector = FailureDetector.Weak },
        ];
        foreach (var faults in models)
        {
            Check(Watcher.Protocol(3, Verification.Specs.FailureDetection.DetectorClass.EventuallyPerfect), faults, 3_000);
            Check(Shifter.Protocol(history: true), faults, 3_000);
        }
    }

    /// <summary>
    /// The version guard when the source itself takes a step (a node other than the one the copy changed), and when a
    /// kept copy (copiedBack) takes one before the scratch world is copied back from it: the copy back must be whole.
    /// </summary>
    [Fact]
    public void CopyBackFromASourceThatSteppedCopiesEverything()
    {
        var source = StartedRelay(FaultModel.CrashRecover(1));
        var initial = source.Clone();
        var scratch = source.Clone();
        var numbering = new ValueNumbering();
        var enabled = new List<ScheduledAction>();
        var compared = 0;
        for (var round = 0; round < 60; round++)
        {
            enabled.Clear();
            source.Enumerate(enabled);
            var mine = enabled[round % enabled.Count];
            var others = enabled.Where(a => a.Node != mine.Node).ToList();
            if (others.Count == 0)
            {
                source.CopyFrom(initial); // a run that ended: from the start again
                continue;
            }
            scratch.CopyFrom(source);
            scratch.Apply(mine, new FirstChoice());
            source.Apply(others[round % others.Count], new FirstChoice()); // the source moves on at another node
            scratch.CopyFrom(source);
            Assert.Equal(KeyOf(source, numbering), KeyOf(scratch, numbering));
            Assert.Equal(source.Describe(), scratch.Describe());
            // A world kept as the scratch world's copy, which then steps itself before the copy back.
            var kept = source.Clone();
            kept.CopyFrom(scratch, copiedBack: true);
            enabled.Clear();
            kept.Enumerate(enabled);
            if (enabled.Count == 0) continue;
            kept.Apply(enabled[round % enabled.Count], new FirstChoice());
            scratch.CopyFrom(kept);
            Assert.Equal(KeyOf(kept, numbering), KeyOf(scratch, numbering));
            Assert.Equal(kept.Describe(), scratch.Describe());
            compared++;
        }
        Assert.True(compared >= 30, $"only {compared} copies compared");
    }

    /// <summary>
    /// A world copied back from one it copied earlier writes only the nodes it changed since — but only while that
    /// world is unchanged: here the source is overwritten by another state in between, and the copy back must be whole.
    /// </summary>
    [Fact]
    public void CopyBackFromAChangedSourceCopiesEverything()
    {
        var source = StartedRelay(FaultModel.None);
        var numbering = new ValueNumbering();
        var enabled = new List<ScheduledAction>();
        var compared = 0;
        for (var round = 0; round < 30; round++)
        {
            var scratch = source.Clone();
            scratch.CopyFrom(source);
            enabled.Clear();
            source.Enumerate(enabled);
            if (enabled.Count == 0) break;
            scratch.Apply(enabled[round % enabled.Count], new FirstChoice());
            // The source moves on (as a search's released world is reused for another state)...
            var other = source.Clone();
            other.Apply(enabled[(round + 1) % enabled.Count], new FirstChoice());
            source.CopyFrom(other);
            // ...so copying it back must bring every node of the new state, not only the one the scratch world changed.
            scratch.CopyFrom(source);
            Assert.Equal(KeyOf(source, numbering), KeyOf(scratch, numbering));
            Assert.Equal(source.Describe(), scratch.Describe());
            compared++;
        }
        Assert.True(compared >= 10, $"only {compared} copies compared");
    }

    /// <summary>The three-node relay with class messages, started.</summary>
    private static World<RelayState, CVal, string, RelayState, RelayEvent> StartedRelay(FaultModel faults)
    {
        var protocol = new Protocol<RelayState, CVal, string, RelayState, RelayEvent>("RelayC", 3, _ => new Relay<CVal>(v => new CVal(v, 7), m => m.V, 3), Relay<CVal>.Spec());
        var nodes = Enumerable.Range(0, protocol.Nodes).Select(i => protocol.NodeFactory(new NodeId(i))).ToArray();
        var world = new World<RelayState, CVal, string, RelayState, RelayEvent>(protocol, faults, nodes);
        world.Start(new FirstChoice());
        return world;
    }
}
