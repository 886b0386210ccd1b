using System.Runtime.InteropServices;
using System.Text;
using Verification.Runtime;
using Verification.Specs;

namespace Verification.Checkers.Systematic;

internal enum NodeStatus : byte { Up, Stopped, Down, Paused }

/// <summary>The handlers of the node contract (<see cref="INode{TState, TMessage, TTimer, TDurable}"/>).</summary>
internal enum NodeHandler : byte { Start, OnMessage, OnTimer, OnRecover, OnDetector }

/// <summary>A run ends in a failure that is not a spec property: a handler threw, broke the node contract, or a resource bound was hit.</summary>
internal sealed class RunFailure(FailureKind kind, string property, string details) : Exception(details)
{
    public FailureKind Kind { get; } = kind;
    public string Property { get; } = property;
}

/// <summary>
/// A message in flight; Id (unique in a run, not part of the state's identity) lets PCT prioritise each delivery;
/// SentAt is the logical tick it was sent at (read only under synchronous timing).
/// </summary>
internal readonly record struct Envelope<TMessage>(NodeId From, NodeId To, TMessage Message, long Id, long SentAt = 0);

/// <summary>
/// The controlled runtime: the whole system's state (nodes, persisted states, timers, in-flight messages, partition,
/// fault budgets, the spec monitor) and the one way it changes, <see cref="Apply"/>, by an action a strategy chose.
/// Deterministic: the same actions and choices give the same history. Clonable and hashable for DFS.
/// </summary>
internal sealed partial class World<TState, TMessage, TTimer, TDurable, TSpecEvent> where TState : class where TMessage : notnull where TTimer : notnull where TDurable : class where TSpecEvent : class
{
    private readonly Protocol<TState, TMessage, TTimer, TDurable, TSpecEvent> protocol;
    private readonly FaultModel faults;
    private readonly INode<TState, TMessage, TTimer, TDurable>[] nodes;
    private readonly TState?[] states;
    private readonly TDurable?[] persisted;
    private readonly NodeStatus[] status;
    /// <summary>Each node's armed timers, sorted by their text; arrays are replaced, never changed, so clones share them.</summary>
    private readonly TTimer[][] timers;
    private readonly List<Envelope<TMessage>> inFlight;
    // Made on first use: a search clones a world for every new state, and most clones never run a handler.
    private Effects<TMessage, TTimer, TDurable>? effectsBuffer;
    private Effects<TMessage, TTimer, TDurable> effects => effectsBuffer ??= new();
    private readonly int maxInFlight;
    private readonly bool observesEnvironment;
    /// <summary>The run's observed events, kept only when the protocol has a whole-history check.</summary>
    private readonly List<TSpecEvent>? observed;
    private int partitionMask, losses, duplicates, partitions;
    /// <summary>The fault model's roles; each node's role (−1: reliable); crashes so far and nodes down, per role.</summary>
    private readonly NodeRole[] roles;
    private readonly int[] roleOf;
    private readonly int[] roleCrashes, roleDown;
    private readonly bool anyAmnesia;
    /// <summary>The oracle's view: bit n of row s set when subscriber s suspects node n; which nodes were ever suspected (for weak accuracy).</summary>
    private readonly FailureDetector? detector;
    private readonly bool[] subscribed;
    private readonly long[] suspected;
    private long everSuspected;
    private int falseSuspicions;
    private bool stabilized;
    private DetectorReport currentReport = null!;
    /// <summary>Under synchronous timing: the logical clock, and each armed timer's deadline (aligned with <see cref="timers"/>, replaced never changed).</summary>
    private readonly bool synchronous;
    private readonly long[][] deadlines;
    private long now;
    private ObjectGraphHash? graphHash;
    private long nextEnvelope;

    /// <param name="maxInFlight">More messages in flight than this is a resource-limit failure (a protocol that floods the network).</param>
    public World(Protocol<TState, TMessage, TTimer, TDurable, TSpecEvent> protocol, FaultModel faults, INode<TState, TMessage, TTimer, TDurable>[] nodes, int maxInFlight = int.MaxValue)
        : this(protocol, faults, nodes, maxInFlight, new Monitor<TSpecEvent>(protocol.Spec, recordPrefix: false), null)
    {
    }

    /// <param name="template">A world of the same system whose fixed configuration (roles, detector subscriptions) is shared, not derived again: clones are made for every new state of a search.</param>
    private World(Protocol<TState, TMessage, TTimer, TDurable, TSpecEvent> protocol, FaultModel faults, INode<TState, TMessage, TTimer, TDurable>[] nodes, int maxInFlight, Monitor<TSpecEvent> monitor, World<TState, TMessage, TTimer, TDurable, TSpecEvent>? template)
    {
        this.protocol = protocol;
        this.faults = faults;
        this.maxInFlight = maxInFlight;
        this.nodes = nodes;
        var n = protocol.Nodes;
        states = new TState?[n];
        persisted = new TDurable?[n];
        status = new NodeStatus[n];
        timers = new TTimer[n][];
        Array.Fill(timers, []);
        deadlines = new long[n][];
        Array.Fill(deadlines, []);
        inFlight = [];
        detector = faults.Detector;
        if (template is null)
        {
            roles = faults.EffectiveRoles(n).ToArray();
            roleOf = Enumerable.Repeat(-1, n).ToArray();
            for (var r = 0; r < roles.Length; r++)
                foreach (var node in roles[r].Nodes) roleOf[node] = r;
            anyAmnesia = roles.Any(r => r.MaxCrashes > 0 && r.CrashKinds.Contains(CrashKind.Amnesia));
            subscribed = Enumerable.Range(0, n).Select(i => detector is not null && (detector.Subscribers?.Contains(i) ?? true)).ToArray();
            protocol.StateMapping?.CheckAgainst(protocol.Spec);
        }
        else (roles, roleOf, anyAmnesia, subscribed) = (template.roles, template.roleOf, template.anyAmnesia, template.subscribed);
        roleCrashes = roles.Length == 0 ? [] : new int[roles.Length];
        roleDown = roles.Length == 0 ? [] : new int[roles.Length];
        suspected = detector is null ? [] : new long[n];
        synchronous = faults.Timing == Timing.Synchronous;
        observesEnvironment = protocol.EnvironmentEvents is not null;
        observed = protocol.HistoryCheck is null ? null : [];
        Monitor = monitor;
    }

