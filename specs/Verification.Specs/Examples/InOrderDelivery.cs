namespace Verification.Specs.Examples;

/// <summary>What a receiver hands to its application.</summary>
public abstract record DeliveryEvent;

/// <summary>The receiver handed message <paramref name="Seq"/> to its application.</summary>
/// <param name="Seq">The message's sequence number, counting from 1.</param>
public sealed record Delivered(int Seq) : DeliveryEvent;

/// <summary>
/// Messages 1..n are delivered to the application in order, each once (a step property), and eventually all of
/// them (a liveness monitor, hot until the last one is delivered).
/// </summary>
public static class InOrderDelivery
{
    /// <summary>The spec's name, as the CLI takes it and reports show it.</summary>
    public const string Name = "InOrderDelivery";

    /// <summary>How many messages the spec expects by default; the Ping-Ack sender sends exactly this many.</summary>
    public const int Messages = 3;

    /// <summary>Builds the spec for messages 1..<paramref name="messages"/>.</summary>
    /// <param name="messages">How many messages must eventually be delivered; the liveness monitor is hot until the last one is.</param>
    public static Spec<DeliveryEvent> Create(int messages = Messages)
    {
        var spec = new SpecBuilder<DeliveryEvent>(Name);
        var last = spec.Variable<int>("LastDelivered");
        spec.Define(last, 0, e => e.When((Delivered d) => d.Seq).Else(last.Now));
        spec.StepProperty("InOrder", e => e.IfIs((Delivered d) => d.Seq == last.Now + 1));
        spec.Liveness("AllDelivered", () => last.Now < messages);
        return spec.Build();
    }
}
