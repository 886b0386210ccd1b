using Verification.Runtime;
using Verification.Specs;

namespace Verification.Checkers.Teaching;

/// <summary>
/// A consensus protocol in the model of Fischer, Lynch and Paterson (1985): N processes, each with a binary input and
/// a write-once output, exchanging messages through an asynchronous buffer — any message may be delayed for any
/// finite time, and at most one process may crash (take no further steps). Each process is an ordinary
/// <see cref="INode{TState, TMessage, TTimer, TDurable}"/> with no timers: its first step is <c>Start</c>, every later
/// step the receipt of one message. Node states and messages must be immutable values (records of numbers, strings,
/// <see cref="ValueArray{T}"/>): configurations are compared by value.
/// </summary>
/// <param name="Name">The protocol's name, as stories show it.</param>
/// <param name="Processes">N, at least 2 (FLP's theorem is about N ≥ 2 with one crash).</param>
/// <param name="Create">The node of process p with input x (0 or 1).</param>
/// <param name="DecisionOf">The process's output register: null until it decides, then 0 or 1 for ever.</param>
public sealed record FlpProtocol<TState, TMessage>(
    string Name,
    int Processes,
    Func<int, int, INode<TState, TMessage, NoTimer, NothingDurable>> Create,
    Func<TState, int?> DecisionOf) where TState : class where TMessage : notnull
{
    /// <summary>One line on what the protocol does, for the story's heading.</summary>
    public string Description { get; init; } = "";

    /// <summary>
    /// Messages a process ignores now and for ever (e.g. from a round it has left): their receipt changes nothing, so
    /// the explorer takes it at once instead of interleaving it with everything else — sound for valences and fair
    /// runs alike, since a fair run only has to take such a receipt at some point. Each such receipt is checked to
    /// change nothing (state, sends); a declaration that is wrong is reported, not trusted.
    /// </summary>
    public Func<TState, TMessage, bool>? IgnoredForever { get; init; }

    /// <summary>Configurations explored at most; beyond it the story ends Unknown rather than claim anything.</summary>
    public int MaxConfigurations { get; init; } = 2_000_000;

    /// <summary>Throws, naming the problem, when the protocol cannot be analysed.</summary>
    public void Validate()
    {
        if (Processes is < 2 or > 8) throw new SpecException($"{Name}: FLP's story needs 2 to 8 processes (got {Processes})");
        if (MaxConfigurations < 1) throw new SpecException($"{Name}: MaxConfigurations must be positive (got {MaxConfigurations})");
    }
}

/// <summary>A step of FLP's model: a process's first step, or its receipt of one message.</summary>
public abstract record FlpEvent(int Process);

/// <summary>Process p's first step: it reads its input and may send.</summary>
public sealed record FlpStart(int Process) : FlpEvent(Process)
{
    /// <inheritdoc/>
    public override string ToString() => $"p{Process} starts";
}

/// <summary>Process p receives a message from another process.</summary>
public sealed record FlpReceive(int Process, int From, object Message) : FlpEvent(Process)
{
    /// <inheritdoc/>
    public override string ToString() => $"p{Process} receives {Message} from p{From}";
}

/// <summary>Process p crashes: it takes no step from here on.</summary>
public sealed record FlpCrash(int Process) : FlpEvent(Process)
{
    /// <inheritdoc/>
    public override string ToString() => $"p{Process} crashes";
}

/// <summary>
/// How a protocol escapes FLP's theorem, with the run that shows it: a safety violation (two different decisions, or
/// a decision nobody proposed), or a fair run in which no process ever decides — with one crash, or with none.
/// </summary>
/// <param name="Property">Agreement, Validity, DecisionsAreFinal, DecidesDespiteOneCrash or DecidesOnEveryFairRun.</param>
/// <param name="Inputs">The initial configuration's inputs, process by process.</param>
/// <param name="Prefix">The events from the initial configuration.</param>
/// <param name="Cycle">For a fair non-deciding run: the events repeated for ever after the prefix (empty when nothing is left to do).</param>
/// <param name="Explanation">What the run shows.</param>
public sealed record FlpRun(string Property, IReadOnlyList<int> Inputs, IReadOnlyList<FlpEvent> Prefix, IReadOnlyList<FlpEvent>? Cycle, string Explanation) : Counterexample(Property)
{
    /// <inheritdoc/>
    public override string Describe()
    {
        var lines = new List<string> { $"{Property}: {Explanation}", $"  inputs {string.Join(" ", Inputs.Select((x, p) => $"p{p}={x}"))}" };
        lines.AddRange(Prefix.Select((e, i) => $"  {i + 1,3}. {e}"));
        if (Cycle is null) return string.Join("\n", lines);
        if (Cycle.Count == 0) lines.Add("  then nothing: every message to a live process has been received, and no process has decided");
        else
        {
            lines.Add("  then for ever:");
            lines.AddRange(Cycle.Select((e, i) => $"  {Prefix.Count + i + 1,3}. {e}"));
        }
        return string.Join("\n", lines);
    }
}