    /// <summary>The nodes' states and persisted states, as a state mapping reads them (over the arrays themselves, so always current).</summary>
    private SystemView<TState, TDurable>? view; // made when a mapping is first checked

    /// <summary>
    /// After a step: the spec's state, reached by the observed events, must equal what the nodes' states map to.
    /// A difference is a safety failure at this step, so replay and minimisation treat it like any other.
    /// </summary>
    private void CheckStateMapping()
    {
        if (protocol.StateMapping is not { } mapping || Violation is not null) return;
        (string Member, object? SpecValue, object? Mapped)? found;
        try
        {
            found = mapping.FirstDifference(view ??= new SystemView<TState, TDurable>(states, persisted), Monitor.Evaluator.ValueOf);
        }
        catch (Exception ex) when (ex is not SpecException)
        {
            throw new RunFailure(FailureKind.ModelError, "StateMappingThrew", $"the state mapping threw {ex.GetType().Name}: {ex.Message}\n  after: {CurrentStep}");
        }
        if (found is not { } difference) return;
        var variable = difference.Member.Split('[')[0];
        throw new RunFailure(FailureKind.Safety, $"{variable}=mapping",
            $"refinement mapping broken after {CurrentStep}: the spec's state, reached by the events observed so far, has {difference.Member} = {Alphabet.FormatValue(difference.SpecValue)}, " +
            $"but the nodes' states map to {Alphabet.FormatValue(difference.Mapped)}");
    }

    // A fork of the source's monitor: a new one would evaluate the spec's initial state again, only to be overwritten.
    private World(World<TState, TMessage, TTimer, TDurable, TSpecEvent> source) : this(source.protocol, source.faults, source.nodes, source.maxInFlight, source.Monitor.Fork(), source)
    {
        CopySystemFrom(source);
        CheckMutation = source.CheckMutation;
        Watch = source.Watch;
    }

    public Monitor<TSpecEvent> Monitor { get; }

    /// <summary>Off after the unfair prefix of a liveness run: no new faults, only recoveries and heals.</summary>
    public bool FaultsEnabled { get; set; } = true;

    /// <summary>When set, every step and every observed event is described here (for counterexamples and replay checks).</summary>
    public List<string>? Trace { get; set; }

    /// <summary>
    /// Check the node contract around every handler call: the state, message and node object a handler is given
    /// must be unchanged when it returns (hashed before and after: see <see cref="ObjectGraphHash"/>), and the state
    /// it returns must not be null.
    /// </summary>
    public bool CheckMutation { get; set; }

    /// <summary>Where the watchdog sees which handler this world is in.</summary>
    public HandlerWatch? Watch { get; set; }

    /// <summary>When true, <see cref="StepFingerprint"/> summarises what each step did (for replay's divergence check).</summary>
    public bool Fingerprinting { get; set; }

    /// <summary>A hash of the last step's effects, observed events and the handling node's new state (when <see cref="Fingerprinting"/>).</summary>
    public ulong StepFingerprint { get; private set; }

    // The step being applied, kept so that a report of a handler that throws or breaks the contract can say what it
    // was handling; described only when a report needs it (describing every step would cost more than running it).
    private ScheduledAction currentAction;
    private Envelope<TMessage> currentEnvelope;
    private int startingNode = -1;

    private string CurrentStep => startingNode >= 0 ? $"start {new NodeId(startingNode)}" : currentAction.Kind switch
    {
        ActionKind.Deliver => $"deliver {currentEnvelope.From}→{currentEnvelope.To}: {Text(currentEnvelope.Message)}",
        ActionKind.Fire => $"timer {new NodeId(currentAction.Node)} '{firedTimer}'",
        ActionKind.Recover => $"recover {new NodeId(currentAction.Node)}",
        ActionKind.Report => $"tell {new NodeId(currentAction.Node)}: {currentReport}",
        _ => currentAction.Kind.ToString().ToLowerInvariant(),
    };
    public Violation? Violation => Monitor.Violation;

    /// <summary>
    /// The "operation" an action belongs to, for PCT's priorities: each message delivery is its own (so reorderings are
    /// explored), timers belong to their node (0..N−1), faults to the environment (N).
    /// </summary>
    public long ActorOf(ScheduledAction action) => action.Kind switch
    {
        ActionKind.Deliver => protocol.Nodes + 1 + inFlight[action.Item].Id,
        ActionKind.Fire => action.Node,
        _ => protocol.Nodes,
    };

    public World<TState, TMessage, TTimer, TDurable, TSpecEvent> Clone() => new(this);

    /// <summary>Makes this world equal to <paramref name="source"/> without allocating (a scratch copy for exploring one transition).</summary>
    /// <param name="copiedBack">This world is copied back onto <paramref name="source"/> next (a depth-first search keeps
    /// a new state by copying its scratch world into a world of its own, then expands that state on the scratch world):
    /// the source remembers it equals this world, so that copy writes no node.</param>
    public void CopyFrom(World<TState, TMessage, TTimer, TDurable, TSpecEvent> source, bool copiedBack = false)
    {
        // The spec's values change only with an event (each one counted in the evaluator's length; a renaming, the
        // other way, marks every node changed): a copy back from the same world after a step that gave none keeps them.
        var specUnchanged = CopySystemFrom(source) && Monitor.Evaluator.Length == specLengthWhenCopied;
        if (!specUnchanged) Monitor.CopyFrom(source.Monitor);
        specLengthWhenCopied = Monitor.Evaluator.Length;
        if (copiedBack) source.NoteCopyOf(this);
    }

