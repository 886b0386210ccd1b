using System.Diagnostics;
using System.Text.RegularExpressions;
using Verification.Checkers.Linearizability;
using Xunit.Abstractions;

namespace Verification.Checkers.Tests;

/// <summary>
/// The search itself: the same verdict as a brute-force enumeration of every order on many small random histories,
/// a valid explanation, long histories, and the time and memory budgets ending a search as unknown.
/// </summary>
public class LinearizabilitySearchTests(ITestOutputHelper output)
{
    // ---- the verdict against brute force ----

    /// <summary>Every order of the operations that respects real time (a before b when a returned before b was called), tried one by one.</summary>
    private static bool BruteForceLinearizable<TState, TInput, TOutput>(ISequentialModel<TState, TInput, TOutput> model, IReadOnlyList<Operation<TInput, TOutput>> history)
        where TState : notnull
    {
        var failed = new HashSet<(int, TState)>();
        bool Extend(int placed, TState state)
        {
            if (placed == (1 << history.Count) - 1) return true;
            if (failed.Contains((placed, state))) return false;
            for (var i = 0; i < history.Count; i++)
            {
                if ((placed & (1 << i)) != 0) continue;
                var mustWait = false;
                for (var j = 0; j < history.Count && !mustWait; j++)
                    mustWait = (placed & (1 << j)) == 0 && j != i && history[j].Return < history[i].Call;
                if (!mustWait && model.Step(state, history[i].Input, history[i].Output, out var after) && Extend(placed | (1 << i), after)) return true;
            }
            failed.Add((placed, state));
            return false;
        }
        return Extend(0, model.Initial);
    }

    /// <summary>Up to 7 register operations on a short time line (calls and returns may coincide), random values and outcomes, some unknown.</summary>
    private static List<Operation<RegisterInput, RegisterOutput>> RandomRegisterHistory(Random random, int unknownOneIn = 6)
    {
        long? Value() => random.Next(4) == 0 ? null : random.Next(1, 4);
        var history = new List<Operation<RegisterInput, RegisterOutput>>();
        for (var i = random.Next(1, 8); i > 0; i--)
        {
            var call = random.Next(12);
            var input = random.Next(3) switch
            {
                0 => new RegisterInput(RegisterOperation.Read, null),
                1 => new RegisterInput(RegisterOperation.Write, random.Next(1, 4)),
                _ => new RegisterInput(RegisterOperation.Cas, random.Next(1, 4), Value()),
            };
            var unknown = random.Next(unknownOneIn) == 0;
            var outputValue = input.Operation == RegisterOperation.Read ? Value() : null;
            var outcome = unknown ? Outcome.Unknown : input.Operation == RegisterOperation.Cas && random.Next(2) == 0 ? Outcome.Failed : Outcome.Ok;
            history.Add(new(random.Next(3), input, new RegisterOutput(outcome, outcome == Outcome.Ok ? outputValue : null), call, unknown ? long.MaxValue : call + random.Next(6), history.Count + 1));
        }
        return history;
    }

    /// <summary>Up to 7 key-value operations on one or two keys: puts, appends, gets, cas; some outcomes unknown.</summary>
    private static List<Operation<KeyValueInput, string?>> RandomKeyValueHistory(Random random)
    {
        string Text() => new[] { "", "a", "b", "ab", "ba" }[random.Next(5)];
        var history = new List<Operation<KeyValueInput, string?>>();
        for (var i = random.Next(1, 8); i > 0; i--)
        {
            var call = random.Next(12);
            var key = random.Next(4) == 0 ? "y" : "x";
            var input = random.Next(4) switch
            {
                0 => new KeyValueInput(KeyValueOperation.Get, key, ""),
                1 => new KeyValueInput(KeyValueOperation.Put, key, Text()),
                2 => new KeyValueInput(KeyValueOperation.Append, key, random.Next(2) == 0 ? "a" : "b"),
                _ => new KeyValueInput(KeyValueOperation.Cas, key, Text(), Text()),
            };
            var unknown = random.Next(6) == 0;
            string? result = unknown ? null : input.Operation switch
            {
                KeyValueOperation.Get => Text(),
                KeyValueOperation.Cas => random.Next(2) == 0 ? "ok" : "fail",
                _ => null,
            };
            history.Add(new(random.Next(3), input, result, call, unknown ? long.MaxValue : call + random.Next(6), history.Count + 1));
        }
        return history;
    }

    [Fact]
    public void RegisterVerdicts_AgreeWithBruteForce_OnThousandsOfSmallRandomHistories()
    {
        var random = new Random(20261126);
        var counts = new int[2];
        for (var i = 0; i < 4000; i++)
        {
            var history = RandomRegisterHistory(random);
            var expected = BruteForceLinearizable(CasRegisterModel.Instance, history);
            var result = LinearizabilityChecker.Check(CasRegisterModel.Instance, history);
            Assert.True(result.Verdict == (expected ? Verdict.Holds : Verdict.Violated),
                $"history {i}: brute force says {(expected ? "linearizable" : "not")}, the checker {result}\n" + string.Join("\n", history));
            counts[expected ? 1 : 0]++;
        }
        output.WriteLine($"{counts[1]} linearizable, {counts[0]} not");
        Assert.True(counts.Min() > 500, "both verdicts must be well represented"); // else the comparison says little
    }

