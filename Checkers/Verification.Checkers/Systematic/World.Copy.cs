using System.Runtime.InteropServices;

namespace Verification.Checkers.Systematic;

// Copying the messages in flight from another world (kept apart from World.cs so that the two evolve without
// stepping on each other).
internal sealed partial class World<TState, TMessage, TTimer, TDurable, TSpecEvent>
{
    /// <summary>Makes the messages in flight <paramref name="source"/>'s, in order, writing only the envelopes that differ (see <see cref="ChangedCopy"/>).</summary>
    private void CopyInFlightFrom(World<TState, TMessage, TTimer, TDurable, TSpecEvent> source)
    {
        var from = CollectionsMarshal.AsSpan(source.inFlight);
        CollectionsMarshal.SetCount(inFlight, from.Length);
        var to = CollectionsMarshal.AsSpan(inFlight);
        var byValue = typeof(TMessage).IsValueType; // a struct message has no reference to compare: always written
        for (var i = 0; i < from.Length; i++)
        {
            ref readonly var envelope = ref from[i];
            ref var held = ref to[i];
            if (byValue || held.Id != envelope.Id || !ReferenceEquals(held.Message, envelope.Message) || held.From != envelope.From || held.To != envelope.To || held.SentAt != envelope.SentAt)
                held = envelope;
        }
    }
}
