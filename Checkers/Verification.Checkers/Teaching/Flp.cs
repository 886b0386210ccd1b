using System.Diagnostics;
using System.Text;

namespace Verification.Checkers.Teaching;

/// <summary>
/// FLP made executable: every configuration of a small consensus protocol reachable from every initial configuration
/// is explored, each one's valence computed (the decisions reachable from it), and the proof's story told on this
/// protocol — Lemma 2 (a bivalent initial configuration, or the crash that makes the protocol block), Lemma 3 (from a
/// bivalent configuration and an event e, a bivalent configuration reached by delaying e), and how the protocol
/// escapes the theorem: it is unsafe, or it has a fair run in which no process decides (with one crash, or none).
/// </summary>
public static class Flp
{
    /// <summary>No two processes decide differently.</summary>
    public const string Agreement = "Agreement";

    /// <summary>A decision is some process's input.</summary>
    public const string Validity = "Validity";

    /// <summary>A process that has decided keeps its decision.</summary>
    public const string DecisionsAreFinal = "DecisionsAreFinal";

    /// <summary>Some process decides in every fair run with at most one crash (FLP's partial correctness plus termination).</summary>
    public const string DecidesDespiteOneCrash = "DecidesDespiteOneCrash";

    /// <summary>Some process decides in every fair run with no crash at all.</summary>
    public const string DecidesOnEveryFairRun = "DecidesOnEveryFairRun";

    /// <summary>
    /// Tells the story. The verdict is never "holds" for a protocol FLP applies to: Violated with the run that shows how
    /// it escapes (a safety violation first; else a fair non-deciding run, without a crash if there is one); Unknown
    /// when <see cref="FlpProtocol{TState, TMessage}.MaxConfigurations"/> cut the exploration. The story is in the notes.
    /// </summary>
    public static CheckResult Tell<TState, TMessage>(FlpProtocol<TState, TMessage> protocol) where TState : class where TMessage : notnull
    {
        protocol.Validate();
        var watch = Stopwatch.StartNew();
        var graph = new FlpGraph<TState, TMessage>(protocol);
        var complete = graph.Explore();
        var story = new StringBuilder();
        story.AppendLine($"FLP on {protocol.Name}{(protocol.Description.Length > 0 ? $": {protocol.Description}" : "")}");
        story.AppendLine($"  {graph.Count:N0} configurations, {graph.Transitions:N0} steps, from all {1 << protocol.Processes} initial configurations"
            + (graph.IgnoredReceipts > 0 ? $"; {graph.IgnoredReceipts:N0} receipts of messages declared ignored for ever taken at once (each checked to change nothing)" : ""));
        CheckResult Result(Verdict verdict, Counterexample? found, Inconclusive? why = null, string? reason = null) => new()
        {
            Subject = $"{protocol.Name}: FLP's story ({protocol.Processes} processes, binary inputs, at most one crash)",
            Method = "exhaustive exploration of FLP's asynchronous model (every configuration, valences, fair cycles)",
            Verdict = verdict,
            Why = why,
            Reason = reason,
            Coverage = new Coverage { States = graph.Count, Transitions = graph.Transitions },
            Within = [$"{protocol.Processes} processes", "binary inputs", "at most one crash", "messages delayed arbitrarily but delivered in fair runs"],
            Counterexample = found,
            Elapsed = watch.Elapsed,
            Notes = story.ToString().TrimEnd(),
        };
        if (!complete)
            return Result(Verdict.Unknown, null, Inconclusive.SearchLimit, $"more than {protocol.MaxConfigurations:N0} configurations; nothing is claimed");

        if (graph.SafetyViolation() is { } unsafeRun)
        {
            story.AppendLine($"  It escapes FLP by being unsafe: {unsafeRun.Explanation}.");
            return Result(Verdict.Violated, unsafeRun);
        }
        story.AppendLine("  Safe: in every reachable configuration, decisions agree, are final, and are some process's input.");
        var valence = graph.Valences();
        var bivalentInitial = TellLemma2(graph, valence, story);
        TellLemma3(graph, valence, story);
        var run = graph.FairNonDecidingRun(crash: false, preferFrom: bivalentInitial) is { } withoutCrash
            ? withoutCrash with { Explanation = "a fair run with no crash in which no process ever decides (FLP's Theorem 1: the adversary only delays messages)" }
            : graph.FairNonDecidingRun(crash: true, preferFrom: bivalentInitial) is { } withCrash
                ? withCrash with { Explanation = "a fair run with one crash in which no process ever decides: the protocol blocks" }
                : null;
        if (run is null)
        {
            story.AppendLine("  No fair run without a decision was found: every fair run with at most one crash decides. FLP says a safe protocol");
            story.AppendLine("  cannot do this in its model, so this protocol steps outside it (e.g. it decides nothing from some input, or its states are not values).");
            return Result(Verdict.Holds, null);
        }
        story.AppendLine(run.Property == DecidesOnEveryFairRun
            ? "  It escapes FLP by never deciding on some fair run, with no process crashed."
            : "  It escapes FLP by blocking: with one process crashed, no other ever decides.");
        return Result(Verdict.Violated, run);
    }

