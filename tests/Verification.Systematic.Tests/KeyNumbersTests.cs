using Verification.Checkers.Systematic;
using Verification.Protocols.Raft;
using Verification.Runtime;

namespace Verification.Systematic.Tests;

/// <summary>
/// A world remembers the numbers it gave its values (per node and per message, checked by reference) so that the
/// scratch world of a search does not number the same objects again at every transition. Those numbers belong to the
/// numbering that gave them: a key written with another numbering must be that numbering's, as a fresh world's is.
/// </summary>
public class KeyNumbersTests
{
    private sealed class FirstChoice : IChoiceSource
    {
        public int Choose(int count) => 0;
    }

    [Fact]
    public void AKeyWrittenWithAnotherNumberingIsThatNumberings_AndStepsRenumberOnlyWhatChanged()
    {
        var protocol = RaftNode.System(RaftConfig.ForExhaustiveSearchWithRealBehaviourSymmetric());
        var nodes = Enumerable.Range(0, protocol.Nodes).Select(i => protocol.NodeFactory(new NodeId(i))).ToArray();
        var world = new World<RaftNodeState, RaftMessage, RaftTimer, RaftDurable, RaftEvent>(protocol, FaultModel.None, nodes);
        world.Start(new FirstChoice());
        var first = new ValueNumbering();
        var second = new ValueNumbering();
        // The first numbering has met other values before, so the two give the same value different numbers.
        for (var i = 0; i < 7; i++) first.Number($"other value {i}");
        var enabled = new List<ScheduledAction>();
        var keys = 0;
        for (var step = 0; step < 40; step++)
        {
            var byFirst = KeyOf(world, first);
            var bySecond = KeyOf(world, second);
            // A clone remembers nothing: its keys are the ones to expect.
            Assert.Equal(KeyOf(world.Clone(), second), bySecond);
            Assert.Equal(KeyOf(world.Clone(), first), byFirst);
            Assert.NotEqual(byFirst, bySecond);
            Assert.Equal(byFirst, KeyOf(world, first)); // and back again
            keys++;
            enabled.Clear();
            world.Enumerate(enabled);
            if (enabled.Count == 0) break;
            // Steps on the same world, as a search's scratch world takes them: each changes a node or two.
            world.Apply(enabled[step % enabled.Count], new FirstChoice());
            if (world.Violation is not null) break;
        }
        Assert.True(keys >= 10, $"only {keys} states compared");
    }

    private static string KeyOf<TState, TMessage, TTimer, TDurable, TEvent>(World<TState, TMessage, TTimer, TDurable, TEvent> world, ValueNumbering numbering)
        where TState : class where TMessage : notnull where TTimer : notnull where TDurable : class where TEvent : class
    {
        world.WriteKey(numbering);
        return Convert.ToHexString(numbering.Writer.Written);
    }
}
