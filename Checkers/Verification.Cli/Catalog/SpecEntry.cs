using Verification.Checkers.Smt;
using Verification.Specs;

namespace Verification.Cli.Catalog;

/// <summary>
/// A shipped spec seen without its alphabet type, so the CLI can name it on the command line and apply each use
/// of it: check a history file, check random histories, prove, print.
/// </summary>
public interface ISpecEntry
{
    string Name { get; }
    string Description { get; }
    ISpec Spec { get; }

    /// <summary>Whether arbitrary histories are expected to violate it (a false claim, or checks meant for an implementation's histories).</summary>
    bool RandomHistoriesViolate { get; }

    CheckResult CheckHistoryFile(string path);

    CheckResult Prove(IReadOnlyList<string>? claims, ProverOptions options);


    /// <summary>
    /// Random histories (seeded): properties checked by the incremental monitor; the reference evaluator and the SMT
    /// translation cross-checked against it on the first <paramref name="crossChecked"/> runs. Holds, or violated
    /// with the first violation; a disagreement between the uses is an error (thrown).
    /// </summary>
    CheckResult CheckRandom(int seed, int runs, int length, int crossChecked);
}

/// <param name="minInteger">The smallest integer field value random events use (−1 where the spec uses it for "none").</param>
/// <param name="maxInteger">The largest.</param>
public sealed class SpecEntry<TEvent>(string name, string description, Func<Spec<TEvent>> create, int maxInteger = 3, bool randomHistoriesViolate = false, int minInteger = 0) : ISpecEntry where TEvent : class
{
    public bool RandomHistoriesViolate { get; } = randomHistoriesViolate;

    private readonly Lazy<Spec<TEvent>> spec = new(create);

    public string Name { get; } = name;
    public string Description { get; } = description;
    public Spec<TEvent> TypedSpec => spec.Value;
    public ISpec Spec => spec.Value;

    public CheckResult CheckHistoryFile(string path) => History.Check(TypedSpec, HistoryFile.Read<TEvent>(path));

    public CheckResult Prove(IReadOnlyList<string>? claims, ProverOptions options) =>
        Prover.Prove(TypedSpec, claims?.Select(TypedSpec.Property).ToList(), options);


