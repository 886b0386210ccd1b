namespace Verification.Runtime;

/// <summary>A check over a run's observed events; <see cref="Violation"/> returns why it fails, or null.</summary>
/// <param name="Property">The name a violation is reported under.</param>
/// <param name="Violation">Given the run's observed events in order: why they violate the property, or null when they do not.</param>
public sealed record HistoryCheck<TSpecEvent>(string Property, Func<IReadOnlyList<TSpecEvent>, string?> Violation);