    /// <summary>Lemma 2 on the chain of initial configurations C₀ … C_N (the first i processes have input 1); the index of a bivalent initial configuration, or −1.</summary>
    private static int TellLemma2<TState, TMessage>(FlpGraph<TState, TMessage> graph, int[] valence, StringBuilder story) where TState : class where TMessage : notnull
    {
        var n = graph.Processes;
        story.AppendLine("  Lemma 2 (some initial configuration is bivalent), on the chain C0 … C" + n + ", where Ci gives input 1 to p0 … p(i-1):");
        var chain = Enumerable.Range(0, n + 1).Select(FlpGraph<TState, TMessage>.InitialWithOnesBelow).ToList();
        for (var i = 0; i <= n; i++) story.AppendLine($"    C{i} inputs {FlpGraph<TState, TMessage>.Inputs(graph.InputsOf(chain[i]))}: {Describe(valence[chain[i]])}");
        // A bivalent configuration of the chain if there is one (the proof's), else any bivalent initial configuration.
        var bivalent = chain.Concat(Enumerable.Range(0, 1 << n).Select(FlpGraph<TState, TMessage>.Initial)).FirstOrDefault(c => valence[c] == 3, -1);
        if (bivalent >= 0)
        {
            story.AppendLine($"    The initial configuration with inputs {FlpGraph<TState, TMessage>.Inputs(graph.InputsOf(bivalent))} is bivalent: both decisions are still reachable from it.");
            return bivalent;
        }
        var step = Enumerable.Range(0, n).FirstOrDefault(i => valence[chain[i]] is 1 or 2 && valence[chain[i + 1]] is 1 or 2 && valence[chain[i]] != valence[chain[i + 1]], -1);
        if (step < 0)
        {
            story.AppendLine("    No initial configuration is bivalent and no two neighbours differ: from some inputs no decision is reachable at all.");
            return -1;
        }
        var (before, after) = (chain[step], chain[step + 1]);
        story.AppendLine($"    No initial configuration is bivalent: C{step} is {Describe(valence[before])} and C{step + 1} is {Describe(valence[after])}, and they differ only in p{step}'s input.");
        story.AppendLine($"    The proof: a run from C{step} in which p{step} takes no step is also a run from C{step + 1}, so it cannot decide;");
        story.AppendLine($"    decisions reachable while p{step} takes no step: from C{step} {Describe(graph.DecisionsWithout(before, step))}, from C{step + 1} {Describe(graph.DecisionsWithout(after, step))}.");
        story.AppendLine($"    So if p{step} crashes at the start, no process can ever decide: the protocol is not 1-crash tolerant.");
        return -1;
    }

