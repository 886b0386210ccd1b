namespace Verification.Specs.Examples;

/// <summary>What a receiver hands to its application.</summary>
public abstract record DeliveryEvent;

public sealed record Delivered(int Seq) : DeliveryEvent;

/// <summary>
/// Messages 1..n are delivered to the application in order, each once (a step property), and eventually all of
/// them (a liveness monitor, hot until the last one is delivered).
/// </summary>
public static class InOrderDelivery
{
    public const string Name = "InOrderDelivery";
    public const int Messages = 3;

    public static Spec<DeliveryEvent> Create(int messages = Messages)
    {
        var spec = new SpecBuilder<DeliveryEvent>(Name);
        var last = spec.Variable<int>("LastDelivered");
        spec.Define(last, 0, e => ((Delivered)e).Seq);
        spec.StepProperty("InOrder", e => ((Delivered)e).Seq == last.Now + 1);
        spec.Liveness("AllDelivered", () => last.Now < messages);
        return spec.Build();
    }
}
