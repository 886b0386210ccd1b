using Verification.Specs;

namespace Verification.Protocols.PrimaryBackup;

// ---- The single failure-free process the pair must look like ----

/// <summary>What one process does: takes an input, emits an output.</summary>
public abstract record ProcessEvent;

/// <summary>The process receives <see cref="Value"/>.</summary>
public sealed record ProcessInput(int Value) : ProcessEvent;

/// <summary>The process emits <see cref="Value"/>.</summary>
public sealed record ProcessOutput(int Value) : ProcessEvent;

/// <summary>
/// One failure-free process running the application (<see cref="Application"/>: a running total, each input answered
/// with the total after it). Its outputs are a function of its inputs: <c>expected</c> is the output sequence the
/// inputs so far determine, and every output must be the next of them. With the liveness monitor, the outputs are
/// eventually all of them: the output sequence equals the process's.
/// </summary>
public static class SingleProcessSpec
{
    public const string Name = "SingleProcess";

    /// <summary>The guard every output must meet: it is the next output the inputs determine.</summary>
    public const string SameOutputs = "SameOutputsAsOneProcess";

    /// <summary>The liveness monitor: hot while an input is unanswered.</summary>
    public const string EveryInputAnswered = "EveryInputAnswered";

    public static Spec<ProcessEvent> Create(int inputs)
    {
        if (inputs < 1) throw new SpecException($"the single-process spec needs at least one input (got {inputs})");
        var spec = new SpecBuilder<ProcessEvent>(Name);
        var total = spec.Variable<int>("total");
        var expected = spec.Sequence<int>("expected", bound: inputs);
        var emitted = spec.Variable<int>("emitted");
        spec.Define(total, initial: 0, next: e => e.When((ProcessInput i) => total.Now + i.Value).Else(total.Now));
        spec.Define(expected, e => e.When((ProcessInput i) => expected.Now.Append(total.Now + i.Value)).Else(expected.Now));
        spec.Define(emitted, initial: 0, next: e => e.When((ProcessOutput o) => emitted.Now + 1).Else(emitted.Now));
        spec.Guard(SameOutputs, e => e.IfIs((ProcessOutput o) => emitted.Now < expected.Now.Length && o.Value == expected.Now.At(emitted.Now)));
        spec.Liveness(EveryInputAnswered, () => emitted.Now < expected.Now.Length);
        return spec.Build();
    }
}

/// <summary>The deterministic application both replicas run, and the single process of the spec.</summary>
public static class Application
{
    /// <summary>The total after <paramref name="input"/>, which is also the output it is answered with.</summary>
    public static int Step(int total, int input) => total + input;

    /// <summary>The value of the client's <paramref name="seq"/>-th input (1-based).</summary>
    public static int InputValue(int seq) => seq;
}

// ---- The pair's history ----

/// <summary>What the primary-backup pair and its client do that the spec sees.</summary>
public abstract record PairEvent;

/// <summary>The client sends its <see cref="Seq"/>-th input (the first time; a re-send to a new primary is not a new input).</summary>
public sealed record InputSent(int Seq, int Value) : PairEvent;

/// <summary>A replica sends the client the output for input <see cref="Seq"/>: the pair's output.</summary>
public sealed record OutputSent(int Node, int Seq, int Value) : PairEvent;

/// <summary>The client receives the output for its <see cref="Seq"/>-th input, from <see cref="Node"/>: the input is acknowledged.</summary>
public sealed record InputAcknowledged(int Node, int Seq) : PairEvent;

/// <summary>
/// The backup takes over: it holds <see cref="InputsHeld"/> inputs (its checkpoint's and its log's) and counts
/// <see cref="OutputsCounted"/> outputs sent by the primary (the checkpoint's and those counted since).
/// </summary>
public sealed record TookOver(int Node, int InputsHeld, int OutputsCounted) : PairEvent;

/// <summary>
/// The pair's own properties, and the pair refining <see cref="SingleProcessSpec"/>: the client's inputs are the
/// process's inputs and every output a replica sends is an output of the process, so the outputs the client is sent
/// are exactly, in order and once each, the outputs of one failure-free process on the same inputs.
/// </summary>
public static class MessageLoggingSpec
{
    public const string Name = "MessageLoggingPair";

    /// <summary>Every input the primary acknowledged is in what the backup takes over with.</summary>
    public const string NoAcknowledgedInputLost = "NoAcknowledgedInputLost";

    /// <summary>The backup takes over knowing exactly how many outputs the primary sent.</summary>
    public const string TakeoverCountsPrimaryOutputs = "TakeoverCountsPrimaryOutputs";

    /// <summary>The refinement's output obligation as the tester names it.</summary>
    public const string SameOutputs = SingleProcessSpec.Name + "." + SingleProcessSpec.SameOutputs;

    /// <param name="primary">The primary's node index (the only node whose outputs the takeover must count).</param>
    public static Spec<PairEvent> Create(int primary = 0)
    {
        var spec = new SpecBuilder<PairEvent>(Name);
        var ackedFromPrimary = spec.Variable<int>("ackedFromPrimary");
        var primarySent = spec.Variable<int>("primarySent");
        var heldAtTakeover = spec.Variable<int>("heldAtTakeover");
        spec.Define(ackedFromPrimary, initial: 0, next: e => e.When((InputAcknowledged a) => a.Node == primary && a.Seq > ackedFromPrimary.Now ? a.Seq : ackedFromPrimary.Now).Else(ackedFromPrimary.Now));
        spec.Define(primarySent, initial: 0, next: e => e.When((OutputSent o) => o.Node == primary ? primarySent.Now + 1 : primarySent.Now).Else(primarySent.Now));
        spec.Define(heldAtTakeover, initial: -1, next: e => e.When((TookOver t) => t.InputsHeld).Else(heldAtTakeover.Now));
        // An acknowledgement from the old primary may still arrive after the takeover, so this is an invariant, not a check at the takeover alone.
        spec.Invariant(NoAcknowledgedInputLost, () => heldAtTakeover.Now < 0 || ackedFromPrimary.Now <= heldAtTakeover.Now);
        spec.StepProperty(TakeoverCountsPrimaryOutputs, e => e.IfIs((TookOver t) => t.OutputsCounted == primarySent.Now));
        return spec.Build();
    }

    /// <summary>The pair's properties and "the pair refines one failure-free process".</summary>
    public static Spec<PairEvent> RefinesSingleProcess(int inputs) =>
        Refinement.Of(Create(), SingleProcessSpec.Create(inputs))
            .MapEvents(e => e
                .When((InputSent i) => (ProcessEvent?)new ProcessInput(i.Value))
                .When((OutputSent o) => new ProcessOutput(o.Value))
                .Else(null))
            .Build();
}
