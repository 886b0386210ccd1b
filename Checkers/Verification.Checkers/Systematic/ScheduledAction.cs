using Verification.Runtime;

namespace Verification.Checkers.Systematic;

/// <summary>What an environment action does.</summary>
public enum ActionKind : byte
{
    /// <summary>Deliver an in-flight message to its addressee.</summary>
    Deliver,

    /// <summary>Lose an in-flight message (a fault).</summary>
    Drop,

    /// <summary>Copy an in-flight message (a fault).</summary>
    Duplicate,

    /// <summary>Fire an armed timer of a node.</summary>
    Fire,

    /// <summary>Crash a node (a fault), of the action's <see cref="CrashKind"/>.</summary>
    Crash,

    /// <summary>Bring back a node that crashed with amnesia or paused.</summary>
    Recover,

    /// <summary>Split the network in two (a fault).</summary>
    Partition,

    /// <summary>End the partition.</summary>
    Heal,

    /// <summary>The failure-detector oracle tells subscriber <see cref="ScheduledAction.Node"/> to suspect or trust a node.</summary>
    Report,

    /// <summary>The failure detector reaches its stabilisation point (◇ classes).</summary>
    Stabilize,
}

/// <summary>
/// One enabled choice of the environment: deliver, drop or duplicate in-flight message <see cref="Item"/>, fire timer
/// <see cref="Item"/> of <see cref="Node"/>, crash or recover <see cref="Node"/>, partition the nodes whose bits are
/// set in <see cref="Item"/> from the rest, or heal; tell subscriber <see cref="Node"/> of the failure detector about
/// node <see cref="Item"/>/2 (suspect when <see cref="Item"/> is odd, trust when even), or stabilise the detector.
/// </summary>
/// <param name="Kind">What the action does.</param>
/// <param name="Node">The node acted on: a message's addressee, the timer's owner, the node that crashes or recovers.</param>
/// <param name="Item">The message's position among those in flight, the timer's among the node's armed ones, or the partition's bit set of one side.</param>
/// <param name="Crash">For a crash, its kind.</param>
public readonly record struct ScheduledAction(ActionKind Kind, int Node, int Item, CrashKind Crash = CrashKind.Stop);
