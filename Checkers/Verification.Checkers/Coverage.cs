using System.Globalization;

namespace Verification.Checkers;

/// <summary>
/// What a check covered: runs, steps, events, distinct states, transitions, solver obligations, operations. Every
/// check reports it, and a check that covered nothing has not checked anything: it fails, whatever its verdict.
/// </summary>
public sealed record Coverage
{
    public long Runs { get; init; }
    public long Steps { get; init; }
    public long Events { get; init; }
    public long States { get; init; }
    public long Transitions { get; init; }

    /// <summary>Claims (or their instances) the solver was asked to decide.</summary>
    public long Obligations { get; init; }

    /// <summary>Client operations of a history checked for linearizability.</summary>
    public long Operations { get; init; }

    public bool IsEmpty => Runs == 0 && Steps == 0 && Events == 0 && States == 0 && Transitions == 0 && Obligations == 0 && Operations == 0;

    public override string ToString()
    {
        var parts = new List<string>();
        void Add(long value, string what)
        {
            if (value > 0) parts.Add($"{value.ToString("N0", CultureInfo.InvariantCulture)} {what}");
        }
        Add(Runs, "runs");
        Add(Steps, "steps");
        Add(Events, "events");
        Add(States, "states");
        Add(Transitions, "transitions");
        Add(Obligations, "obligations");
        Add(Operations, "operations");
        return parts.Count == 0 ? "nothing" : string.Join(", ", parts);
    }
}
