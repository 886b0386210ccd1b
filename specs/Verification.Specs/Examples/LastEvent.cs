namespace Verification.Specs.Examples;

/// <summary>The seed's L, the most recent event: L(σe) = e, and L(Nil) is not defined. Generic over the alphabet.</summary>
public static class LastEvent
{
    public const string VariableName = "L";

    public static Spec<TEvent> Create<TEvent>() where TEvent : class
    {
        var spec = new SpecBuilder<TEvent>($"LastEvent<{typeof(TEvent).Name}>");
        var last = spec.Partial<TEvent>(VariableName);
        spec.Define(last, e => e);
        spec.StepProperty("LastIsTheEvent", e => last.IsDefinedNext && last.Next == e);
        return spec.Build();
    }
}
