using System.Diagnostics;
using System.Text;
using Verification.Specs;

namespace Verification.Checkers.Smt;

/// <summary>
/// Two specs over one alphabet compared: the shortest history the first accepts and the second rejects (by
/// breadth-first search over the events given, or by Z3's bounded model checking), or a proof by induction that
/// every history the first accepts, the second accepts. "Accepts" means every guard, invariant and step property
/// holds after every prefix (liveness is not compared). Both are run as one spec, "first refines second" under the
/// identity mapping (<see cref="Refinement"/>), with a state mapping — by default the variables the two share by name,
/// or one given — so that a history where the two states stop matching also tells them apart, and so that induction
/// can relate the two states.
/// </summary>
public static class SpecComparison
{
    /// <summary>
    /// Breadth-first over every history of the given events, up to <paramref name="maxLength"/>, pruning histories
    /// the first spec rejects and merging those that reach the same state of both: the first history found is a
    /// shortest one the first accepts and the second rejects. When no new state is left before the bound, no history
    /// over these events tells them apart at all, and the result says so.
    /// </summary>
    public static CheckResult ShortestDifference<TEvent>(Spec<TEvent> first, Spec<TEvent> second, IReadOnlyList<TEvent> events, int maxLength,
        Func<RefinementBuilder<TEvent, TEvent>, RefinementBuilder<TEvent, TEvent>>? mapState = null) where TEvent : class
    {
        if (events.Count == 0) throw new SpecException($"comparing '{first.Name}' with '{second.Name}': give at least one event to build histories from");
        if (maxLength < 1) throw new SpecException($"comparing '{first.Name}' with '{second.Name}': the length bound must be at least 1 (got {maxLength})");
        var clock = Stopwatch.StartNew();
        var product = Product(first, second, mapState);
        var ownProperties = first.Properties.Select(p => p.Name).ToHashSet();
        var subject = $"{first.Name} against {second.Name}";
        const string method = "breadth-first enumeration of histories";
        long histories = 0, appended = 0;
        var seen = new HashSet<string>();
        var frontier = new List<Monitor<TEvent>> { new(product) };
        seen.Add(Key(frontier[0]));
        for (var length = 1; length <= maxLength && frontier.Count > 0; length++)
        {
            var next = new List<Monitor<TEvent>>();
            foreach (var monitor in frontier)
                foreach (var evt in events)
                {
                    var extended = monitor.Fork();
                    histories++;
                    appended++;
                    if (!extended.Append(evt))
                    {
                        var violation = extended.Violation!;
                        // The first spec rejects this history too (one of its own properties fails first): no difference here.
                        if (ownProperties.Contains(violation.Property.Name)) continue;
                        return new CheckResult
                        {
                            Subject = subject, Method = method, Verdict = Verdict.Violated,
                            Coverage = new Coverage { Runs = histories, Events = appended, States = seen.Count, Depth = length },
                            Within = [$"histories of ≤ {maxLength} events over {events.Count} events"],
                            Counterexample = new PropertyViolation(violation), Elapsed = clock.Elapsed,
                            Notes = $"{first.Name} accepts this history of {length} events; {second.Name} rejects it",
                        };
                    }
                    if (seen.Add(Key(extended))) next.Add(extended);
                }
            frontier = next;
        }
        var closed = frontier.Count == 0;
        return new CheckResult
        {
            Subject = subject, Method = method, Verdict = Verdict.Holds,
            Coverage = new Coverage { Runs = histories, Events = appended, States = seen.Count, Depth = maxLength },
            Within = [closed
                ? $"every history over these {events.Count} events: the search closed after {seen.Count} distinct states of both specs"
                : $"histories of ≤ {maxLength} events over {events.Count} events (longer ones not searched)"],
            Elapsed = clock.Elapsed,
            Notes = $"{second.Name} accepts every history {first.Name} accepts{(closed ? "" : $", up to {maxLength} events")}",
        };
    }

    /// <summary>The same question by Z3: a history of at most <paramref name="depth"/> events the first accepts (its properties assumed) on which one of the second's fails.</summary>
    public static CheckResult BoundedDifference<TEvent>(Spec<TEvent> first, Spec<TEvent> second, int depth,
        Func<RefinementBuilder<TEvent, TEvent>, RefinementBuilder<TEvent, TEvent>>? mapState = null, ProverOptions? options = null) where TEvent : class
    {
        var product = Product(first, second, mapState, assumeFirst: true);
        return Prover.BoundedCheck(product, depth, Obligations(product, first), options);
    }

    /// <summary>Every history the first accepts, the second accepts: the second's properties (and the state mapping) proved by induction, the first's assumed.</summary>
    public static CheckResult ProveInclusion<TEvent>(Spec<TEvent> first, Spec<TEvent> second,
        Func<RefinementBuilder<TEvent, TEvent>, RefinementBuilder<TEvent, TEvent>>? mapState = null, ProverOptions? options = null) where TEvent : class
    {
        var product = Product(first, second, mapState, assumeFirst: true);
        return Prover.Prove(product, Obligations(product, first), options);
    }

    private static Spec<TEvent> Product<TEvent>(Spec<TEvent> first, Spec<TEvent> second,
        Func<RefinementBuilder<TEvent, TEvent>, RefinementBuilder<TEvent, TEvent>>? mapState, bool assumeFirst = false) where TEvent : class
    {
        var builder = Refinement.Of(first, second).MapEvents(e => e);
        if (assumeFirst) builder.AssumingConcreteProperties();
        // Without a mapping given, variables the two share by name are related (two versions of one spec).
        return (mapState?.Invoke(builder) ?? builder.MapSameNamedVariables()).Build($"{first.Name}Within{second.Name}");
    }

    /// <summary>What the second spec (and a state mapping) claims, on the product: everything that is not the first's own and not liveness.</summary>
    private static IReadOnlyList<Property> Obligations<TEvent>(Spec<TEvent> product, Spec<TEvent> first) where TEvent : class =>
        product.Properties.Where(p => p.Kind is PropertyKind.Invariant or PropertyKind.Step && !first.Properties.Any(own => own.Name == p.Name)).ToList();

    /// <summary>The product state (both specs' values) as text, for the visited set.</summary>
    private static string Key<TEvent>(Monitor<TEvent> monitor) where TEvent : class
    {
        var (numberCount, objectCount) = monitor.Evaluator.KeySize();
        var numbers = new long[numberCount];
        var objects = new object?[objectCount];
        int n = 0, o = 0;
        monitor.Evaluator.AddKey(numbers, ref n, objects, ref o);
        var text = new StringBuilder();
        foreach (var number in numbers) text.Append(number).Append(',');
        foreach (var value in objects) text.Append(Alphabet.FormatValue(value)).Append(';');
        return text.ToString();
    }
}
