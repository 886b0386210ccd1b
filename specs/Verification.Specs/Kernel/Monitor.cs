using System.Text;

namespace Verification.Specs;

/// <summary>
/// A property that failed: which instance, after which prefix (the shortest, since every prefix is checked), on which
/// event, and the values of the variables the property reads. <see cref="Prefix"/> holds the prefix's last events
/// (all of them unless the monitor was told to keep fewer); they are events number PrefixLength − Prefix.Count + 1 on.
/// When several instances fail at that step, the first in declaration order (guards, then step properties, then
/// invariants) is the one reported and <see cref="AlsoFailing"/> names the others.
/// </summary>
/// <param name="Spec">The spec's name.</param>
/// <param name="Property">The property that failed.</param>
/// <param name="Instance">The failing instance's name (see <see cref="Property.InstanceName"/>).</param>
/// <param name="PrefixLength">The length of the shortest failing prefix; 0 when the property fails at Nil.</param>
/// <param name="Event">The event after which it failed (the prefix's last); null at Nil and for a liveness report.</param>
/// <param name="Values">The values of the variables the property reads, in that state.</param>
/// <param name="Prefix">The kept last events of the prefix; null when the monitor keeps none.</param>
public sealed record Violation(
    string Spec,
    Property Property,
    string Instance,
    long PrefixLength,
    object? Event,
    IReadOnlyList<VariableValue> Values,
    IReadOnlyList<object>? Prefix)
{
    /// <summary>The other instances failing at the same step, in declaration order (one that cannot be evaluated there is listed with its error).</summary>
    public IReadOnlyList<string> AlsoFailing { get; init; } = [];

    /// <summary>What the failing step means to the spec, when it says more than its event: for a refinement, the abstract event the concrete one stands for.</summary>
    public string? StepNote { get; init; }

    /// <summary>The readable report: the failing instance and event, other failing instances, the kept prefix, and the values the property reads.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        var what = Property.KindName;
        text.Append($"{what} {Instance} of spec '{Spec}' fails ");
        text.AppendLine(PrefixLength == 0 ? "at Nil (the empty history)" : $"after event #{PrefixLength}: {Alphabet.Describe(Event)}");
        if (StepNote is not null) text.AppendLine($"  {StepNote}");
        if (AlsoFailing.Count > 0) text.AppendLine($"  also failing: {string.Join(", ", AlsoFailing)}");
        if (Prefix is not null && PrefixLength > 0)
        {
            var omitted = PrefixLength - Prefix.Count;
            text.AppendLine($"  shortest failing prefix ({PrefixLength} events{(omitted > 0 ? $", the first {omitted} not kept" : "")}):");
            for (var i = 0; i < Prefix.Count; i++) text.AppendLine($"    {omitted + i + 1,4}. {Alphabet.Describe(Prefix[i])}");
        }
        text.AppendLine("  values the property reads:");
        foreach (var value in Values) text.AppendLine($"    {value}");
        return text.ToString().TrimEnd();
    }
}

/// <summary>
/// Checks a spec's properties incrementally while events are appended: invariants at Nil and after every event,
/// step properties on every event. Stops at the first violation, which is therefore on the shortest failing prefix.
/// </summary>
public sealed class Monitor<TEvent> where TEvent : class
{
    private readonly CompiledSpec<TEvent> compiled;
    private readonly Queue<object>? recorded;
    private readonly int keepLast;
    private readonly Alphabet alphabet;

    /// <summary>A monitor of <paramref name="spec"/> at Nil, with the invariants already checked there.</summary>
    /// <param name="spec">The spec whose properties are checked.</param>
    /// <param name="recordPrefix">Keep events so a violation can show its prefix.</param>
    /// <param name="keepLast">How many of the most recent events to keep (memory stays bounded on long logs).</param>
    public Monitor(Spec<TEvent> spec, bool recordPrefix = true, int keepLast = int.MaxValue)
    {
        Evaluator = spec.NewEvaluator();
        compiled = spec.Compiled;
        alphabet = spec.Alphabet;
        if (keepLast < 1) throw new SpecException($"keepLast must be at least 1 (got {keepLast})");
        recorded = recordPrefix ? new Queue<object>() : null;
        this.keepLast = keepLast;
        CheckInvariants(null);
    }

    /// <summary>The evaluator holding the current state, for reading variables between appends.</summary>
    public Evaluator<TEvent> Evaluator { get; }

    /// <summary>The first property that failed, or null while every property holds.</summary>
    public Violation? Violation { get; private set; }

