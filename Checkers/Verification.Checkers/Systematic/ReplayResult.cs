namespace Verification.Checkers.Systematic;

/// <summary>
/// What a replayed schedule did: its failure, if any, and its history as text, step by step; or, when a step behaved
/// differently than when it was recorded, <see cref="Divergence"/>: where, which node, and the likely causes.
/// </summary>
public sealed record ReplayResult(FailureKind? Kind, string? Property, string? Details, IReadOnlyList<string> Trace, string? Divergence);