    /// <summary>Everything but the monitor; true when only the nodes changed since the last copy from the same, unchanged world were written back.</summary>
    private bool CopySystemFrom(World<TState, TMessage, TTimer, TDurable, TSpecEvent> source)
    {
        // Only what differs is written (ChangedCopy.cs): this runs before every transition, onto a world that differs
        // in a node or two — and when it is the same world as last time, unchanged since, only the nodes changed since.
        var restored = RestoreChangedNodes(source);
        if (!restored)
        {
            ChangedCopy.Into(source.states, states);
            ChangedCopy.Into(source.persisted, persisted);
            ChangedCopy.Into(source.status, status);
            ChangedCopy.Into(source.timers, timers);
            ChangedCopy.Into(source.deadlines, deadlines);
            ChangedCopy.Into(source.suspected, suspected);
        }
        CopyInFlightFrom(source);
        partitionMask = source.partitionMask;
        ChangedCopy.Into(source.roleCrashes, roleCrashes);
        ChangedCopy.Into(source.roleDown, roleDown);
        everSuspected = source.everSuspected;
        falseSuspicions = source.falseSuspicions;
        stabilized = source.stabilized;
        now = source.now;
        losses = source.losses;
        duplicates = source.duplicates;
        partitions = source.partitions;
        nextEnvelope = source.nextEnvelope;
        FaultsEnabled = source.FaultsEnabled;
        // The last ignored messages are per node too: when restored, written back with the changed nodes.
        if (!restored && source.ignoredEarlier is { } ignored) CopyIgnoredFrom(ignored);
        else if (!restored && ignoredEarlier is not null)
            for (var i = 0; i < ignoredEarlier.Length; i++) ignoredEarlier[i] = null;
        if (observed is not null)
        {
            observed.Clear();
            observed.AddRange(source.observed!);
        }
        return restored;
    }

    public void Start(IChoiceSource choices)
    {
        ChangedAll();
        for (var i = 0; i < nodes.Length; i++)
        {
            var self = new NodeId(i);
            effects.Reset(self, nodes.Length, choices);
            startingNode = i;
            Trace?.Add($"start {self}");
            states[i] = Call(i, NodeHandler.Start, null, default, effects);
            Process(i);
            if (Violation is not null) break;
        }
        CheckStateMapping();
        startingNode = -1;
    }

    /// <summary>Appends every enabled action, in a fixed order: deliveries, drops, duplicates, timers, then faults.</summary>
    public void Enumerate(List<ScheduledAction> enabled)
    {
        for (var m = 0; m < inFlight.Count; m++)
            if (Deliverable(m)) enabled.Add(new ScheduledAction(ActionKind.Deliver, inFlight[m].To.Index, m));
        if (FaultsEnabled && losses < faults.MaxLosses)
            for (var m = 0; m < inFlight.Count; m++) enabled.Add(new ScheduledAction(ActionKind.Drop, inFlight[m].To.Index, m));
        if (FaultsEnabled && duplicates < faults.MaxDuplicates)
            for (var m = 0; m < inFlight.Count; m++) enabled.Add(new ScheduledAction(ActionKind.Duplicate, inFlight[m].To.Index, m));
        var nextDeadline = synchronous ? NextDeadline() : 0;
        for (var n = 0; n < status.Length; n++)
            if (status[n] == NodeStatus.Up)
                for (var t = 0; t < timers[n].Length; t++)
                    if (!synchronous || deadlines[n][t] == nextDeadline) enabled.Add(new ScheduledAction(ActionKind.Fire, n, t));
        if (detector is not null) EnumerateReports(enabled);
        if (FaultsEnabled)
            for (var n = 0; n < status.Length; n++)
            {
                if (status[n] != NodeStatus.Up || roleOf[n] < 0) continue;
                var role = roles[roleOf[n]];
                if (roleCrashes[roleOf[n]] >= role.MaxCrashes || roleDown[roleOf[n]] >= role.MaxDownAtOnce || LastNeverSuspected(n)) continue;
                foreach (var kind in role.CrashKinds) enabled.Add(new ScheduledAction(ActionKind.Crash, n, 0, kind));
            }
        for (var n = 0; n < status.Length; n++)
            if (status[n] is NodeStatus.Down or NodeStatus.Paused) enabled.Add(new ScheduledAction(ActionKind.Recover, n, 0));
        if (partitionMask != 0) enabled.Add(new ScheduledAction(ActionKind.Heal, 0, 0));
        else if (FaultsEnabled && partitions < faults.MaxPartitions)
        {
            // Every split of the partitionable nodes into two sides, the lowest of them always on the first side
            // (FaultModel.Validate bounds the node count); reliable nodes keep every link.
            var cuttable = 0;
            for (var n = 0; n < status.Length; n++)
                if (Partitionable(n)) cuttable |= 1 << n;
            var lowest = cuttable & -cuttable;
            var first = enabled.Count;
            for (var mask = (cuttable - 1) & cuttable; mask > 0; mask = (mask - 1) & cuttable)
                if ((mask & lowest) != 0) enabled.Add(new ScheduledAction(ActionKind.Partition, 0, mask));
            enabled.Reverse(first, enabled.Count - first); // ascending masks
        }
        if (detector is { Stabilizes: true } && !stabilized && FaultsEnabled && (detector.Accuracy != Accuracy.EventuallyWeak || SomeUpNodeUnsuspected()))
            enabled.Add(new ScheduledAction(ActionKind.Stabilize, 0, 0));
    }

    private bool Partitionable(int node) => roleOf[node] >= 0 && roles[roleOf[node]].Partitionable;

    /// <summary>The earliest deadline among the live nodes' armed timers that no message still due before it holds back (long.MaxValue: none may fire).</summary>
    private long NextDeadline()
    {
        var earliest = long.MaxValue;
        for (var n = 0; n < status.Length; n++)
            if (status[n] == NodeStatus.Up)
                foreach (var deadline in deadlines[n]) earliest = Math.Min(earliest, deadline);
        // A message that can still arrive must arrive by SentAt + MaxMessageDelay: no timer due after that fires first.
        for (var m = 0; m < inFlight.Count; m++)
            if (Deliverable(m) && inFlight[m].SentAt + faults.MaxMessageDelay < earliest) return long.MaxValue;
        return earliest;
    }

    /// <summary>Appends the reports the oracle may make now, within its completeness and accuracy.</summary>
    private void EnumerateReports(List<ScheduledAction> enabled)
    {
        for (var s = 0; s < status.Length; s++)
        {
            if (!subscribed[s] || status[s] != NodeStatus.Up) continue;
            for (var n = 0; n < status.Length; n++)
            {
                if (n == s) continue;
                var alive = status[n] == NodeStatus.Up;
                if (((suspected[s] >> n) & 1) == 1)
                {
                    // A suspicion of a live node (false, or from before it recovered) may be withdrawn at any point.
                    if (alive) enabled.Add(new ScheduledAction(ActionKind.Report, s, 2 * n));
                }
                else if (!alive)
                {
                    // Strong completeness tells every live subscriber; weak completeness one, while none suspects it.
                    if (detector!.Completeness == Completeness.Strong || !SuspectedByLiveSubscriber(n))
                        enabled.Add(new ScheduledAction(ActionKind.Report, s, 2 * n + 1));
                }
                else if (FalseSuspicionAllowed(n)) enabled.Add(new ScheduledAction(ActionKind.Report, s, 2 * n + 1));
            }
        }
    }