    /// <summary>How many events were evaluated; events appended after a violation are not.</summary>
    public long Length => Evaluator.Length;

    /// <summary>Appends an event and checks every property; false once a property has failed.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="evt"/> is null ("event #n is null").</exception>
    /// <exception cref="EvaluationException">An equation or property cannot be evaluated on this event (named in the message).</exception>
    public bool Append(TEvent evt)
    {
        if (evt is null) throw new ArgumentNullException(nameof(evt), $"event #{Length + 1} is null");
        if (Violation is not null) return false;
        if (!alphabet.IsCase(evt.GetType())) alphabet.CaseOf(evt); // throws, naming the event and the alphabet
        Evaluator.Compute(evt);
        if (recorded is not null)
        {
            if (recorded.Count == keepLast) recorded.Dequeue();
            recorded.Enqueue(evt);
        }
        var failedStep = compiled.HasStepProperties ? compiled.CheckStepProperties(evt, Evaluator.State, Evaluator.Length) : -1;
        if (failedStep >= 0)
        {
            var (property, index) = compiled.StepInstance(failedStep);
            var alsoFailing = compiled.OtherFailingStepProperties(failedStep, evt, Evaluator.State);
            var violation = Describe(property, index, evt, Evaluator.Length + 1);
            Evaluator.Commit();
            Violation = violation with { AlsoFailing = [.. alsoFailing, .. compiled.FailingInvariants(Evaluator.State)] };
            return false;
        }
        Evaluator.Commit();
        return CheckInvariants(evt);
    }

    /// <summary>The liveness properties, in the bit order of <see cref="HotMask"/>.</summary>
    public IReadOnlyList<Property> LivenessProperties => compiled.LivenessProperties;

    /// <summary>Bit i set: liveness property i is hot now.</summary>
    public long HotMask
    {
        get
        {
            if (compiled.LivenessProperties.Count == 0) return 0;
            try
            {
                return compiled.HotMask(Evaluator.State);
            }
            catch (Exception ex)
            {
                // The last event is named when the monitor keeps a prefix (the slow path may look it up).
                throw compiled.BlameLiveness(Evaluator.State, recorded is { Count: > 0 } ? (TEvent)recorded.Last() : null, Evaluator.Length, ex);
            }
        }
    }

    /// <summary>The liveness properties hot now, in declaration order.</summary>
    public IReadOnlyList<Property> HotProperties
    {
        get
        {
            var mask = HotMask;
            return LivenessProperties.Where((_, i) => ((mask >> i) & 1) == 1).ToList();
        }
    }

    /// <summary>The current values of the variables <paramref name="property"/> reads (for step-by-step traces).</summary>
    public IReadOnlyList<VariableValue> ValuesReadBy(Property property) =>
        PropertyReads.Values(Evaluator.Spec, Evaluator.State, property, 0, currentOnly: true);

    /// <summary>A report of a liveness property that stayed hot: the state it is in and the values it reads.</summary>
    public Violation DescribeHot(Property liveness) => Describe(liveness, 0, null, Evaluator.Length);

    /// <summary>An independent copy (for forking an exploration); the copy keeps no prefix.</summary>
    public Monitor<TEvent> Fork() => new(this);

    /// <summary>Makes this monitor equal to <paramref name="source"/> (same spec) without allocating; keeps no prefix.</summary>
    public void CopyFrom(Monitor<TEvent> source)
    {
        Evaluator.CopyFrom(source.Evaluator);
        Violation = source.Violation;
    }

    private Monitor(Monitor<TEvent> source)
    {
        Evaluator = source.Evaluator.Fork();
        compiled = source.compiled;
        alphabet = source.alphabet;
        Violation = source.Violation;
        keepLast = source.keepLast;
        recorded = null;
    }

    /// <summary>Whether <paramref name="evt"/> passes every guard in the current state (nothing is appended).</summary>
    public bool Allows(TEvent evt)
    {
        var probe = Evaluator.Fork();
        probe.Compute(evt);
        var failed = compiled.CheckStepProperties(evt, probe.State, probe.Length);
        return failed < 0 || compiled.StepInstance(failed).Property.Kind != PropertyKind.Guard; // guards are checked first
    }

    private bool CheckInvariants(TEvent? evt)
    {
        var failed = compiled.CheckInvariants(Evaluator.State, evt, Evaluator.Length);
        if (failed < 0) return true;
        var (property, index) = compiled.InvariantInstance(failed);
        Violation = Describe(property, index, evt, Evaluator.Length) with { AlsoFailing = compiled.OtherFailingInvariants(failed, Evaluator.State) };
        return false;
    }

