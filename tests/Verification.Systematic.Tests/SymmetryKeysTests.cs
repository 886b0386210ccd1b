using Verification.Checkers.Systematic;
using Verification.Protocols.Raft;
using Verification.Runtime;

namespace Verification.Systematic.Tests;

/// <summary>
/// The canonical keys symmetry reduction files states under: written through a renaming they are the renamed copy's
/// keys, and they are a function of the orbit that tells orbits apart. Checked on reachable states against every
/// renaming: every state of a small system whose sink names a worker, and the first states of Raft with its servers
/// interchangeable (states, durable states and a spec variable that name servers, and a crash).
/// </summary>
public class SymmetryKeysTests
{
    private sealed class FirstChoice : IChoiceSource
    {
        public int Choose(int count) => 0;
    }

    private static List<int[]> Permutations(int[] items) =>
        items.Length <= 1 ? [items] : [.. items.SelectMany((first, i) => Permutations([.. items[..i], .. items[(i + 1)..]]).Select(rest => (int[])[first, .. rest]))];

    private static readonly FaultModel OneAmnesiaCrash = new() { MaxCrashes = 1, MaxDownAtOnce = 1, CrashKinds = [CrashKind.Amnesia] };

    /// <summary>Reachable worlds, breadth first, up to <paramref name="limit"/> and within <paramref name="maxInFlight"/> messages.</summary>
    private static List<World<TState, TMessage, TTimer, TDurable, TEvent>> Reachable<TState, TMessage, TTimer, TDurable, TEvent>(
        Protocol<TState, TMessage, TTimer, TDurable, TEvent> protocol, FaultModel faults, int limit, int maxInFlight)
        where TState : class where TMessage : notnull where TTimer : notnull where TDurable : class where TEvent : class
    {
        var nodes = Enumerable.Range(0, protocol.Nodes).Select(i => protocol.NodeFactory(new NodeId(i))).ToArray();
        var start = new World<TState, TMessage, TTimer, TDurable, TEvent>(protocol, faults, nodes);
        start.Start(new FirstChoice());
        var numbering = new ValueNumbering();
        var seen = new HashSet<string>();
        var worlds = new List<World<TState, TMessage, TTimer, TDurable, TEvent>>();
        var queue = new Queue<World<TState, TMessage, TTimer, TDurable, TEvent>>([start]);
        var enabled = new List<ScheduledAction>();
        while (queue.Count > 0 && worlds.Count < limit)
        {
            var world = queue.Dequeue();
            world.WriteKey(numbering);
            if (!seen.Add(Convert.ToHexString(numbering.Writer.Written))) continue;
            worlds.Add(world);
            enabled.Clear();
            world.Enumerate(enabled);
            foreach (var action in enabled)
            {
                var next = world.Clone();
                next.Apply(action, new FirstChoice());
                if (next.Violation is null && next.InFlightCount <= maxInFlight) queue.Enqueue(next);
            }
        }
        return worlds;
    }

    /// <summary>
    /// For every world and renaming π: the key written through π is the key of the renamed copy; the renamed copy's
    /// canonical key is the world's; and two worlds share a canonical key exactly when they share an orbit (decided
    /// independently by the least copy key over the whole group). Returns how many orbits the worlds fell into.
    /// </summary>
    private static int CheckCanonicalKeys<TState, TMessage, TTimer, TDurable, TEvent>(Protocol<TState, TMessage, TTimer, TDurable, TEvent> protocol,
        List<World<TState, TMessage, TTimer, TDurable, TEvent>> worlds)
        where TState : class where TMessage : notnull where TTimer : notnull where TDurable : class where TEvent : class
    {
        var symmetry = protocol.Symmetry!;
        var set = symmetry.Sets.Single().ToArray();
        var group = Permutations(set).Select(order =>
        {
            var image = Enumerable.Range(0, protocol.Nodes).ToArray();
            for (var k = 0; k < set.Length; k++) image[set[k]] = order[k];
            return new NodePermutation(image);
        }).ToList();
        var keys = new SymmetryKeys<TState, TMessage, TTimer, TDurable, TEvent>(symmetry, group, protocol.Nodes, worlds[0].Monitor.Evaluator);
        var spec = new SpecRenaming<TEvent>(protocol.Spec, symmetry.Sets, symmetry.SpecIndexed, symmetry.SpecNodeValued, symmetry.SpecUnaffected, "test");
        var numbering = new ValueNumbering();
        var copy = worlds[0].Clone();
        string Canonical(World<TState, TMessage, TTimer, TDurable, TEvent> world)
        {
            keys.WriteCanonicalKey(world, numbering);
            return Convert.ToHexString(numbering.Writer.Written);
        }
        var orbits = new Dictionary<string, string>(); // canonical key → least copy key over the group
        foreach (var world in worlds)
        {
            var canonical = Canonical(world);
            var least = (string?)null;
            foreach (var π in group)
            {
                copy.CopyPermuted(world, π, symmetry, spec);
                copy.WriteKey(numbering);
                var copyKey = Convert.ToHexString(numbering.Writer.Written);
                world.WritePermutedKey(keys, keys.Of(π), numbering);
                Assert.True(copyKey == Convert.ToHexString(numbering.Writer.Written), $"the key through renaming {π} differs from the renamed copy's, of\n{world.Describe()}");
                Assert.True(canonical == Canonical(copy), $"renaming {π} changes the canonical key of\n{world.Describe()}");
                if (least is null || string.CompareOrdinal(copyKey, least) < 0) least = copyKey;
            }
            if (orbits.TryGetValue(canonical, out var orbit)) Assert.Equal(orbit, least);
            else orbits.Add(canonical, least!);
        }
        Assert.Equal(orbits.Count, orbits.Values.Distinct().Count());
        return orbits.Count;
    }

    /// <summary>Three workers and a sink that acks the first (its state names a worker), an amnesia crash allowed: every reachable world.</summary>
    [Fact]
    public void Greetings_CanonicalKeys_AreAFunctionOfTheOrbit_ThatTellsOrbitsApart()
    {
        var protocol = new Greetings(Workers: 3, Grant: true).Protocol(symmetric: true);
        var worlds = Reachable(protocol, OneAmnesiaCrash, limit: int.MaxValue, maxInFlight: int.MaxValue);
        var orbits = CheckCanonicalKeys(protocol, worlds);
        Assert.True(worlds.Count > 100 && orbits < worlds.Count, $"{orbits} orbits of {worlds.Count} worlds");
    }

    /// <summary>The first 3,000 states of Raft with heartbeats, retries to every server and an amnesia crash.</summary>
    [Fact]
    public void Raft_CanonicalKeys_AreAFunctionOfTheOrbit_ThatTellsOrbitsApart()
    {
        var protocol = RaftNode.System(RaftConfig.ForExhaustiveSearchWithRealBehaviourSymmetric());
        var worlds = Reachable(protocol, OneAmnesiaCrash, limit: 3000, maxInFlight: RaftConfig.ExhaustiveSearchSymmetricInFlight);
        var orbits = CheckCanonicalKeys(protocol, worlds);
        Assert.True(worlds.Count == 3000 && orbits < worlds.Count / 2, $"{orbits} orbits of {worlds.Count} worlds");
    }
}
