using Verification.Checkers.Systematic;

namespace Verification.Checkers;

/// <summary>How a system is checked: one of the systematic tester's methods, with its options.</summary>
public abstract record CheckMethod
{
    /// <summary>The tester's options (seed, iterations, faults, liveness, bounds).</summary>
    public required TestOptions Options { get; init; }
}

/// <summary>Randomised runs under the options' strategy (the portfolio by default).</summary>
public sealed record RandomRuns : CheckMethod;

/// <summary>Every interleaving, with a visited-state set, to <see cref="MaxDepth"/> steps and at most <see cref="MaxInFlight"/> messages in flight.</summary>
/// <param name="MaxDepth">The most steps from start-up a path may take.</param>
/// <param name="MaxInFlight">States with more messages in flight are not expanded (the search is then complete only within that bound).</param>
public sealed record ExhaustiveSearch(int MaxDepth, int MaxInFlight = int.MaxValue) : CheckMethod
{
    /// <summary>Depth-first (the default) or breadth-first, whose counterexample is a shortest one.</summary>
    public SearchOrder Order { get; init; } = SearchOrder.DepthFirst;

    /// <summary>The visited-state set: exact (the default) or hash compaction.</summary>
    public VisitedStore Store { get; init; } = VisitedStore.Exact;

    /// <summary>Partial-order reduction by sleep sets: the same states and verdict with fewer transitions (off by default).</summary>
    public bool PartialOrder { get; init; }
}

/// <summary>A search for fair cycles in which a liveness property stays hot.</summary>
/// <param name="MaxDepth">The most steps from start-up a path may take.</param>
/// <param name="MaxInFlight">States with more messages in flight are not expanded (the search is then incomplete and says so).</param>
public sealed record LivelockSearch(int MaxDepth, int MaxInFlight) : CheckMethod;

/// <summary>
/// What a check must conclude: holds; violated — by one of <see cref="Properties"/> when given (and of
/// <see cref="Kind"/>, for a run's counterexample); or unknown for the reason <see cref="Why"/>. The one place a
/// check's verdict is compared with the expected one.
/// </summary>
/// <param name="Verdict">The verdict the check must have.</param>
/// <param name="Properties">For a violation, the properties any one of which may be the one found; empty for any.</param>
/// <param name="Kind">For a run's counterexample, the kind of failure it must be; null for any.</param>
/// <param name="Why">For unknown, the reason it must be; null for any.</param>
public sealed record Expectation(Verdict Verdict, IReadOnlyList<string> Properties, FailureKind? Kind = null, Inconclusive? Why = null)
{
    /// <summary>The verdict must be holds.</summary>
    public static Expectation Holds { get; } = new(Verdict.Holds, []);

    /// <summary>Violated by one of <paramref name="properties"/> (any property when none is given).</summary>
    public static Expectation Violated(params string[] properties) => new(Verdict.Violated, properties);

    /// <summary>A run's counterexample of kind <paramref name="kind"/> violating one of <paramref name="properties"/>.</summary>
    public static Expectation Violated(FailureKind kind, params string[] properties) => new(Verdict.Violated, properties, kind);

    /// <summary>An induction that fails with a counterexample to induction.</summary>
    public static Expectation NotInductive { get; } = new(Verdict.Unknown, [], Why: Inconclusive.NotInductive);

    /// <summary>Whether <paramref name="result"/> has the expected verdict, reason for unknown, violated property and failure kind.</summary>
    public bool Matches(CheckResult result) =>
        result.Verdict == Verdict
        && (Why is null || result.Why == Why)
        && (Properties.Count == 0 || (result.Counterexample is { } found && Properties.Contains(found.Property)))
        && (Kind is null || (result.Counterexample is RunCounterexample run && run.Kind == Kind));

    /// <summary>The expectation as reports show it: "holds", "violated (Agreement)", "not inductive", "unknown".</summary>
    public override string ToString() => Verdict switch
    {
        Verdict.Holds => "holds",
        Verdict.Violated => Properties.Count == 0 ? "violated" : $"violated ({string.Join(" or ", Properties)})",
        _ => Why == Inconclusive.NotInductive ? "not inductive" : "unknown",
    };
}

/// <summary>A check a system declares about itself, in one of its named configurations, with the verdict it must have.</summary>
/// <param name="Name">The check's name, as the CLI lists and filters it.</param>
/// <param name="Configuration">The name of the system's configuration it runs.</param>
/// <param name="Method">How: random runs, exhaustive search or livelock search, with the tester's options.</param>
/// <param name="Expected">The verdict it must have.</param>
/// <param name="Description">One line on what it shows.</param>
public sealed record SystemCheck(string Name, string Configuration, CheckMethod Method, Expectation Expected, string Description);
