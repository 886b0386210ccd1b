using System.Text;

namespace Verification;

/// <summary>What every checker concludes.</summary>
public enum Verdict
{
    /// <summary>The property holds on everything the check covered (see <see cref="CheckResult.Within"/> for the bounds).</summary>
    Holds,

    /// <summary>A counterexample was found (see <see cref="CheckResult.Counterexample"/>).</summary>
    Violated,

    /// <summary>The check could not decide (see <see cref="CheckResult.Why"/>).</summary>
    Unknown,
}

/// <summary>Why a check came out <see cref="Verdict.Unknown"/>.</summary>
public enum Inconclusive
{
    /// <summary>A time or memory budget ran out.</summary>
    Budget,

    /// <summary>A depth or state limit cut the search off before it covered everything.</summary>
    SearchLimit,

    /// <summary>The solver answered "unknown", or its answer could not be confirmed.</summary>
    Solver,

    /// <summary>Induction failed and no violation was found within the unrolling bound: the counterexample to induction is shown; strengthen the invariant.</summary>
    NotInductive,

    /// <summary>The program did concurrent work the checker does not control (a thread, the thread pool, an unsupported primitive): the runs seen say nothing about the interleavings it did not control.</summary>
    Uncontrolled,
}

/// <summary>What a check found wrong — or, for an induction that failed, the counterexample to induction: the property, and a readable account.</summary>
/// <param name="Property">The property (or property instance) found violated, as checks and expectations name it.</param>
public abstract record Counterexample(string Property)
{
    /// <summary>The readable account reports print.</summary>
    public abstract string Describe();

    /// <summary>The same as <see cref="Describe"/>.</summary>
    public sealed override string ToString() => Describe();
}

/// <summary>
/// The one result type of every checker — systematic runs, exhaustive and livelock searches, Z3 proofs and bounded
/// checks, linearizability, history validation: a verdict, why it is unknown when it is, what the check covered, the
/// bounds and assumptions the verdict holds within, the counterexample, and how long it took. A verdict is never
/// more than what was covered: "holds" always comes with <see cref="Within"/> saying within what.
/// </summary>
public sealed record CheckResult
{
    /// <summary>What was checked: a protocol, a spec and its claims, a history.</summary>
    public required string Subject { get; init; }

    /// <summary>How: "random runs (portfolio)", "exhaustive search", "induction (Z3 4.8.12)", …</summary>
    public required string Method { get; init; }

    /// <summary>Holds, violated, or unknown (then <see cref="Why"/> says why).</summary>
    public required Verdict Verdict { get; init; }

    /// <summary>Why the verdict is unknown (null otherwise).</summary>
    public Inconclusive? Why { get; init; }

    /// <summary>The detail of <see cref="Why"/>: "timeout after 30 s", "the depth bound cut runs off", Z3's reason.</summary>
    public string? Reason { get; init; }

    /// <summary>What the check covered; a check that covered nothing has checked nothing, whatever its verdict.</summary>
    public required Coverage Coverage { get; init; }

    /// <summary>The bounds and assumptions of the verdict: "runs of ≤ 300 steps", "≤ 4 messages in flight", "histories of ≤ 8 events", "up to the protocol's symmetry", the fault model.</summary>
    public IReadOnlyList<string> Within { get; init; } = [];

    /// <summary>What was found (a violation) or, for an unknown induction, the counterexample to induction.</summary>
    public Counterexample? Counterexample { get; init; }

    /// <summary>Wall-clock time the check took.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>More lines for the readable report (rates, memory, notes of the checker).</summary>
    public string? Notes { get; init; }

    /// <summary>Whether the verdict is <see cref="Verdict.Holds"/>; it holds only within the bounds in <see cref="Within"/>.</summary>
    public bool Holds => Verdict == Verdict.Holds;

    /// <summary>Whether a counterexample was found (<see cref="Verdict.Violated"/>).</summary>
    public bool IsViolated => Verdict == Verdict.Violated;

    /// <summary>One line: subject, method, verdict, coverage, bounds, time.</summary>
    public string Summary
    {
        get
        {
            var verdict = Verdict switch
            {
                Verdict.Holds => "holds",
                Verdict.Violated => $"violated ({Counterexample?.Property})",
                _ => $"unknown ({WhyText}{(Reason is null ? "" : $": {Reason}")})",
            };
            var within = Within.Count == 0 ? "" : $"; within {string.Join(", ", Within)}";
            return $"{Subject}: {verdict} by {Method}; covered {Coverage}{within}; {Elapsed.TotalSeconds:F2} s";
        }
    }

    private string WhyText => Why switch
    {
        Inconclusive.Budget => "budget exhausted",
        Inconclusive.SearchLimit => "search limit",
        Inconclusive.Solver => "solver",
        Inconclusive.NotInductive => "not inductive",
        Inconclusive.Uncontrolled => "uncontrolled concurrency",
        _ => "undecided",
    };

    /// <summary>The whole report: <see cref="Summary"/>, then the notes and the counterexample when there are any.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(Summary);
        if (Notes is not null) text.Append('\n').Append(Notes);
        if (Counterexample is not null) text.Append('\n').Append(Counterexample.Describe());
        return text.ToString();
    }

    /// <summary>For a correct system or a true claim: throws, with the whole report, unless it holds on something.</summary>
    public CheckResult AssertHolds()
    {
        if (Verdict != Verdict.Holds) throw new CheckFailedException($"expected to hold:\n{this}", this);
        if (Coverage.IsEmpty) throw new CheckFailedException($"holds, but covered nothing: nothing was checked\n{this}", this);
        return this;
    }

    /// <summary>For a planted bug or a false claim: throws unless a violation of one of <paramref name="anyOf"/> was found; returns it.</summary>
    public Counterexample AssertViolated(params string[] anyOf)
    {
        if (Verdict != Verdict.Violated || Counterexample is null)
            throw new CheckFailedException($"expected a violation of {string.Join(" or ", anyOf)}, but {Summary}", this);
        if (anyOf.Length > 0 && !anyOf.Contains(Counterexample.Property))
            throw new CheckFailedException($"expected a violation of {string.Join(" or ", anyOf)}, found another:\n{this}", this);
        return Counterexample;
    }
}

/// <summary>A check's result was not the one a test asserted; the message is the whole report, so a test runner shows it.</summary>
/// <param name="message">The whole report.</param>
/// <param name="result">The result that failed the assertion.</param>
public sealed class CheckFailedException(string message, CheckResult result) : VerificationException(message)
{
    /// <summary>The result that failed the assertion.</summary>
    public CheckResult Result { get; } = result;
}
