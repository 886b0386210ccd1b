using System.Diagnostics;
using System.Numerics;

namespace Verification.Checkers.Teaching;

/// <summary>
/// The contrast to FLP: in the synchronous model — lock-step rounds, every message sent in a round arrives in that
/// round — consensus is solvable. Two algorithms from seed 002, each checked against every adversary it allows:
/// FloodSet for crash failures (f + 1 rounds; a process that crashes mid-round reaches any subset of the others), and
/// Dolev–Strong authenticated broadcast for Byzantine failures (f + 1 rounds of signature chains). With only f
/// rounds each breaks Agreement, and the counterexample shows the chain of failures that does it.
/// </summary>
public static class Synchronous
{
    /// <summary>Correct processes decide the same value.</summary>
    public const string Agreement = "Agreement";

    /// <summary>A decision is some process's input (FloodSet), or the correct sender's value (Dolev–Strong).</summary>
    public const string Validity = "Validity";

    /// <summary>
    /// FloodSet: every round each process sends the set of values it has seen to all; after <paramref name="rounds"/>
    /// rounds it decides the smallest. Explored for every input vector in {0,1}^n and every crash pattern with at most
    /// <paramref name="faults"/> crashes: which process crashes in which round, and which others its last message reaches.
    /// </summary>
    public static CheckResult FloodSet(int processes, int faults, int rounds)
    {
        Require(processes, faults, rounds);
        var watch = Stopwatch.StartNew();
        long executions = 0;
        string? failure = null;
        string? property = null;
        for (var inputs = 0; inputs < 1 << processes && failure is null; inputs++)
        {
            var seen = Enumerable.Range(0, processes).Select(p => 1 << ((inputs >> p) & 1)).ToArray();
            Explore(seen, crashed: 0, round: 1, [$"inputs: {string.Join(" ", Enumerable.Range(0, processes).Select(p => $"p{p}={(inputs >> p) & 1}"))}"]);
        }
        return Finish($"FloodSet, {processes} processes, ≤ {faults} crash{(faults == 1 ? "" : "es")}, {rounds} round{(rounds == 1 ? "" : "s")}",
            "every input vector and every crash pattern, exhaustively (synchronous rounds)", executions, property, failure, watch,
            [$"{processes} processes", $"≤ {faults} crash{(faults == 1 ? "" : "es")}, each reaching any subset of the others in its last round", "binary inputs", "lock-step rounds"]);

        void Explore(int[] seen, int crashed, int round, List<string> story)
        {
            if (failure is not null) return;
            if (round > rounds)
            {
                executions++;
                var decisions = Enumerable.Range(0, processes).Where(p => (crashed >> p & 1) == 0).Select(p => (Process: p, Value: BitOperations.TrailingZeroCount(seen[p]))).ToList();
                if (decisions.Select(d => d.Value).Distinct().Count() > 1)
                {
                    property = Agreement;
                    failure = string.Join("\n", [.. story, $"decisions: {string.Join(", ", decisions.Select(d => $"p{d.Process} decides {d.Value}"))}"]);
                }
                return;
            }
            // Choose who crashes this round (within the budget), and for each the subset of the others it still reaches.
            var alive = Enumerable.Range(0, processes).Where(p => (crashed >> p & 1) == 0).ToList();
            foreach (var crashing in Subsets(alive).Where(s => BitOperations.PopCount((uint)(crashed | s)) <= faults))
            {
                var crashers = alive.Where(p => (crashing >> p & 1) == 1).ToList();
                foreach (var reach in Reaches(crashers, processes))
                {
                    var next = (int[])seen.Clone();
                    foreach (var sender in alive)
                        for (var receiver = 0; receiver < processes; receiver++)
                            if (receiver != sender && (crashing >> sender & 1) == 0 || reach.TryGetValue(sender, out var subset) && (subset >> receiver & 1) == 1)
                                next[receiver] |= seen[sender];
                    var line = $"round {round}: " + (crashers.Count == 0 ? "no crash" : string.Join("; ", crashers.Select(c => $"p{c} crashes, its values {Values(seen[c])} reach only {Processes(reach[c], processes)}")))
                        + $" → seen: {string.Join(" ", Enumerable.Range(0, processes).Where(p => ((crashed | crashing) >> p & 1) == 0).Select(p => $"p{p}{Values(next[p])}"))}";
                    Explore(next, crashed | crashing, round + 1, [.. story, line]);
                    if (failure is not null) return;
                }
            }
        }
    }

