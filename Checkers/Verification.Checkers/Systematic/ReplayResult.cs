namespace Verification.Checkers.Systematic;

/// <summary>
/// What a replayed schedule did: its failure, if any, and its history as text, step by step; or, when a step behaved
/// differently than when it was recorded, <see cref="Divergence"/>: where, which node, and the likely causes.
/// </summary>
/// <param name="Kind">How the replay failed; null when it did not.</param>
/// <param name="Property">The property that failed; null when none did.</param>
/// <param name="Details">The failure's report; null when none.</param>
/// <param name="Trace">The replayed history, one line per step.</param>
/// <param name="Divergence">Where and why a step behaved differently than when it was recorded; null when none did.</param>
public sealed record ReplayResult(FailureKind? Kind, string? Property, string? Details, IReadOnlyList<string> Trace, string? Divergence);