    [Fact]
    public void RegisterVerdicts_AgreeWithBruteForce_WhenHalfTheOperationsTimedOut()
    {
        // Many operations that never return, often alike (the search tries only one of identical ones, and never
        // places one where it changes nothing): the shortcuts must lose no linearization.
        var random = new Random(41);
        var counts = new int[2];
        for (var i = 0; i < 4000; i++)
        {
            var history = RandomRegisterHistory(random, unknownOneIn: 2);
            var expected = BruteForceLinearizable(CasRegisterModel.Instance, history);
            var result = LinearizabilityChecker.Check(CasRegisterModel.Instance, history);
            Assert.True(result.Verdict == (expected ? Verdict.Holds : Verdict.Violated),
                $"history {i}: brute force says {(expected ? "linearizable" : "not")}, the checker {result}\n" + string.Join("\n", history));
            counts[expected ? 1 : 0]++;
        }
        output.WriteLine($"{counts[1]} linearizable, {counts[0]} not");
        Assert.True(counts.Min() > 500, "both verdicts must be well represented");
    }

    [Fact]
    public void KeyValueVerdicts_AgreeWithBruteForce_OnThousandsOfSmallRandomHistories()
    {
        var random = new Random(7);
        var counts = new int[2];
        var model = new KeyValueModel();
        for (var i = 0; i < 4000; i++)
        {
            var history = RandomKeyValueHistory(random);
            // Brute force over the whole store: per key, each key's history on its own (what partitioning relies on).
            var expected = history.GroupBy(o => o.Input.Key).All(key => BruteForceLinearizable(model, key.ToList()));
            var result = LinearizabilityChecker.Check(model, history);
            Assert.True(result.Verdict == (expected ? Verdict.Holds : Verdict.Violated),
                $"history {i}: brute force says {(expected ? "linearizable" : "not")}, the checker {result}\n" + string.Join("\n", history));
            counts[expected ? 1 : 0]++;
        }
        output.WriteLine($"{counts[1]} linearizable, {counts[0]} not");
        Assert.True(counts.Min() > 500, "both verdicts must be well represented");
    }

    // ---- the explanation ----

    [Fact]
    public void Explanation_ListsAValidPartialLinearization_AndTheStateAfterIt()
    {
        // The listed operations (all of them: at most 8), replayed through the model, are accepted one after another
        // and end in the state the explanation names.
        var random = new Random(99);
        var checkedExplanations = 0;
        for (var i = 0; i < 1500; i++)
        {
            var history = RandomRegisterHistory(random);
            var result = LinearizabilityChecker.Check(CasRegisterModel.Instance, history);
            if (result.Verdict != Verdict.Violated) continue;
            var text = result.Explanation!;
            var listed = text[..text.IndexOf("  state then:", StringComparison.Ordinal)];
            var lines = Regex.Matches(listed, @"\(line (\d+)").Select(m => int.Parse(m.Groups[1].Value)).ToList();
            Assert.Contains($"orders {lines.Count} of the {history.Count} operations", text);
            var state = CasRegisterModel.Instance.Initial;
            foreach (var line in lines)
            {
                var operation = history.Single(o => o.Line == line);
                Assert.True(CasRegisterModel.Instance.Step(state, operation.Input, operation.Output, out state), $"history {i}: line {line} does not fit\n{text}");
            }
            Assert.Contains($"state then: {CasRegisterModel.Instance.Describe(state)}", text);
            checkedExplanations++;
        }
        Assert.True(checkedExplanations > 300);
    }

    private static Operation<RegisterInput, RegisterOutput> Op(int client, RegisterInput input, RegisterOutput result, long call, long ret) => new(client, input, result, call, ret, (int)call + 1);