    private bool SuspectedByLiveSubscriber(int node)
    {
        for (var s = 0; s < status.Length; s++)
            if (subscribed[s] && status[s] == NodeStatus.Up && ((suspected[s] >> node) & 1) == 1) return true;
        return false;
    }

    private bool FalseSuspicionAllowed(int node)
    {
        if (!FaultsEnabled || falseSuspicions >= detector!.MaxFalseSuspicions) return false;
        return detector.Accuracy switch
        {
            Accuracy.Strong => false,
            Accuracy.EventuallyStrong => !stabilized,
            Accuracy.Weak => AnotherUpNodeNeverSuspected(node),
            _ => !stabilized || AnotherUpNodeNeverSuspected(node),
        };
    }

    /// <summary>Whether weak accuracy binds now (W and S always; ◇W and ◇S after stabilising).</summary>
    private bool WeakAccuracyBinds => detector is { } d && (d.Accuracy == Accuracy.Weak || (d.Accuracy == Accuracy.EventuallyWeak && stabilized));

    private bool AnotherUpNodeNeverSuspected(int node)
    {
        for (var m = 0; m < status.Length; m++)
            if (m != node && status[m] == NodeStatus.Up && ((everSuspected >> m) & 1) == 0) return true;
        return false;
    }

    /// <summary>Under weak accuracy the last live node never suspected is the correct one the class promises: it does not crash.</summary>
    private bool LastNeverSuspected(int node) => WeakAccuracyBinds && ((everSuspected >> node) & 1) == 0 && !AnotherUpNodeNeverSuspected(node);

    private bool SomeUpNodeUnsuspected()
    {
        for (var n = 0; n < status.Length; n++)
            if (status[n] == NodeStatus.Up && !SuspectedByLiveSubscriber(n)) return true;
        return false;
    }

    private bool Deliverable(int m)
    {
        var envelope = inFlight[m];
        if (status[envelope.To.Index] != NodeStatus.Up || !Connected(envelope.From.Index, envelope.To.Index)) return false;
        if (faults.Network == NetworkOrder.Unordered) return true;
        for (var earlier = 0; earlier < m; earlier++)
            if (inFlight[earlier].From == envelope.From && inFlight[earlier].To == envelope.To) return false;
        return true;
    }

    private bool Connected(int a, int b) => partitionMask == 0 || !Partitionable(a) || !Partitionable(b) || ((partitionMask >> a) & 1) == ((partitionMask >> b) & 1);

    /// <summary>A stable description of an action in this state; replay and minimisation find actions by it.</summary>
    public string Describe(ScheduledAction action) => action.Kind switch
    {
        ActionKind.Deliver => $"deliver {inFlight[action.Item].From}→{inFlight[action.Item].To}: {Text(inFlight[action.Item].Message)}",
        ActionKind.Drop => $"drop {inFlight[action.Item].From}→{inFlight[action.Item].To}: {Text(inFlight[action.Item].Message)}",
        ActionKind.Duplicate => $"duplicate {inFlight[action.Item].From}→{inFlight[action.Item].To}: {Text(inFlight[action.Item].Message)}",
        ActionKind.Fire => $"timer {new NodeId(action.Node)} '{timers[action.Node][action.Item]}'",
        ActionKind.Crash => $"crash {new NodeId(action.Node)} ({action.Crash.ToString().ToLowerInvariant()})",
        ActionKind.Recover => $"recover {new NodeId(action.Node)}",
        ActionKind.Partition => $"partition {Groups(action.Item)}",
        ActionKind.Report => $"tell {new NodeId(action.Node)}: {((action.Item & 1) == 1 ? "suspect" : "trust")} {new NodeId(action.Item >> 1)}",
        ActionKind.Stabilize => "the failure detector stabilises",
        _ => "heal the partition",
    };

    /// <summary>A message's text, cut to <see cref="MaxMessageText"/> characters with a hash of the rest, so a schedule stays small and still tells messages apart.</summary>
    private static string Text(object? value)
    {
        string text;
        try
        {
            text = value?.ToString() ?? "null";
        }
        catch (OutOfMemoryException)
        {
            throw new RunFailure(FailureKind.ResourceLimit, "MessageSize", $"a message of type {value!.GetType().Name} is too large to describe (its ToString ran out of memory)");
        }
        return text.Length <= MaxMessageText ? text : $"{text[..MaxMessageText]}… ({text.Length} characters, #{StableHash.Of(text):x16})";
    }

    /// <summary>Longest message text kept in a step's description.</summary>
    public const int MaxMessageText = 2000;

    private string Groups(int mask)
    {
        var inside = Enumerable.Range(0, status.Length).Where(i => ((mask >> i) & 1) == 1).Select(i => new NodeId(i).ToString());
        var outside = Enumerable.Range(0, status.Length).Where(i => ((mask >> i) & 1) == 0 && Partitionable(i)).Select(i => new NodeId(i).ToString());
        return $"{{{string.Join(",", inside)}}} | {{{string.Join(",", outside)}}}";
    }

