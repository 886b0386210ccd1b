using Verification.Specs;

namespace Verification.Controlled;

/// <summary>
/// Spec events from async code: the code under test (or the test body) calls <see cref="Observe"/> where something
/// the spec talks about happens, and the run's monitor — the same state-equation monitor the protocol tester feeds —
/// checks every property on every prefix, so a violation stops the run at the interleaving that caused it.
/// </summary>
public static class ControlledSpec
{
    /// <summary>Appends <paramref name="evt"/> to the current run's history; outside a controlled run, or in a run without a spec, it does nothing (the call can stay in production code).</summary>
    public static void Observe(object evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        if (ControlledRuntime.TryCurrent(out var runtime, out var operation)) runtime.Observe(operation, evt);
    }
}

/// <summary>What a run checks on the events it observes: a failure is a property and its report.</summary>
internal interface IRunObserver
{
    /// <summary>Appends an event; a failure when a property fails on the new prefix.</summary>
    (string Property, string Details)? Observe(object evt);

    /// <summary>At the run's normal end: liveness monitors still hot, and the whole-history check.</summary>
    (string Property, string Details)? AtEnd();
}

/// <summary>
/// One run's monitor of <typeparamref name="TEvent"/> events: every property on every prefix as events arrive, a
/// liveness monitor still hot when the run ends (as the protocol tester judges a finished run), and optionally a
/// check of the whole history (for example linearizability) when the run ends.
/// </summary>
internal sealed class SpecRunObserver<TEvent>(Spec<TEvent> spec, Func<IReadOnlyList<TEvent>, CheckResult>? historyCheck, bool checkLiveness) : IRunObserver where TEvent : class
{
    private readonly Monitor<TEvent> monitor = new(spec, recordPrefix: true, keepLast: 50);
    private readonly List<TEvent> history = [];

    public (string Property, string Details)? Observe(object evt)
    {
        if (evt is not TEvent typed)
            throw new SpecException($"ControlledSpec.Observe got a {evt.GetType().Name}, which is not an event of spec '{spec.Name}' (events are {typeof(TEvent).Name})");
        history.Add(typed);
        if (monitor.Append(typed)) return null;
        var violation = monitor.Violation!;
        return (violation.Instance, violation.ToString());
    }

    public (string Property, string Details)? AtEnd()
    {
        if (checkLiveness && monitor.HotProperties is [var hot, ..])
            return (hot.Name, $"the run ended with liveness monitor {hot.Name} of spec '{spec.Name}' hot (something owed was never done)\n{monitor.DescribeHot(hot)}");
        if (historyCheck?.Invoke(history) is { Verdict: Verdict.Violated } failed)
            return (failed.Counterexample?.Property ?? "HistoryCheck", $"the whole-history check failed on the run's {history.Count} observed events:\n{failed}");
        return null;
    }
}
