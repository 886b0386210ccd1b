using Verification.Specs;

namespace Verification;

/// <summary>A property of a spec that failed on a history: the shortest failing prefix, the event, the values it reads.</summary>
/// <param name="Violation">The monitor's report of the failing property instance.</param>
public sealed record PropertyViolation(Violation Violation) : Counterexample(Violation.Instance)
{
    /// <inheritdoc/>
    public override string Describe() => Violation.ToString();
}

/// <summary>Views of a history check's <see cref="CheckResult"/>.</summary>
public static class HistoryResults
{
    extension(CheckResult result)
    {
        /// <summary>The failing property, when a history check found one.</summary>
        public Violation? Violation => (result.Counterexample as PropertyViolation)?.Violation;

        /// <summary>How many events the history check evaluated (up to and including a failing one).</summary>
        public long EventsChecked => result.Coverage.Events;
    }

    /// <summary>The result of checking a spec's properties on every prefix of a history.</summary>
    internal static CheckResult Of(ISpec spec, string method, long eventsChecked, Violation? violation, TimeSpan elapsed) => new()
    {
        Subject = spec.Name,
        Method = method,
        Verdict = violation is null ? Verdict.Holds : Verdict.Violated,
        Coverage = new Coverage { Events = eventsChecked, Runs = 1 },
        Within = [$"this history ({eventsChecked} events)"],
        Counterexample = violation is null ? null : new PropertyViolation(violation),
        Elapsed = elapsed,
    };
}
