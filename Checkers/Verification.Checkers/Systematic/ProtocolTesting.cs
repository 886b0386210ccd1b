using Verification.Runtime;

namespace Verification.Checkers.Systematic;

/// <summary>The systematic tester of a protocol, its five type arguments inferred: <c>PingNode.System(false).Tester(options).Run()</c>.</summary>
public static class ProtocolTesting
{
    /// <summary>A tester of <paramref name="protocol"/> under <paramref name="options"/> (the defaults when null); invalid options throw <see cref="ConfigurationException"/>.</summary>
    public static SystematicTester<TState, TMessage, TTimer, TDurable, TSpecEvent> Tester<TState, TMessage, TTimer, TDurable, TSpecEvent>(
        this Protocol<TState, TMessage, TTimer, TDurable, TSpecEvent> protocol, TestOptions? options = null)
        where TState : class where TMessage : notnull where TTimer : notnull where TDurable : class where TSpecEvent : class => new(protocol, options);
}