    /// <summary>
    /// Dolev–Strong: sender p0 signs its value; a process that accepts a value in round r with a chain of r distinct
    /// signatures starting with p0 adds its own and relays it in round r + 1; after <paramref name="rounds"/> rounds each
    /// correct process decides the value it accepted if it accepted exactly one, else the default 0. The Byzantine
    /// processes (<paramref name="byzantine"/>, the sender among them or not) act together: each round they may send,
    /// to each correct process, any message they can sign — any value under the sender's key if the sender is theirs,
    /// or a chain they have seen extended by their own signatures — and nothing else (signatures cannot be forged).
    /// </summary>
    public static CheckResult DolevStrong(int processes, IReadOnlyList<int> byzantine, int rounds)
    {
        var faults = byzantine.Count;
        Require(processes, faults, rounds);
        if (byzantine.Any(b => b < 0 || b >= processes) || byzantine.Distinct().Count() != faults)
            throw new Specs.SpecException($"Byzantine processes must be distinct processes 0..{processes - 1} (got {string.Join(", ", byzantine)})");
        var watch = Stopwatch.StartNew();
        var bad = byzantine.Aggregate(0, (mask, b) => mask | 1 << b);
        var correct = Enumerable.Range(0, processes).Where(p => (bad >> p & 1) == 0).ToList();
        long executions = 0;
        string? failure = null;
        string? property = null;
        // A signed message: a value and its chain of signers, p0 first. Correct senders only ever send their own value.
        var senderValues = (bad & 1) == 1 ? new[] { -1 } : [0, 1];
        foreach (var senderValue in senderValues)
        {
            var accepted = correct.ToDictionary(p => p, p => p == 0 ? 1 << senderValue : 0);
            var relay = correct.ToDictionary(p => p, p => p == 0 ? new List<Chain> { new(senderValue, [0]) } : []);
            Explore(1, accepted, relay, [], [senderValue < 0 ? "the sender p0 is Byzantine" : $"the sender p0 is correct, with value {senderValue}"]);
            if (failure is not null) break;
        }
        return Finish($"Dolev–Strong, {processes} processes, Byzantine {{{string.Join(",", byzantine.Select(b => $"p{b}"))}}}, {rounds} round{(rounds == 1 ? "" : "s")}",
            "every Byzantine strategy that cannot forge signatures, exhaustively (synchronous rounds)", executions, property, failure, watch,
            [$"{processes} processes", $"{faults} Byzantine, colluding, unable to forge signatures", "binary values", "lock-step rounds"]);

        void Explore(int round, Dictionary<int, int> accepted, Dictionary<int, List<Chain>> outgoing, HashSet<Chain> knownToByzantine, List<string> story)
        {
            if (failure is not null) return;
            if (round > rounds)
            {
                executions++;
                var decisions = correct.Select(p => (Process: p, Value: BitOperations.PopCount((uint)accepted[p]) == 1 ? BitOperations.TrailingZeroCount(accepted[p]) : 0)).ToList();
                if (decisions.Select(d => d.Value).Distinct().Count() > 1) property = Agreement;
                else if ((bad & 1) == 0 && decisions.Any(d => d.Value != BitOperations.TrailingZeroCount(accepted[0]))) property = Validity;
                if (property is not null)
                    failure = string.Join("\n", [.. story, $"decisions: {string.Join(", ", decisions.Select(d => $"p{d.Process} decides {d.Value}"))}"]);
                return;
            }
            // What correct processes send this round reaches everyone (the Byzantine ones learn it too).
            var known = new HashSet<Chain>(knownToByzantine);
            foreach (var chain in outgoing.Values.SelectMany(c => c)) known.Add(chain);
            // What the Byzantine processes can send this round: chains of exactly `round` signers, p0 first, every
            // signature either theirs or taken from a chain they have seen.
            var forgeable = Forgeable(round, known).ToList();
            foreach (var choice in Assignments(forgeable, correct.Count))
            {
                var nextAccepted = new Dictionary<int, int>(accepted);
                var nextOutgoing = correct.ToDictionary(p => p, _ => new List<Chain>());
                var received = new List<string>();
                for (var i = 0; i < correct.Count; i++)
                {
                    var p = correct[i];
                    var inbox = outgoing.Where(o => o.Key != p).SelectMany(o => o.Value).Concat(forgeable.Where((_, k) => (choice[i] >> k & 1) == 1));
                    foreach (var chain in inbox.Distinct())
                    {
                        if (chain.Signers.Count != round || chain.Signers[0] != 0 || chain.Signers.Contains(p) || chain.Signers.Distinct().Count() != round) continue;
                        if ((nextAccepted[p] >> chain.Value & 1) == 1) continue;
                        nextAccepted[p] |= 1 << chain.Value;
                        nextOutgoing[p].Add(new Chain(chain.Value, [.. chain.Signers, p]));
                        received.Add($"p{p} accepts {chain}");
                    }
                }
                var line = $"round {round}: " + (choice.All(c => c == 0) ? "Byzantine send nothing" : string.Join("; ", correct.Select((p, i) => (p, i)).Where(x => choice[x.i] != 0)
                    .Select(x => $"Byzantine send p{x.p} {string.Join(", ", forgeable.Where((_, k) => (choice[x.i] >> k & 1) == 1))}")))
                    + (received.Count > 0 ? $" → {string.Join("; ", received)}" : "");
                Explore(round + 1, nextAccepted, nextOutgoing, known, [.. story, line]);
                if (failure is not null) return;
            }
        }

        IEnumerable<Chain> Forgeable(int round, HashSet<Chain> known)
        {
            var chains = new HashSet<Chain>();
            // Prefixes a Byzantine signer can extend: any known chain's prefix, or a fresh one when the sender is theirs.
            var prefixes = known.SelectMany(c => Enumerable.Range(1, c.Signers.Count).Select(k => new Chain(c.Value, c.Signers.Take(k).ToList()))).ToHashSet();
            if ((bad & 1) == 1) foreach (var v in new[] { 0, 1 }) prefixes.Add(new Chain(v, [0]));
            foreach (var prefix in prefixes)
                foreach (var extension in Extensions(prefix, round))
                    chains.Add(extension);
            return chains.OrderBy(c => c.ToString(), StringComparer.Ordinal);
        }

        // A prefix completed to `round` signers with Byzantine signatures only (distinct, not already in it).
        IEnumerable<Chain> Extensions(Chain prefix, int round)
        {
            if (prefix.Signers.Count == round) { yield return prefix; yield break; }
            if (prefix.Signers.Count > round) yield break;
            foreach (var b in byzantine.Where(b => !prefix.Signers.Contains(b)))
                foreach (var longer in Extensions(new Chain(prefix.Value, [.. prefix.Signers, b]), round))
                    yield return longer;
        }
    }

