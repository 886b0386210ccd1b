namespace Verification.Runtime;

/// <summary>A check over a run's observed events; <see cref="Violation"/> returns why it fails, or null.</summary>
public sealed record HistoryCheck<TSpecEvent>(string Property, Func<IReadOnlyList<TSpecEvent>, string?> Violation);