    /// <summary>
    /// Lemma 3: from a bivalent configuration C in which some message is pending, and e the receipt of that message, a
    /// bivalent configuration e(E) with E reached from C without e; the proof's two cases shown on the path to E.
    /// </summary>
    private static void TellLemma3<TState, TMessage>(FlpGraph<TState, TMessage> graph, int[] valence, StringBuilder story) where TState : class where TMessage : notnull
    {
        // The most telling instance: one where e must be delayed for bivalence to survive (the lemma's mechanism);
        // else a receipt for which no delay helps (where its hypothesis, 1-crash tolerance, fails); else one where
        // e(C) is bivalent at once.
        var candidates = graph.BivalentWithEvents(valence).Take(MaxLemma3Candidates).ToList();
        if (candidates.Count == 0)
        {
            story.AppendLine("  Lemma 3: no configuration is bivalent, so there is nothing for it to start from.");
            return;
        }
        (int Configuration, FlpEvent Event, FlpGraph<TState, TMessage>.Lemma3Search Search)? delayed = null, failing = null, atOnce = null;
        foreach (var (candidate, step) in candidates)
        {
            var search = graph.BivalentAfterDelaying(candidate, step, valence);
            if (search.Path is { Count: > 0 })
            {
                delayed = (candidate, step, search);
                break;
            }
            if (search.Path is not null) atOnce ??= (candidate, step, search);
            else if (step is FlpReceive) failing ??= (candidate, step, search);
        }
        var chosen = delayed ?? failing ?? atOnce ?? (candidates[0].Configuration, candidates[0].Event, graph.BivalentAfterDelaying(candidates[0].Configuration, candidates[0].Event, valence));
        var (c, e, found) = (chosen.Configuration, chosen.Event, chosen.Search);
        story.AppendLine($"  Lemma 3 (delaying e keeps bivalence), from a bivalent configuration C ({graph.PathTo(c).Count} steps from its initial configuration) and e = {e}:");
        if (found.Path is not { } path || found.Configurations is not { } configurations)
        {
            story.AppendLine("    No configuration e(E), with E reached from C without e, is bivalent: the lemma's conclusion fails here, so its hypothesis must.");
            if (found.Neighbours is not var (before, neighbourStep, after)) return;
            story.Append($"    Neighbours E and E' = e'(E) with e' = {neighbourStep}: e(E) is {Describe(valence[graph.Apply(before, e)])}, e(E') is {Describe(valence[graph.Apply(after, e)])}; ");
            if (neighbourStep.Process != e.Process)
            {
                var commute = graph.Apply(graph.Apply(before, e), neighbourStep) == graph.Apply(after, e);
                story.AppendLine($"case 1 (different processes): e'(e(E)) {(commute ? "=" : "≠")} e(E'), {(commute ? "so e(E') would be reachable from e(E) — impossible for different valences" : "so the steps do not commute: the processes are not deterministic")}.");
            }
            else
            {
                var decisions = graph.DecisionsWithout(before, e.Process);
                story.AppendLine($"case 2 (both at p{e.Process}): the proof takes a deciding run from E in which p{e.Process} takes no step; decisions reachable that way: {Describe(decisions)}.");
                if (decisions == 0) story.AppendLine($"    There is none: the protocol cannot decide if p{e.Process} crashes — Lemma 3 assumes it can (1-crash tolerance), and that is what fails.");
            }
            return;
        }
        story.AppendLine(path.Count == 0
            ? "    e(C) itself is bivalent: E = C."
            : $"    delay e for {path.Count} step{(path.Count == 1 ? "" : "s")} σ = {string.Join("; ", path)}, then apply e: e(σ(C)) is bivalent.");
        for (var j = 0; j < path.Count; j++)
        {
            var (here, next) = (configurations[j], configurations[j + 1]);
            var (vHere, vNext) = (valence[graph.Apply(here, e)], valence[graph.Apply(next, e)]);
            if (vHere == vNext) continue;
            var step = path[j];
            story.Append($"    e(E{j}) is {Describe(vHere)}, e(E{j + 1}) is {Describe(vNext)}, where E{j + 1} = e'(E{j}) with e' = {step}: ");
            if (step.Process != e.Process)
            {
                var commute = graph.Apply(graph.Apply(here, e), step) == graph.Apply(next, e);
                story.AppendLine($"case 1, e' and e are at different processes, so they commute (checked: e'(e(E{j})) {(commute ? "=" : "≠")} e(e'(E{j}))).");
            }
            else story.AppendLine($"case 2, e' and e are both at p{e.Process}.");
        }
    }

    /// <summary>Bivalent configurations and steps tried for Lemma 3's most telling instance (each try is a search of the graph).</summary>
    private const int MaxLemma3Candidates = 200;

    private static string Describe(int decisions) => decisions switch
    {
        0 => "no decision reachable",
        1 => "0-valent",
        2 => "1-valent",
        _ => "bivalent",
    };
}