    /// <summary>For each correct process, which of the forgeable messages it gets (a bit set over them).</summary>
    private static IEnumerable<int[]> Assignments(IReadOnlyList<Chain> forgeable, int recipients)
    {
        if (forgeable.Count > 8) throw new Specs.SpecException($"{forgeable.Count} forgeable messages a round is beyond this exhaustive adversary (≤ 8)");
        var options = 1 << forgeable.Count;
        var total = (long)Math.Pow(options, recipients);
        for (long code = 0; code < total; code++)
        {
            var choice = new int[recipients];
            var rest = code;
            for (var i = 0; i < recipients; i++)
            {
                choice[i] = (int)(rest % options);
                rest /= options;
            }
            yield return choice;
        }
    }

    /// <summary>A value with its chain of signers.</summary>
    private sealed record Chain(int Value, List<int> Signers)
    {
        public bool Equals(Chain? other) => other is not null && Value == other.Value && Signers.SequenceEqual(other.Signers);

        public override int GetHashCode() => Signers.Aggregate(Value, HashCode.Combine);

        public override string ToString() => $"{Value}:{string.Join("", Signers.Select(s => $"<p{s}>"))}";
    }

    private static void Require(int processes, int faults, int rounds)
    {
        if (processes is < 2 or > 6) throw new Specs.SpecException($"the synchronous checks explore 2 to 6 processes (got {processes})");
        if (faults < 0 || faults >= processes) throw new Specs.SpecException($"faults must be 0..{processes - 1} (got {faults})");
        if (rounds < 1 || rounds > 6) throw new Specs.SpecException($"rounds must be 1..6 (got {rounds})");
    }

    private static IEnumerable<int> Subsets(IReadOnlyList<int> members)
    {
        for (var code = 0; code < 1 << members.Count; code++)
            yield return Enumerable.Range(0, members.Count).Where(i => (code >> i & 1) == 1).Aggregate(0, (mask, i) => mask | 1 << members[i]);
    }

    /// <summary>For each crashing process, every subset of the others its last message may reach.</summary>
    private static IEnumerable<Dictionary<int, int>> Reaches(IReadOnlyList<int> crashers, int processes)
    {
        if (crashers.Count == 0) { yield return []; yield break; }
        var others = Enumerable.Range(0, processes).Where(p => p != crashers[0]).ToList();
        foreach (var subset in Subsets(others))
            foreach (var rest in Reaches(crashers.Skip(1).ToList(), processes))
                yield return new Dictionary<int, int>(rest) { [crashers[0]] = subset };
    }

    private static string Values(int set) => "{" + string.Join(",", Enumerable.Range(0, 2).Where(v => (set >> v & 1) == 1)) + "}";

    private static string Processes(int set, int processes)
    {
        var members = Enumerable.Range(0, processes).Where(p => (set >> p & 1) == 1).Select(p => $"p{p}").ToList();
        return members.Count == 0 ? "nobody" : string.Join(", ", members);
    }

    private static CheckResult Finish(string subject, string method, long executions, string? property, string? failure, Stopwatch watch, IReadOnlyList<string> within) => new()
    {
        Subject = subject,
        Method = method,
        Verdict = failure is null ? Verdict.Holds : Verdict.Violated,
        Coverage = new Coverage { Runs = executions },
        Within = within,
        Counterexample = failure is null ? null : new SynchronousRun(property!, failure),
        Elapsed = watch.Elapsed,
    };
}

/// <summary>A synchronous execution breaking a property: round by round, who failed and how, then the decisions.</summary>
/// <param name="Property">Agreement or Validity.</param>
/// <param name="Rounds">The execution, one line per round, then the decisions.</param>
public sealed record SynchronousRun(string Property, string Rounds) : Counterexample(Property)
{
    /// <inheritdoc/>
    public override string Describe() => $"{Property} broken:\n  " + Rounds.Replace("\n", "\n  ", StringComparison.Ordinal);
}
