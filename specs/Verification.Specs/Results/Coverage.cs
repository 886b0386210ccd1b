using System.Globalization;

namespace Verification;

/// <summary>
/// What a check covered: runs, steps, events, distinct states, transitions, solver obligations, operations. Every
/// check reports it, and a check that covered nothing has not checked anything: it fails, whatever its verdict.
/// </summary>
public sealed record Coverage
{
    /// <summary>Runs executed (a history check counts its history as one run).</summary>
    public long Runs { get; init; }

    /// <summary>Steps the systematic tester scheduled, over all runs: message deliveries, timer firings and faults.</summary>
    public long Steps { get; init; }

    /// <summary>Events a spec evaluated (history checks, random histories).</summary>
    public long Events { get; init; }

    /// <summary>Distinct states an exhaustive or livelock search visited.</summary>
    public long States { get; init; }

    /// <summary>Transitions (a state, one action, its successor) an exhaustive or livelock search followed.</summary>
    public long Transitions { get; init; }

    /// <summary>Claims (or their instances) the solver was asked to decide.</summary>
    public long Obligations { get; init; }

    /// <summary>Client operations of a history checked for linearizability.</summary>
    public long Operations { get; init; }

    /// <summary>Configurations (linearized set, state) a linearizability search memoised.</summary>
    public long Configurations { get; init; }

    /// <summary>Cases a brute-force check enumerated (e.g. pairs of node sets tested for a common node).</summary>
    public long Cases { get; init; }

    /// <summary>The longest run or path explored.</summary>
    public long Depth { get; init; }

    /// <summary>Approximate bytes stored per distinct state by an exhaustive search (0 when not measured).</summary>
    public long BytesPerState { get; init; }

    /// <summary>Nothing was checked: no run, step, event, state, obligation, operation or enumerated case.</summary>
    public bool IsEmpty => Runs == 0 && Steps == 0 && Events == 0 && States == 0 && Transitions == 0 && Obligations == 0 && Operations == 0 && Cases == 0;

    /// <summary>The sum of two coverages (shards, several runs of one check); depth is the larger.</summary>
    public Coverage Plus(Coverage other) => new()
    {
        Runs = Runs + other.Runs, Steps = Steps + other.Steps, Events = Events + other.Events, States = States + other.States,
        Transitions = Transitions + other.Transitions, Obligations = Obligations + other.Obligations, Operations = Operations + other.Operations,
        Configurations = Configurations + other.Configurations, Cases = Cases + other.Cases, Depth = Math.Max(Depth, other.Depth), BytesPerState = Math.Max(BytesPerState, other.BytesPerState),
    };

    /// <summary>The non-zero counts, e.g. "1,000 runs, 48,210 steps", or "nothing".</summary>
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
        Add(Cases, "cases enumerated");
        return parts.Count == 0 ? "nothing" : string.Join(", ", parts);
    }
}