    public void Apply(ScheduledAction action, IChoiceSource choices)
    {
        Trace?.Add(Describe(action));
        // Field by field: the action arrives in two registers, and a copy of the whole struct read it back from the
        // stack in one load, stalling on the two stores (a store-forwarding stall on every step).
        currentAction = new ScheduledAction(action.Kind, action.Node, action.Item, action.Crash);
        SpecEventsThisStep = 0;
        if (action.Kind is ActionKind.Deliver or ActionKind.Drop or ActionKind.Duplicate) currentEnvelope = inFlight[action.Item];
        StepFingerprint = 0;
        // A step changes the per-node arrays of the node it acts on only (a delivery's addressee, whose handler runs).
        Changed(action.Kind is ActionKind.Deliver or ActionKind.Drop or ActionKind.Duplicate ? inFlight[action.Item].To.Index : action.Node);
        switch (action.Kind)
        {
            case ActionKind.Deliver:
            {
                var envelope = inFlight[action.Item];
                inFlight.RemoveAt(action.Item);
                if (observesEnvironment) Emit(new MessageDelivered(envelope.From, envelope.To, envelope.Message));
                Deliver(envelope, choices);
                break;
            }
            case ActionKind.Drop:
            {
                var envelope = inFlight[action.Item];
                inFlight.RemoveAt(action.Item);
                losses++;
                if (observesEnvironment) Emit(new MessageDropped(envelope.From, envelope.To, envelope.Message));
                break;
            }
            case ActionKind.Duplicate:
            {
                var envelope = inFlight[action.Item] with { Id = nextEnvelope++ };
                inFlight.Add(envelope);
                duplicates++;
                if (observesEnvironment) Emit(new MessageDuplicated(envelope.From, envelope.To, envelope.Message));
                break;
            }
            case ActionKind.Fire:
            {
                var node = action.Node;
                var timer = timers[node][action.Item];
                var timerInput = TimerInput(node, action.Item);
                if (synchronous) now = Math.Max(now, deadlines[node][action.Item]);
                timers[node] = Without(timers[node], action.Item);
                deadlines[node] = Without(deadlines[node], action.Item);
                if (observesEnvironment) Emit(new TimerFired(new NodeId(node), timer));
                firedTimer = timer;
                Handle(node, NodeHandler.OnTimer, null, default, timerInput, choices);
                break;
            }
            case ActionKind.Crash:
            {
                var node = action.Node;
                roleCrashes[roleOf[node]]++;
                roleDown[roleOf[node]]++;
                status[node] = action.Crash switch { CrashKind.Stop => NodeStatus.Stopped, CrashKind.Amnesia => NodeStatus.Down, _ => NodeStatus.Paused };
                if (action.Crash != CrashKind.Pause)
                {
                    states[node] = null; // volatile state is gone
                    timers[node] = [];
                    deadlines[node] = [];
                    if (suspected.Length > 0) suspected[node] = 0; // and what the detector had told it: it is told again
                }
                if (observesEnvironment) Emit(new NodeCrashed(new NodeId(node), action.Crash));
                break;
            }
            case ActionKind.Recover:
            {
                var node = action.Node;
                var wasDown = status[node] == NodeStatus.Down;
                status[node] = NodeStatus.Up;
                roleDown[roleOf[node]]--;
                if (observesEnvironment) Emit(new NodeRecovered(new NodeId(node)));
                if (wasDown)
                {
                    effects.Reset(new NodeId(node), nodes.Length, choices);
                    states[node] = Call(node, NodeHandler.OnRecover, null, default, effects);
                    Process(node);
                }
                break;
            }
            case ActionKind.Partition:
                partitionMask = action.Item;
                partitions++;
                if (observesEnvironment) Emit(new NetworkPartitioned(Groups(action.Item)));
                break;
            case ActionKind.Report:
            {
                var subscriber = action.Node;
                var about = action.Item >> 1;
                var suspect = (action.Item & 1) == 1;
                var alive = status[about] == NodeStatus.Up;
                if (suspect)
                {
                    suspected[subscriber] |= 1L << about;
                    everSuspected |= 1L << about;
                    if (alive) falseSuspicions++;
                }
                else suspected[subscriber] &= ~(1L << about);
                currentReport = suspect ? new Suspect(new NodeId(about)) : new Trust(new NodeId(about));
                if (observesEnvironment) Emit(new DetectorReported(new NodeId(subscriber), currentReport, suspect != alive));
                effects.Reset(new NodeId(subscriber), nodes.Length, choices);
                states[subscriber] = Call(subscriber, NodeHandler.OnDetector, null, default, effects);
                Process(subscriber);
                break;
            }
            case ActionKind.Stabilize:
                stabilized = true;
                // From here on weak accuracy protects a live node no subscriber suspects now.
                everSuspected = 0;
                for (var s = 0; s < suspected.Length; s++)
                    if (subscribed[s] && status[s] == NodeStatus.Up) everSuspected |= suspected[s];
                if (observesEnvironment) Emit(new DetectorStabilized());
                break;
            default:
                partitionMask = 0;
                if (observesEnvironment) Emit(new NetworkHealed());
                break;
        }
        CheckStateMapping();
    }

    private TTimer firedTimer = default!;