    public CheckResult CheckRandom(int seed, int runs, int length, int crossChecked)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        CheckResult Result(int runsDone, long eventsDone, Violation? violation) => new()
        {
            Subject = Name,
            Method = "random histories, checked incrementally; the reference evaluator and the SMT translation cross-checked",
            Verdict = violation is null ? Verdict.Holds : Verdict.Violated,
            Coverage = new Coverage { Runs = runsDone, Events = eventsDone },
            Within = [$"random histories of ≤ {length} events{(TypedSpec.Properties.Any(p => p.Kind == PropertyKind.Guard) ? " that follow the guards" : "")}, integers {minInteger}..{maxInteger}"],
            Counterexample = violation is null ? null : new PropertyViolation(violation),
            Elapsed = watch.Elapsed,
        };
        SpecException Disagreement(string what) => new($"the uses of spec '{Name}' disagree: {what}");
        var random = new RandomHistories(seed, minInteger, maxInteger);
        var order = new Random(seed);
        long events = 0;
        for (var run = 0; run < runs; run++)
        {
            var history = Walk(random, order, length);
            var result = History.Check(TypedSpec, history);
            events += result.EventsChecked;
            if (run < crossChecked)
            {
                var reference = ReferenceEvaluator.Check(TypedSpec, history);
                if (reference.Violation?.Instance != result.Violation?.Instance || reference.Violation?.PrefixLength != result.Violation?.PrefixLength)
                    throw Disagreement($"run {run}: the reference evaluator says {Describe(reference)}, the incremental monitor {Describe(result)}");
                var checkedPrefix = history.Take((int)result.EventsChecked).ToList();
                var evaluator = TypedSpec.NewEvaluator();
                for (var i = 0; i < checkedPrefix.Count; i++)
                {
                    evaluator.Step(checkedPrefix[i]);
                    if (i % 7 != 6 && i != checkedPrefix.Count - 1) continue; // sample prefixes: each reference evaluation starts from Nil
                    var expected = ReferenceEvaluator.Evaluate(TypedSpec, checkedPrefix.Take(i + 1).ToList());
                    if (!expected.SequenceEqual(evaluator.Snapshot()))
                        throw Disagreement($"run {run}, after {i + 1} events: reference {string.Join("; ", expected)} but incremental {string.Join("; ", evaluator.Snapshot())}");
                }
                if (run == 0 && TranslationValidation.FirstDisagreement(TypedSpec, checkedPrefix) is { } smt)
                    throw Disagreement("SMT translation: " + smt);
            }
            if (result.Violation is not null) return Result(run + 1, events, result.Violation);
        }
        return Result(runs, events, null);
    }

    /// <summary>
    /// A random history of the spec. Where the spec has guards, every event is one its guards allow in the state
    /// reached: the candidates are the whole event space over the integer range (when it is small enough to list;
    /// otherwise up to 500 random draws per step), tried in a random order, and the first allowed one is taken; the
    /// walk ends early only when no event is allowed (the spec has no continuation).
    /// </summary>
    private List<TEvent> Walk(RandomHistories random, Random order, int length)
    {
        if (!TypedSpec.Properties.Any(p => p.Kind == PropertyKind.Guard)) return random.History<TEvent>(length);
        var monitor = new Monitor<TEvent>(TypedSpec, recordPrefix: false);
        var history = new List<TEvent>();
        while (history.Count < length && monitor.Violation is null)
        {
            TEvent? allowed = null;
            if (EventSpace is { } space)
            {
                // A random permutation, drawn lazily: each step usually needs only a few candidates.
                var indices = Enumerable.Range(0, space.Count).ToArray();
                for (var i = 0; i < indices.Length && allowed is null; i++)
                {
                    var j = order.Next(i, indices.Length);
                    (indices[i], indices[j]) = (indices[j], indices[i]);
                    if (monitor.Allows(space[indices[i]])) allowed = space[indices[i]];
                }
            }
            else allowed = Enumerable.Range(0, 500).Select(_ => random.Next<TEvent>()).FirstOrDefault(monitor.Allows);
            if (allowed is null) break;
            history.Add(allowed);
            monitor.Append(allowed);
        }
        return history;
    }

    /// <summary>Every event of the alphabet over the integer range (bools, enums, the strings a–c), when there are at most 20,000; else null.</summary>
    private IReadOnlyList<TEvent>? EventSpace => eventSpace.Value;

    private readonly Lazy<IReadOnlyList<TEvent>?> eventSpace = new(() => Events(Alphabet.Of<TEvent>(), minInteger, maxInteger, 20_000)?.Cast<TEvent>().ToList());

    private static List<object>? Events(Alphabet alphabet, int minInteger, int maxInteger, int limit)
    {
        var events = new List<object>();
        foreach (var eventCase in alphabet.Cases)
        {
            var domains = new List<IReadOnlyList<object?>>();
            foreach (var field in eventCase.Fields)
            {
                IReadOnlyList<object?>? domain =
                    field.Type == typeof(int) ? Enumerable.Range(minInteger, maxInteger - minInteger + 1).Select(i => (object?)i).ToList()
                    : field.Type == typeof(long) ? Enumerable.Range(minInteger, maxInteger - minInteger + 1).Select(i => (object?)(long)i).ToList()
                    : field.Type == typeof(bool) ? [false, true]
                    : field.Type == typeof(string) ? ["a", "b", "c"]
                    : field.Type.IsEnum ? Enum.GetValues(field.Type).Cast<object?>().ToList()
                    : null; // an event-valued field: too many to list
                if (domain is null) return null;
                domains.Add(domain);
            }
            var count = domains.Aggregate(1L, (n, d) => n * d.Count);
            if (events.Count + count > limit) return null;
            IEnumerable<object?[]> tuples = [[]];
            foreach (var domain in domains) tuples = tuples.SelectMany(t => domain.Select(v => (object?[])[.. t, v]));
            events.AddRange(tuples.Select(t => eventCase.Create(t)));
        }
        return events;
    }

    private static string Describe(CheckResult result) =>
        result.Violation is { } violation ? $"{violation.Instance} fails after {violation.PrefixLength} events" : "all hold";
}