    private Violation Describe(Property property, int index, TEvent? evt, long prefixLength)
    {
        var values = PropertyReads.Values(Evaluator.Spec, Evaluator.State, property, index);
        return new Violation(Spec: Evaluator.Spec.Name, Property: property, Instance: property.InstanceName(index), PrefixLength: prefixLength, Event: evt,
            Values: values, Prefix: recorded?.ToList()) { StepNote = evt is null ? null : Evaluator.Spec.StepNote?.Invoke(evt) };
    }
}

/// <summary>Checks a whole history against a spec's properties, in code (the CLI's <c>history</c> command does the same on a file).</summary>
public static class History
{
    /// <summary>Checks every property of <paramref name="spec"/> on every prefix of <paramref name="events"/>: holds, or violated with the shortest failing prefix.</summary>
    /// <param name="keepLast">How many of the most recent events a violation shows (bounds memory on long logs).</param>
    public static CheckResult Check<TEvent>(Spec<TEvent> spec, IEnumerable<TEvent> events, int keepLast = 10_000) where TEvent : class
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var monitor = new Monitor<TEvent>(spec, recordPrefix: true, keepLast);
        if (monitor.Violation is null)
            foreach (var evt in events)
            {
                if (evt is null) throw new ArgumentNullException(nameof(events), $"event #{monitor.Length + 1} is null");
                if (!monitor.Append(evt)) break;
            }
        return HistoryResults.Of(spec, "history check (incremental evaluation)", monitor.Length, monitor.Violation, watch.Elapsed);
    }

    /// <summary>
    /// For tests: the history must be one of the refinement's (<see cref="Refinement"/>: the concrete spec's
    /// properties, the abstract spec's on the mapped events, the state mapping). Throws <see cref="CheckFailedException"/>
    /// with the concrete step, the abstract event it stands for (when the event mapping reads no state) and the
    /// property that fails.
    /// </summary>
    public static CheckResult AssertRefines<TEvent>(Spec<TEvent> refinement, IEnumerable<TEvent> history) where TEvent : class =>
        Check(refinement, history).AssertHolds();
}

/// <summary>The values a property reads, for reports: each variable it mentions (a whole family when the index is computed).</summary>
internal static class PropertyReads
{
    /// <param name="currentOnly">Read every variable's current value (after a step has been committed, the post-event values are the current ones).</param>
    public static IReadOnlyList<VariableValue> Values(ISpec spec, SpecState state, Property property, int index, bool currentOnly = false)
    {
        var body = Staging.Instantiate(property.Body, null, null, property.IndexParameter, index);
        var sites = ReadCollector.Collect(body);
        var values = new List<VariableValue>();
        var seen = new HashSet<string>();
        foreach (var original in sites.OrderBy(s => s.Next))
        {
            var site = currentOnly ? original with { Next = false } : original;
            var indices = site.ConstantIndex is int i ? [i] : Enumerable.Range(0, site.Variable.Count);
            foreach (var member in indices)
            {
                if (site.SubVariable is null)
                {
                    var name = site.Variable.MemberName(member);
                    Add(values, seen, name, site.Next, () => StateValues.Read(state, spec.Compiled.Layouts, spec, site.Variable, member, site.Next),
                        () => StateValues.IsDefined(state, spec.Compiled.Layouts, spec, site.Variable, site.Next));
                }
                else
                {
                    var child = state.Children[spec.Compiled.Layouts[site.Variable.Id].Slot + member];
                    var subSpec = ((IComponent)site.Variable).SubSpec;
                    var name = $"{site.Variable.MemberName(member)}.{site.SubVariable.Name}";
                    Add(values, seen, name, site.Next, () => StateValues.Read(child, subSpec.Compiled.Layouts, subSpec, site.SubVariable, 0, site.Next),
                        () => StateValues.IsDefined(child, subSpec.Compiled.Layouts, subSpec, site.SubVariable, site.Next));
                }
            }
        }
        return values;
    }

    private static void Add(List<VariableValue> values, HashSet<string> seen, string name, bool next, Func<object?> read, Func<bool> defined)
    {
        var label = next ? $"{name}(σe)" : name;
        if (!seen.Add(label)) return;
        var isDefined = defined();
        values.Add(new VariableValue(label, isDefined ? read() : null, isDefined));
    }
}