    /// <summary>
    /// One handler call of <paramref name="node"/>, under the node contract: an exception becomes a handler-exception
    /// failure naming the node, the handler and the step; with <see cref="CheckMutation"/>, a state, message or node
    /// object changed in place, or a null state returned, is a model error; the watchdog sees the call.
    /// </summary>
    private TState Call(int node, NodeHandler handler, NodeId? from, TMessage? message, Effects<TMessage, TTimer, TDurable> effects)
    {
        var self = nodes[node];
        var state = states[node];
        ulong stateBefore = 0, messageBefore = 0, nodeBefore = 0;
        if (CheckMutation)
        {
            graphHash ??= new ObjectGraphHash();
            stateBefore = handler == NodeHandler.OnRecover ? graphHash.Of(persisted[node]) : graphHash.Of(state);
            messageBefore = graphHash.Of(message);
            nodeBefore = graphHash.Of(self);
        }
        Watch?.Enter(node, handler);
        TState next;
        try
        {
            next = handler switch
            {
                NodeHandler.Start => self.Start(effects),
                NodeHandler.OnMessage => self.OnMessage(state!, from!.Value, message!, effects),
                NodeHandler.OnTimer => self.OnTimer(state!, firedTimer, effects),
                NodeHandler.OnDetector => self.OnDetector(state!, currentReport, effects),
                _ => self.OnRecover(persisted[node], effects),
            };
        }
        catch (Exception ex) when (ex is not RunFailure)
        {
            Watch?.Exit();
            var frames = ex.StackTrace?.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).Take(3) ?? [];
            throw new RunFailure(FailureKind.HandlerException, ex.GetType().Name,
                $"{new NodeId(node)}'s {handler} threw {ex.GetType().Name}: {ex.Message}\n  while handling: {CurrentStep}\n  " + string.Join("\n  ", frames));
        }
        Watch?.Exit();
        if (next is null)
            throw new RunFailure(FailureKind.ModelError, "NullState", $"{new NodeId(node)}'s {handler} returned a null state\n  while handling: {CurrentStep}");
        if (CheckMutation)
        {
            var stateAfter = handler == NodeHandler.OnRecover ? graphHash!.Of(persisted[node]) : graphHash!.Of(state);
            if (stateAfter != stateBefore)
                throw new RunFailure(FailureKind.ModelError, "StateChangedInPlace",
                    $"{new NodeId(node)}'s {handler} changed the {(handler == NodeHandler.OnRecover ? "persisted" : "")} state object it was given, in place\n  while handling: {CurrentStep}\n"
                    + "  node states must be immutable (records whose fields are immutable: build the next state with 'with' and new collections, e.g. ValueArray); "
                    + "the tester shares states between runs, persisted copies and explored states, so a change in place corrupts them");
            if (graphHash.Of(message) != messageBefore)
                throw new RunFailure(FailureKind.ModelError, "MessageChangedInPlace",
                    $"{new NodeId(node)}'s {handler} changed the message it was given, in place\n  while handling: {CurrentStep}\n  messages must be immutable: the network may deliver the same message object again (duplication) and exploration shares it");
            if (graphHash.Of(self) != nodeBefore)
                throw new RunFailure(FailureKind.ModelError, "NodeObjectChanged",
                    $"{new NodeId(node)}'s {handler} changed a field of its node object ({self.GetType().Name})\n  while handling: {CurrentStep}\n  node objects must hold no mutable state: keep everything that changes in TState");
        }
        return next;
    }

    /// <summary>Timers in the order of their text, so an enum's timers and a record's are ordered the same way in every run and process.</summary>
    private static readonly IComparer<TTimer> TimerOrder = Comparer<TTimer>.Create((a, b) => string.CompareOrdinal(a.ToString(), b.ToString()));

    /// <summary>Applies a handler's effects: persists first (persist-before-send), then sends, timers and observations in order.</summary>
    private void Process(int node) => Process(node, effects.Span);

    /// <param name="items">The effects of the call just made, or of an equal call, replayed (<see cref="Memo"/>).</param>
    private void Process(int node, ReadOnlySpan<Effect> items)
    {
        for (var i = 0; i < items.Length; i++)
            if (items[i] is Persist<TDurable> persist) persisted[node] = persist.Durable;
        var self = new NodeId(node);
        for (var i = 0; i < items.Length && Violation is null; i++)
        {
            switch (items[i])
            {
                case Send<TMessage> send:
                    if (inFlight.Count >= maxInFlight)
                        throw new RunFailure(FailureKind.ResourceLimit, "MaxMessagesInFlight",
                            $"{self} sent a message while {inFlight.Count} were in flight, the bound of this test (TestOptions.MaxMessagesInFlight)\n  while handling: {CurrentStep}\n  a protocol that floods the network (or a bound set too low)");
                    inFlight.Add(new Envelope<TMessage>(self, send.To, send.Message, nextEnvelope++, now));
                    if (observesEnvironment) Emit(new MessageSent(self, send.To, send.Message));
                    break;
                case SetTimer<TTimer> set:
                    Arm(node, set.Timer, now + set.Length);
                    break;
                case CancelTimer<TTimer> cancel:
                    var armed = IndexOf(timers[node], cancel.Timer);
                    if (armed >= 0)
                    {
                        timers[node] = Without(timers[node], armed);
                        deadlines[node] = Without(deadlines[node], armed);
                    }
                    break;
                case Observe observe:
                    if (observe.Event is not TSpecEvent specEvent)
                        throw new SpecException($"{self} observed {observe.Event}, which is not an event of spec '{protocol.Spec.Name}' ({typeof(TSpecEvent).Name})");
                    Trace?.Add($"    {self} observes {Alphabet.Describe(specEvent)}");
                    observed?.Add(specEvent);
                    Monitor.Append(specEvent);
                    SpecEventsThisStep++;
                    break;
            }
        }
        if (Fingerprinting) StepFingerprint = FingerprintOf(node);
        if (ignoredEarlier is not null) CheckStillIgnored(node);
    }

    /// <summary>A new array: <paramref name="items"/> without the one at <paramref name="index"/> (timer arrays are replaced, never changed).</summary>
    private static T[] Without<T>(T[] items, int index) => items.Length == 1 ? [] : [.. items.AsSpan(0, index), .. items.AsSpan(index + 1)];

    /// <summary>Where <paramref name="timer"/> is among a node's armed timers, or −1.</summary>
    /// <remarks>A loop, not Array.FindIndex with a lambda: the lambda's capture was allocated for every effect a step processed.</remarks>
    private static int IndexOf(TTimer[] armed, TTimer timer)
    {
        for (var i = 0; i < armed.Length; i++)
            if (EqualityComparer<TTimer>.Default.Equals(armed[i], timer)) return i;
        return -1;
    }

    /// <summary>Arms a timer (once: arming an armed one moves its deadline), keeping the node's timers in their text order.</summary>
    private void Arm(int node, TTimer timer, long deadline)
    {
        var at = IndexOf(timers[node], timer);
        if (at >= 0)
        {
            if (deadlines[node][at] == deadline) return;
            deadlines[node] = (long[])deadlines[node].Clone();
            deadlines[node][at] = deadline;
            return;
        }
        var position = 0;
        while (position < timers[node].Length && TimerOrder.Compare(timers[node][position], timer) <= 0) position++;
        timers[node] = [.. timers[node][..position], timer, .. timers[node][position..]];
        deadlines[node] = [.. deadlines[node][..position], deadline, .. deadlines[node][position..]];
    }

    /// <summary>What a handler call did, as a stable hash: its effects in order and the node's new state, as text (never object hash codes, which differ between processes).</summary>
    private ulong FingerprintOf(int node)
    {
        var hash = StableHash.Start;
        foreach (var item in effects.Items)
            hash = StableHash.Add(hash, item switch
            {
                Send<TMessage> send => $"send {send.To} {send.Message}",
                SetTimer<TTimer> set => set.Length == 1 ? $"timer {set.Timer}" : $"timer {set.Timer} after {set.Length}",
                CancelTimer<TTimer> cancel => $"cancel {cancel.Timer}",
                Persist<TDurable> persist => $"persist {persist.Durable}",
                Observe observe => $"observe {Alphabet.Describe(observe.Event)}",
                _ => item.ToString() ?? "",
            });
        return StableHash.Add(hash, states[node]?.ToString() ?? "null");
    }

    /// <summary>A short description of the state of one node, for divergence reports.</summary>
    public string DescribeNode(int node) => $"{new NodeId(node)} [{status[node].ToString().ToLowerInvariant()}] {states[node]?.ToString() ?? "-"}";

    /// <summary>Feeds an environment event to the spec, when the protocol maps it into the spec's alphabet.</summary>
    private void Emit(EnvironmentEvent environmentEvent)
    {
        if (Violation is null && protocol.EnvironmentEvents!(environmentEvent) is { } mapped)
        {
            observed?.Add(mapped);
            Monitor.Append(mapped);
            SpecEventsThisStep++;
        }
    }

    /// <summary>
    /// The exact identity of this state for visited-state sets: node, durable and network state, budgets, and the
    /// spec's values. Values (node states, messages, the spec's references) enter as their numbers in
    /// <paramref name="numbering"/>, so a key is a short byte string and equal values are stored once per search.
    /// </summary>
    public StateKey Key(ValueNumbering numbering)
    {
        WriteKey(numbering);
        return numbering.Writer.ToKey();
    }

    /// <summary>Writes this state's key into <paramref name="numbering"/>'s writer (for stores that keep less than the whole key).</summary>
    public void WriteKey(ValueNumbering numbering)
    {
        var (specNumbers, specObjects) = specKeySize ??= Monitor.Evaluator.KeySize(); // the spec's shape never changes
        var writer = numbering.Writer;
        writer.Clear();
        var key = writer.Reserve(KeyNumbersAtMost(specNumbers + specObjects));
        // Each part as few numbers as tell states apart (a key is written at every transition, and stored): the
        // partition and whether faults are still enabled in one, a node's timers and whether a persisted state follows
        // in one, a message's link (sender and addressee) in one.
        var at = KeyWriter.Put(key, 0, 2L * partitionMask + (FaultsEnabled ? 1 : 0));
        at = WriteBudgets(key, at);
        // Under the protocol's symmetry every state and message is shifted by one offset before comparison.
        var normalizer = protocol.Normalizer;
        var offset = normalizer is null ? 0 : normalizer.Offset(states.OfType<TState>(), persisted.OfType<TDurable>(), inFlight.Select(e => e.Message));
        RememberNumbersOf(numbering);
        for (var node = 0; node < states.Length; node++)
        {
            var state = states[node];
            // The state's number and the status (two bits) in one number: one byte for most nodes, not two.
            var stateNumber = offset == 0 ? StateNumber(node, numbering) : numbering.Number(state is null ? null : normalizer!.State(state, offset));
            at = KeyWriter.Put(key, at, 4L * stateNumber + (long)status[node]);
            // What a node persisted matters only while a crash with amnesia can still make it read it back.
            var durable = status[node] == NodeStatus.Down || (anyAmnesia && AmnesiaPossible(node)) ? persisted[node] : null;
            at = KeyWriter.Put(key, at, 2L * TimersNumber(node, numbering) + (durable is null ? 0 : 1));
            if (durable is not null) at = KeyWriter.Put(key, at, numbering.Number(offset == 0 ? durable : normalizer!.Durable(durable, offset)));
            // Under synchronous timing, when each timer is due, counted from now (the clock itself only grows).
            if (synchronous)
                foreach (var deadline in deadlines[node]) at = KeyWriter.Put(key, at, deadline - now);
        }
        if (detector is not null)
        {
            foreach (var row in suspected) at = KeyWriter.Put(key, at, row);
            at = KeyWriter.Put(key, at, everSuspected);
            at = KeyWriter.Put(key, at, falseSuspicions);
            at = KeyWriter.Put(key, at, stabilized ? 1 : 0);
        }
        // An unordered network's in-flight messages are a multiset: their numbers in a canonical order.
        // A message to a node that stopped for good can never arrive: it is left out, or a protocol that keeps
        // sending to a stopped node (a heartbeat, a ping) would never revisit a state and no search would end.
        var envelopes = CollectionsMarshal.AsSpan(inFlight);
        var channels = numbering.Channels(envelopes.Length);
        var slacks = synchronous ? new List<long>() : null;
        var count = 0;
        foreach (ref readonly var envelope in envelopes)
        {
            if (status[envelope.To.Index] == NodeStatus.Stopped) continue;
            var number = offset == 0 ? MessageNumber(envelope, numbering) : numbering.Number(normalizer!.Message(envelope.Message, offset));
            channels[count++] = Channel(envelope.From.Index, envelope.To.Index, number);
            slacks?.Add(Math.Max(0, envelope.SentAt + faults.MaxMessageDelay - now));
        }
        at = WriteChannels(key, at, channels[..count], slacks);
        var numbers = numbering.SpecNumbers(specNumbers);
        var objects = numbering.SpecObjects(specObjects);
        int n = 0, o = 0;
        Monitor.Evaluator.AddKey(numbers, ref n, objects, ref o);
        for (var i = 0; i < specNumbers; i++) at = KeyWriter.Put(key, at, numbers[i]);
        for (var i = 0; i < specObjects; i++) at = KeyWriter.Put(key, at, SpecObjectNumber(i, objects[i], numbering));
        writer.Commit(at);
    }

    /// <summary>How many numbers a key of this world holds at most (the room <see cref="KeyWriter.Reserve"/> is asked for).</summary>
    private int KeyNumbersAtMost(int specSlots)
    {
        var numbers = 1 + 2 * roles.Length + 4 + 3 * states.Length + suspected.Length + 3 + 1 + 3 * inFlight.Count + specSlots;
        if (!synchronous) return numbers;
        foreach (var armed in deadlines) numbers += armed.Length;
        return numbers;
    }

    /// <summary>A message in flight as one number, sender and addressee above its message's number, so that sorting these sorts by link first.</summary>
    private static long Channel(int from, int to, int message) => ((long)(from * 65536 + to) << 32) | (uint)message;

    /// <summary>
    /// The fault budgets' part of a key. A budget's use matters only while it can run out: an unbounded one adds
    /// nothing, and nor does a budget of none (its use is always 0). Which budgets are written depends on the fault
    /// model alone, the same for every state of a search.
    /// </summary>
    private int WriteBudgets(Span<byte> key, int at)
    {
        for (var r = 0; r < roles.Length; r++)
        {
            if (roles[r].MaxCrashes == 0) continue; // never crashes: none down either
            if (roles[r].MaxCrashes != FaultModel.Unbounded) at = KeyWriter.Put(key, at, roleCrashes[r]);
            at = KeyWriter.Put(key, at, roleDown[r]);
        }
        if (Limited(faults.MaxLosses)) at = KeyWriter.Put(key, at, losses);
        if (Limited(faults.MaxDuplicates)) at = KeyWriter.Put(key, at, duplicates);
        if (Limited(faults.MaxPartitions)) at = KeyWriter.Put(key, at, partitions);
        return at;
    }

    /// <summary>Whether a budget's use so far can change what may happen next: it allows some, and not without end.</summary>
    private static bool Limited(int budget) => budget > 0 && budget != FaultModel.Unbounded;

    /// <summary>The network's part of a key: each message in flight as (sender, addressee, message number), in the network's order.</summary>
    private int WriteChannels(Span<byte> key, int at, Span<long> channels, List<long>? slacks)
    {
        if (slacks is not null) return WriteTimedChannels(key, at, channels, slacks);
        if (faults.Network == NetworkOrder.Unordered) SortSmall(channels);
        else SortByLink(channels);
        at = KeyWriter.Put(key, at, channels.Length);
        // Sorted as one number each, written as two small ones (the link, the message): a few bytes, not eight.
        var nodes = states.Length;
        foreach (var channel in channels)
        {
            at = KeyWriter.Put(key, at, ((channel >> 48) & 0xFFFF) * nodes + ((channel >> 32) & 0xFFFF));
            at = KeyWriter.Put(key, at, (uint)channel);
        }
        return at;
    }

    /// <summary>Under synchronous timing, how long each message may still take matters too: each paired with its message, the pairs sorted.</summary>
    /// <remarks>Apart from <see cref="WriteKey"/> so that its lambdas' captures cost nothing on the common path.</remarks>
    private int WriteTimedChannels(Span<byte> key, int at, Span<long> channels, List<long> slacks)
    {
        var timed = channels.ToArray().Select((channel, i) => (channel, slacks[i])).ToList();
        if (faults.Network == NetworkOrder.Unordered) timed.Sort();
        else timed = [.. timed.OrderBy(pair => pair.channel >> 32)]; // stable: each link keeps its order
        at = KeyWriter.Put(key, at, timed.Count);
        foreach (var (channel, slack) in timed)
        {
            at = KeyWriter.Put(key, at, channel);
            at = KeyWriter.Put(key, at, slack);
        }
        return at;
    }

    /// <summary>Sorts a few numbers in place: insertion sort while there are few (the usual network), the library's sort past that.</summary>
    private static void SortSmall(Span<long> numbers)
    {
        if (numbers.Length > 24)
        {
            numbers.Sort();
            return;
        }

        for (var i = 1; i < numbers.Length; i++)
        {
            var number = numbers[i];
            var j = i;
            for (; j > 0 && numbers[j - 1] > number; j--) numbers[j] = numbers[j - 1];
            numbers[j] = number;
        }
    }

    private (int Numbers, int Objects)? specKeySize;

    /// <summary>
    /// FIFO links: only each link's own order matters (messages on different links arrive independently), so the links
    /// are put in one order, each keeping its messages in the order sent — two states that differ only in how sends on
    /// different links interleaved are one state. A stable insertion sort on the link (the channel's upper half).
    /// </summary>
    private static void SortByLink(Span<long> channels)
    {
        for (var i = 1; i < channels.Length; i++)
        {
            var channel = channels[i];
            var j = i;
            for (; j > 0 && (channels[j - 1] >> 32) > (channel >> 32); j--) channels[j] = channels[j - 1];
            channels[j] = channel;
        }
    }

    /// <summary>Whether <paramref name="node"/> may still crash with amnesia (and so read back what it persisted).</summary>
    private bool AmnesiaPossible(int node)
    {
        if (!FaultsEnabled || roleOf[node] < 0) return false;
        var role = roles[roleOf[node]];
        return roleCrashes[roleOf[node]] < role.MaxCrashes && role.CrashKinds.Contains(CrashKind.Amnesia);
    }

    /// <summary>How many messages were sent (or copied by duplication) so far; every envelope's Id is below it, in sending order.</summary>
    public long SentCount => nextEnvelope;

    /// <summary>The Id of the envelope a deliver, drop or duplicate action acts on (which message it is, whatever its text).</summary>
    public long EnvelopeId(ScheduledAction action) => inFlight[action.Item].Id;

    public int InFlightCount => inFlight.Count;

    /// <summary>
    /// Messages in flight that can still arrive (not to a node that stopped for good): what a search's network bound
    /// counts, since the state key holds only these — two states with one key are expanded alike.
    /// </summary>
    public int ArrivableInFlightCount
    {
        get
        {
            var count = 0;
            foreach (var envelope in inFlight)
                if (status[envelope.To.Index] != NodeStatus.Stopped) count++;
            return count;
        }
    }

    /// <summary>How many events the last <see cref="Apply"/> gave the spec (a step that gives none leaves its values as they were).</summary>
    public int SpecEventsThisStep { get; private set; }

    /// <summary>
    /// The identity of a node's own step — delivering a message (by sender, addressee and the message's number) or
    /// firing a timer (by owner and the timer's number) — the same in every state where the same step is enabled, so
    /// a partial-order reduction can recognise it after other nodes have moved. Null for the environment's faults,
    /// reports and partitions, which it treats as dependent on everything.
    /// </summary>
    public long? StepIdentity(ScheduledAction action, ValueNumbering numbering) => action.Kind switch
    {
        ActionKind.Deliver => ((long)inFlight[action.Item].From.Index << 48) | ((long)inFlight[action.Item].To.Index << 32) | (uint)numbering.Number(inFlight[action.Item].Message),
        ActionKind.Fire => long.MinValue | ((long)action.Node << 32) | (uint)numbering.Number(timers[action.Node][action.Item]),
        _ => null,
    };

    public IReadOnlyList<TSpecEvent> Observed => observed ?? [];

    /// <summary>A readable picture of the system, for reports.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        for (var n = 0; n < states.Length; n++)
            text.AppendLine($"  {new NodeId(n)} [{status[n].ToString().ToLowerInvariant()}] {states[n]?.ToString() ?? "-"}{(timers[n].Length > 0 ? $" timers: {string.Join(", ", timers[n])}" : "")}");
        if (inFlight.Count > 0) text.AppendLine($"  in flight: {string.Join("; ", inFlight.Select(e => $"{e.From}→{e.To}: {e.Message}"))}");
        return text.ToString().TrimEnd();
    }
}
