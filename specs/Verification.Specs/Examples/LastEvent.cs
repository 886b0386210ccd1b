namespace Verification.Specs.Examples;

/// <summary>The seed's L, the most recent event: L(σe) = e, and L(Nil) is not defined. Generic over the alphabet.</summary>
public static class LastEvent
{
    /// <summary>The name of the partial variable L, for looking it up in the built spec (a composite reads its components' L by it).</summary>
    public const string VariableName = "L";

    /// <summary>Builds L over the alphabet <typeparamref name="TEvent"/>, with the step property that L after an event is that event.</summary>
    public static Spec<TEvent> Create<TEvent>() where TEvent : class
    {
        var spec = new SpecBuilder<TEvent>($"LastEvent<{typeof(TEvent).Name}>");
        var last = spec.Partial<TEvent>(VariableName);
        spec.Define(last, e => e);
        spec.StepProperty("LastIsTheEvent", e => last.IsDefinedNext && last.Next == e);
        return spec.Build();
    }
}
