// Exercise flp — see README.md. Check with: verify exercise flp exercises/04-flp/Starter.cs
using Verification.Checkers.Teaching;
using Verification.Runtime;

/// <summary>What a process sends: its input.</summary>
public sealed record MyMessage(int Value);

/// <summary>A process's state. Keep it an immutable record of values: configurations are compared by value.</summary>
public sealed record MyState(int Input, int? Decision);

public sealed class MyProcess(int input) : INode<MyState, MyMessage, NoTimer, NothingDurable>
{
    public MyState Start(Effects<MyMessage, NoTimer, NothingDurable> effects)
    {
        effects.Broadcast(new MyMessage(input));
        return new MyState(input, null);
    }

    // TODO: decide (set Decision to 0 or 1, once) so that the protocol is safe and decides in every fair run
    // without a crash. Right now it never decides.
    public MyState OnMessage(MyState state, NodeId from, MyMessage message, Effects<MyMessage, NoTimer, NothingDurable> effects) => state;

    public MyState OnTimer(MyState state, NoTimer timer, Effects<MyMessage, NoTimer, NothingDurable> effects) => state;

    public MyState OnRecover(NothingDurable? durable, Effects<MyMessage, NoTimer, NothingDurable> effects) => Start(effects);
}

public static class Answer
{
    public static FlpProtocol<MyState, MyMessage> Protocol() =>
        new("MyProtocol", 3, (process, input) => new MyProcess(input), state => state.Decision);
}
