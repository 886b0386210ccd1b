using Verification.Checkers.Systematic;
using Verification.Runtime;

namespace Verification.Systematic.Tests;

/// <summary>
/// The canonical keys symmetry reduction files states under: written through a renaming they are the renamed copy's
/// keys, and they are a function of the orbit that tells orbits apart (checked on every reachable state of a small
/// system, against every renaming).
/// </summary>
public class SymmetryKeysTests
{
    private sealed class FirstChoice : IChoiceSource
    {
        public int Choose(int count) => 0;
    }

    private static List<int[]> Permutations(int[] items) =>
        items.Length <= 1 ? [items] : [.. items.SelectMany((first, i) => Permutations([.. items[..i], .. items[(i + 1)..]]).Select(rest => (int[])[first, .. rest]))];

    /// <summary>Three workers and a sink that acks the first (its state names a worker), an amnesia crash allowed: every reachable world.</summary>
    private static (List<World<GreetState, GreetMessage, GreetTimer, GreetState, GreetEvent>> Worlds, SymmetryKeys<GreetState, GreetMessage, GreetTimer, GreetState, GreetEvent> Keys,
        List<NodePermutation> Group, SpecRenaming<GreetEvent> Spec, NodeSymmetry<GreetState, GreetMessage, GreetTimer, GreetState> Symmetry) Reachable()
    {
        var system = new Greetings(Workers: 3, Grant: true);
        var protocol = system.Protocol(symmetric: true);
        var symmetry = protocol.Symmetry!;
        var faults = new FaultModel { MaxCrashes = 1, MaxDownAtOnce = 1, CrashKinds = [CrashKind.Amnesia] };
        var nodes = Enumerable.Range(0, protocol.Nodes).Select(i => protocol.NodeFactory(new NodeId(i))).ToArray();
        var start = new World<GreetState, GreetMessage, GreetTimer, GreetState, GreetEvent>(protocol, faults, nodes);
        start.Start(new FirstChoice());
        var group = Permutations([0, 1, 2]).Select(order => new NodePermutation([.. order, 3])).ToList();
        var keys = new SymmetryKeys<GreetState, GreetMessage, GreetTimer, GreetState, GreetEvent>(symmetry, group, protocol.Nodes, start.Monitor.Evaluator);
        var spec = new SpecRenaming<GreetEvent>(protocol.Spec, symmetry.Sets, symmetry.SpecIndexed, symmetry.SpecNodeValued, symmetry.SpecUnaffected, "test");
        var numbering = new ValueNumbering();
        var seen = new HashSet<string>();
        var worlds = new List<World<GreetState, GreetMessage, GreetTimer, GreetState, GreetEvent>>();
        var queue = new Queue<World<GreetState, GreetMessage, GreetTimer, GreetState, GreetEvent>>([start]);
        var enabled = new List<ScheduledAction>();
        while (queue.Count > 0)
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
                queue.Enqueue(next);
            }
        }
        return (worlds, keys, group, spec, symmetry);
    }

    [Fact]
    public void KeyWrittenThroughARenaming_IsTheRenamedCopysKey()
    {
        var (worlds, keys, group, spec, symmetry) = Reachable();
        var numbering = new ValueNumbering();
        var copy = worlds[0].Clone();
        Assert.True(worlds.Count > 100, $"{worlds.Count} worlds");
        foreach (var world in worlds)
            foreach (var π in group)
            {
                copy.CopyPermuted(world, π, symmetry, spec);
                copy.WriteKey(numbering);
                var expected = numbering.Writer.Written.ToArray();
                world.WritePermutedKey(keys, keys.Of(π), numbering);
                Assert.True(expected.AsSpan().SequenceEqual(numbering.Writer.Written), $"renaming {π} of\n{world.Describe()}");
            }
    }

    /// <summary>
    /// Every renaming of a world gets the world's canonical key; and two worlds share a canonical key exactly when
    /// some renaming takes one to the other (the least copy key over the whole group decides that independently).
    /// </summary>
    [Fact]
    public void CanonicalKey_IsAFunctionOfTheOrbit_ThatTellsOrbitsApart()
    {
        var (worlds, keys, group, spec, symmetry) = Reachable();
        var numbering = new ValueNumbering();
        var copy = worlds[0].Clone();
        string Canonical(World<GreetState, GreetMessage, GreetTimer, GreetState, GreetEvent> world)
        {
            keys.WriteCanonicalKey(world, numbering);
            return Convert.ToHexString(numbering.Writer.Written);
        }
        var canonical = new Dictionary<string, string>(); // canonical key → least key over the group
        foreach (var world in worlds)
        {
            var key = Canonical(world);
            var least = group.Select(π =>
            {
                copy.CopyPermuted(world, π, symmetry, spec);
                var renamed = Canonical(copy);
                Assert.Equal(key, renamed);
                copy.WriteKey(numbering);
                return Convert.ToHexString(numbering.Writer.Written);
            }).Min(StringComparer.Ordinal)!;
            if (canonical.TryGetValue(key, out var orbit)) Assert.Equal(orbit, least);
            else canonical.Add(key, least);
        }
        Assert.Equal(canonical.Count, canonical.Values.Distinct().Count());
        Assert.True(canonical.Count < worlds.Count, $"{canonical.Count} orbits of {worlds.Count} worlds");
    }
}
