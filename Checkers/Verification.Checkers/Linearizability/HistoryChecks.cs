using Verification.Runtime;
using Verification.Specs;

namespace Verification.Checkers.Linearizability;

/// <summary>Linearizability of a run's client history, as a whole-history check for the systematic tester.</summary>
public static class LinearizabilityHistoryCheck
{
    /// <summary>The property a violation is reported under (the same name as <see cref="LinearizabilityChecker.Property"/>).</summary>
    public const string Property = "Linearizable";

    /// <summary>
    /// Client calls and returns of a key-value store (get, put, append, cas), picked out of a run's observed events by
    /// <paramref name="call"/> and <paramref name="ret"/>; a call left open (a lost reply, a crashed client) may have
    /// taken effect or not. Checked against <see cref="KeyValueModel"/> per key; an "unknown" verdict is not reported
    /// as a violation (the budget is small: runs are short).
    /// </summary>
    public static HistoryCheck<TEvent> KeyValue<TEvent>(
        Func<TEvent, (int Client, string Operation, string Key, string Value, string Expected)?> call,
        Func<TEvent, (int Client, string Output)?> ret,
        TimeSpan? budget = null) =>
        new(Property, events =>
        {
            var operations = new List<Operation<KeyValueInput, string?>>();
            var open = new Dictionary<int, (KeyValueInput Input, long Call)>();
            for (var i = 0; i < events.Count; i++)
            {
                if (call(events[i]) is { } c)
                {
                    if (open.Remove(c.Client, out var abandoned)) operations.Add(new(c.Client, abandoned.Input, null, abandoned.Call, long.MaxValue, (int)abandoned.Call + 1));
                    var kind = c.Operation switch
                    {
                        "get" => KeyValueOperation.Get,
                        "put" => KeyValueOperation.Put,
                        "append" => KeyValueOperation.Append,
                        "cas" => KeyValueOperation.Cas,
                        _ => throw new SpecException($"event #{i + 1}: '{c.Operation}' is not a key-value operation (get, put, append, cas)"),
                    };
                    open[c.Client] = (new KeyValueInput(kind, c.Key, c.Value, c.Expected), i);
                }
                else if (ret(events[i]) is { } r && open.Remove(r.Client, out var called))
                    operations.Add(new(r.Client, called.Input, called.Input.Operation is KeyValueOperation.Get or KeyValueOperation.Cas ? r.Output : null, called.Call, i, (int)called.Call + 1));
            }
            foreach (var (client, called) in open) operations.Add(new(client, called.Input, null, called.Call, long.MaxValue, (int)called.Call + 1));
            var result = LinearizabilityChecker.Check(new KeyValueModel(), operations, new LinearizabilityBudget { Timeout = budget ?? TimeSpan.FromSeconds(5) });
            return result.Counterexample is HistoryCounterexample found
                ? $"the clients' history ({operations.Count} operations; 'line' = position of the call among the observed events) is not linearizable:\n{found.Explanation}"
                : null;
        });
}
