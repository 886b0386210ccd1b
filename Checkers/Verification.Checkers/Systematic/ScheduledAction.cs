using Verification.Runtime;

namespace Verification.Checkers.Systematic;

public enum ActionKind : byte
{
    Deliver,
    Drop,
    Duplicate,
    Fire,
    Crash,
    Recover,
    Partition,
    Heal,
}

/// <summary>
/// One enabled choice of the environment: deliver, drop or duplicate in-flight message <see cref="Item"/>, fire timer
/// <see cref="Item"/> of <see cref="Node"/>, crash or recover <see cref="Node"/>, partition the nodes whose bits are
/// set in <see cref="Item"/> from the rest, or heal.
/// </summary>
public readonly record struct ScheduledAction(ActionKind Kind, int Node, int Item, CrashKind Crash = CrashKind.Stop);
