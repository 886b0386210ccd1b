using System.Globalization;

namespace Verification;

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

    /// <summary>Configurations (linearized set, state) a linearizability search memoised.</summary>
    public long Configurations { get; init; }

    /// <summary>The longest run or path explored.</summary>
    public long Depth { get; init; }

    /// <summary>Approximate bytes stored per distinct state by an exhaustive search (0 when not measured).</summary>
    public long BytesPerState { get; init; }

    /// <summary>Nothing was checked: no run, step, event, state, obligation or operation.</summary>
    public bool IsEmpty => Runs == 0 && Steps == 0 && Events == 0 && States == 0 && Transitions == 0 && Obligations == 0 && Operations == 0;

    /// <summary>The sum of two coverages (shards, several runs of one check); depth is the larger.</summary>
    public Coverage Plus(Coverage other) => new()
    {
        Runs = Runs + other.Runs, Steps = Steps + other.Steps, Events = Events + other.Events, States = States + other.States,
        Transitions = Transitions + other.Transitions, Obligations = Obligations + other.Obligations, Operations = Operations + other.Operations,
        Configurations = Configurations + other.Configurations, Depth = Math.Max(Depth, other.Depth), BytesPerState = Math.Max(BytesPerState, other.BytesPerState),
    };

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
        Add(Configurations, "configurations");
        return parts.Count == 0 ? "nothing" : string.Join(", ", parts);
    }
}