    [Fact]
    public void Explanation_KeepsTheDeepestLinearization_AfterBacktrackingToShallowerOnes()
    {
        // Writes of 1 and 2 overlap; a read of 1 after both puts 2 first; a later read of 2 fits nowhere. The deepest
        // partial order is "write 2, write 1, read 1" (3 of 4), found first (write 2 returns first, so it is tried
        // first); the search then backtracks and tries "write 1, write 2", which overwrites the choices on its stack
        // but goes less deep: the explanation must still show the first.
        var history = new[]
        {
            Op(0, new RegisterInput(RegisterOperation.Write, 1), new(Outcome.Ok), 0, 11),
            Op(1, new RegisterInput(RegisterOperation.Write, 2), new(Outcome.Ok), 1, 10),
            Op(2, new RegisterInput(RegisterOperation.Read, null), new(Outcome.Ok, 1), 12, 13),
            Op(2, new RegisterInput(RegisterOperation.Read, null), new(Outcome.Ok, 2), 14, 15),
        };
        var result = LinearizabilityChecker.Check(CasRegisterModel.Instance, history);
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Violated, result.Verdict);
        Assert.Contains("orders 3 of the 4 operations", result.Explanation);
        Assert.Matches(@"write 2 → ok \(line 2\)\s+client 0: write 1 → ok \(line 1\)\s+client 2: read → 1 \(line 13\)\s+state then: register = 1", result.Explanation);
    }

    // ---- long histories (issue item 13) ----

    [Fact]
    public void LongHistory_100kOperations_FitsASmallMemoryBudget()
    {
        // Each memoised configuration used to hold a copy of the whole linearized set (100,000 bits: 12.5 KB), and
        // the best partial linearization was copied on every deeper step (quadratic time). Now a configuration's
        // set is a few words and the best is copied once per choice: 64 MB is plenty.
        var history = RegisterSimulation.Generate(100_000, clients: 10, seed: 1);
        var result = LinearizabilityChecker.Check(CasRegisterModel.Instance, history, new LinearizabilityBudget { MaxMemoryBytes = 64L << 20, Timeout = TimeSpan.FromSeconds(30) });
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Holds, result.Verdict);
    }

    [Fact]
    public void LongHistory_WithAPlantedStaleRead_IsNotLinearizable_AndTheExplanationReachesIt()
    {
        var history = RegisterSimulation.Generate(20_000, clients: 10, seed: 3, plantStaleRead: true);
        var result = LinearizabilityChecker.Check(CasRegisterModel.Instance, history, new LinearizabilityBudget { Timeout = TimeSpan.FromSeconds(30) });
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Violated, result.Verdict);
        // The stale read is planted after the middle: everything before it fits, so the deepest order goes that far.
        var placed = int.Parse(Regex.Match(result.Explanation!, @"orders (\d+) of the 20000").Groups[1].Value);
        Assert.InRange(placed, 9_000, 11_000);
        Assert.Equal(Verdict.Holds, LinearizabilityChecker.Check(CasRegisterModel.Instance, RegisterSimulation.Generate(20_000, clients: 10, seed: 3)).Verdict);
    }

    // ---- budgets (issue item 14) ----

    /// <summary>41 appends to one key, all overlapping, then a get that no order explains: every order of the appends is a different state.</summary>
    public static List<Operation<KeyValueInput, string?>> ConcurrentAppends()
    {
        var history = new List<Operation<KeyValueInput, string?>>();
        for (var i = 0; i < 40; i++) history.Add(new(i, new KeyValueInput(KeyValueOperation.Append, "k", $"value {i:D2}; "), null, i, 100 + i, i + 1));
        history.Add(new(40, new KeyValueInput(KeyValueOperation.Get, "k", ""), "none of these", 200, 201, 41));
        return history;
    }

    [Fact]
    public void MemoryBudget_ConcurrentAppends_EndAsUnknown_NamingTheBudget_NotAsOutOfMemory()
    {
        var result = LinearizabilityChecker.Check(new KeyValueModel(), ConcurrentAppends(), new LinearizabilityBudget { MaxMemoryBytes = 32L << 20 });
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Unknown, result.Verdict);
        Assert.Matches(@"memory budget of 32 MB exhausted after \d+ configurations", result.Explanation);
        // The states' strings are counted: had each configuration cost only its fixed overhead (≥ 100 bytes), the
        // 32 MB would have held over 300,000 of them.
        Assert.InRange(result.Coverage.Configurations, 1_000, 300_000);
    }

    [Fact]
    public void MemoryBudget_ByDefault_IsWellBelowTheMachinesMemory()
    {
        var budget = new LinearizabilityBudget();
        Assert.Equal(1L << 30, budget.MaxMemoryBytes);
        Assert.Equal(long.MaxValue, budget.MaxCachedConfigurations);
    }

    [Fact]
    public void Timeout_IsCheckedByTheClock_OftenEnough_OnAHardHistory()
    {
        // 30 overlapping writes of distinct values and a read of a value never written: every subset of the writes is
        // a configuration. With a 50 ms budget the search must stop soon after 50 ms (the bound is generous: this is
        // no timing test, only a check that the clock is read far more often than every few seconds).
        var ops = new List<Operation<RegisterInput, RegisterOutput>>();
        for (var i = 0; i < 30; i++) ops.Add(Op(i, new RegisterInput(RegisterOperation.Write, i), new(Outcome.Ok), i, 100 + i));
        ops.Add(Op(99, new RegisterInput(RegisterOperation.Read, null), new(Outcome.Ok, 1000), 200, 201));
        var watch = Stopwatch.StartNew();
        var result = LinearizabilityChecker.Check(CasRegisterModel.Instance, ops, new LinearizabilityBudget { Timeout = TimeSpan.FromMilliseconds(50) });
        watch.Stop();
        output.WriteLine($"{result} (elapsed {watch.Elapsed.TotalMilliseconds:F1} ms)");
        Assert.Equal(Verdict.Unknown, result.Verdict);
        Assert.Matches(@"time budget of 50 ms exhausted after \d+ configurations", result.Explanation);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"stopped after {watch.Elapsed.TotalMilliseconds:F0} ms");
    }
}
