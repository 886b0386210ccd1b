// Exercise flp: a solution — decide the majority once all three inputs are in. Safe (everyone sees the same three
// inputs), decides in every fair run without a crash, and, as FLP says it must, blocks when one process crashes.
using Verification.Checkers.Teaching;
using Verification.Runtime;

public sealed record MyMessage(int Value);

/// <param name="Ones">Inputs 1 heard, own included.</param>
/// <param name="Heard">Inputs heard, own included.</param>
public sealed record MyState(int Ones, int Heard, int? Decision);

public sealed class MyProcess(int input) : INode<MyState, MyMessage, NoTimer, NothingDurable>
{
    public MyState Start(Effects<MyMessage, NoTimer, NothingDurable> effects)
    {
        effects.Broadcast(new MyMessage(input));
        return new MyState(input, 1, null);
    }

    public MyState OnMessage(MyState state, NodeId from, MyMessage message, Effects<MyMessage, NoTimer, NothingDurable> effects)
    {
        var heard = state with { Ones = state.Ones + message.Value, Heard = state.Heard + 1 };
        return heard.Heard == effects.NodeCount ? heard with { Decision = 2 * heard.Ones > heard.Heard ? 1 : 0 } : heard;
    }

    public MyState OnTimer(MyState state, NoTimer timer, Effects<MyMessage, NoTimer, NothingDurable> effects) => state;

    public MyState OnRecover(NothingDurable? durable, Effects<MyMessage, NoTimer, NothingDurable> effects) => Start(effects);
}

public static class Answer
{
    public static FlpProtocol<MyState, MyMessage> Protocol() =>
        new("MyProtocol", 3, (process, input) => new MyProcess(input), state => state.Decision);
}
