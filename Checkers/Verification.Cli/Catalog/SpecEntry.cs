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

    ProofResult Prove(IReadOnlyList<string>? claims, ProverOptions options);

    ProofResult BoundedCheck(int depth, ProverOptions options);

    /// <summary>
    /// Random histories (seeded): properties checked by the incremental monitor; the reference evaluator and the SMT
    /// translation cross-checked against it on the first <paramref name="crossChecked"/> runs. Returns the first
    /// violation, or a disagreement between the uses as an error.
    /// </summary>
    RandomCheckOutcome CheckRandom(int seed, int runs, int length, int crossChecked);
}

public sealed record RandomCheckOutcome(int Runs, long Events, Violation? Violation, string? Disagreement);

public sealed class SpecEntry<TEvent>(string name, string description, Func<Spec<TEvent>> create, int maxInteger = 3, bool randomHistoriesViolate = false) : ISpecEntry where TEvent : class
{
    public bool RandomHistoriesViolate { get; } = randomHistoriesViolate;

    private readonly Lazy<Spec<TEvent>> spec = new(create);

    public string Name { get; } = name;
    public string Description { get; } = description;
    public Spec<TEvent> TypedSpec => spec.Value;
    public ISpec Spec => spec.Value;

    public CheckResult CheckHistoryFile(string path) => History.Check(TypedSpec, HistoryFile.Read<TEvent>(path));

    public ProofResult Prove(IReadOnlyList<string>? claims, ProverOptions options) =>
        Prover.Prove(TypedSpec, claims?.Select(TypedSpec.Property).ToList(), options);

    public ProofResult BoundedCheck(int depth, ProverOptions options) => Prover.BoundedCheck(TypedSpec, depth, null, options);

    public RandomCheckOutcome CheckRandom(int seed, int runs, int length, int crossChecked)
    {
        var random = new RandomHistories(seed, 0, maxInteger);
        long events = 0;
        for (var run = 0; run < runs; run++)
        {
            var history = Walk(random, length);
            var result = History.Check(TypedSpec, history);
            events += result.EventsChecked;
            if (run < crossChecked)
            {
                var reference = ReferenceEvaluator.Check(TypedSpec, history);
                if (reference.Violation?.Instance != result.Violation?.Instance || reference.Violation?.PrefixLength != result.Violation?.PrefixLength)
                    return new RandomCheckOutcome(run + 1, events, null,
                        $"run {run}: the reference evaluator says {Describe(reference)}, the incremental monitor {Describe(result)}");
                var checkedPrefix = history.Take((int)result.EventsChecked).ToList();
                var evaluator = TypedSpec.NewEvaluator();
                for (var i = 0; i < checkedPrefix.Count; i++)
                {
                    evaluator.Step(checkedPrefix[i]);
                    if (i % 7 != 6 && i != checkedPrefix.Count - 1) continue; // sample prefixes: each reference evaluation starts from Nil
                    var expected = ReferenceEvaluator.Evaluate(TypedSpec, checkedPrefix.Take(i + 1).ToList());
                    if (!expected.SequenceEqual(evaluator.Snapshot()))
                        return new RandomCheckOutcome(run + 1, events, null, $"run {run}, after {i + 1} events: reference {string.Join("; ", expected)} but incremental {string.Join("; ", evaluator.Snapshot())}");
                }
                if (run == 0 && TranslationValidation.FirstDisagreement(TypedSpec, checkedPrefix) is { } smt)
                    return new RandomCheckOutcome(run + 1, events, null, "SMT translation: " + smt);
            }
            if (result.Violation is not null) return new RandomCheckOutcome(run + 1, events, result.Violation, null);
        }
        return new RandomCheckOutcome(runs, events, null, null);
    }

    /// <summary>
    /// A random history of the spec: events drawn at random, and where the spec has guards, only events its guards
    /// allow (a few draws per step; the walk ends early when none is allowed), so guarded specs are explored on their
    /// own histories rather than rejected on the first forbidden step.
    /// </summary>
    private List<TEvent> Walk(RandomHistories random, int length)
    {
        if (!TypedSpec.Properties.Any(p => p.Kind == PropertyKind.Guard)) return random.History<TEvent>(length);
        var monitor = new Monitor<TEvent>(TypedSpec, recordPrefix: false);
        var history = new List<TEvent>();
        while (history.Count < length && monitor.Violation is null)
        {
            var allowed = Enumerable.Range(0, 20).Select(_ => random.Next<TEvent>()).FirstOrDefault(monitor.Allows);
            if (allowed is null) break;
            history.Add(allowed);
            monitor.Append(allowed);
        }
        return history;
    }

    private static string Describe(CheckResult result) =>
        result.Violation is null ? "all hold" : $"{result.Violation.Instance} fails after {result.Violation.PrefixLength} events";
}
