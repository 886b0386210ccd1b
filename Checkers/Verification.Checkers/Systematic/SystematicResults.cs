namespace Verification.Checkers.Systematic;

/// <summary>Views of a <see cref="CheckResult"/> for the systematic tester's results: the run counterexample, and assertions on it.</summary>
public static class SystematicResults
{
    extension(CheckResult result)
    {
        /// <summary>The counterexample of a run (a schedule that replays it), when the result has one.</summary>
        public RunCounterexample? Bug => result.Counterexample as RunCounterexample;

        /// <summary>The livelock a livelock search found, when it found one.</summary>
        public LassoCounterexample? Lasso => result.Counterexample as LassoCounterexample;

        /// <summary>For a planted bug: a run counterexample of <paramref name="property"/> (and of <paramref name="kind"/>, when given) must have been found.</summary>
        public RunCounterexample AssertFound(string property, FailureKind? kind = null) => result.AssertFound([property], kind);

        /// <summary>For a planted bug that breaks one of several specific rules (whichever a run reaches first).</summary>
        public RunCounterexample AssertFound(IReadOnlyList<string> anyOf, FailureKind? kind = null)
        {
            var found = result.AssertViolated([.. anyOf]);
            if (found is not RunCounterexample bug || (kind is not null && bug.Kind != kind))
                throw new CheckFailedException($"expected a {kind} violation of {string.Join(" or ", anyOf)}, found another:\n{result}", result);
            return bug;
        }
    }

    /// <summary>
    /// Combines the results of shards (ShardIndex 0..n−1 of one configuration of random runs): coverage adds up, and
    /// the bug reported is the one of the lowest iteration, as a single unsharded run would report.
    /// </summary>
    public static CheckResult MergeShards(IReadOnlyList<CheckResult> shards)
    {
        if (shards.Count == 0) throw new ConfigurationException("no shard results to merge");
        if (shards.Select(s => s.Subject).Distinct().Count() > 1) throw new ConfigurationException("shard results of different systems cannot be merged");
        var first = shards.Where(s => s.Bug is not null).OrderBy(s => s.Bug!.Schedule.Iteration).FirstOrDefault();
        return (first ?? shards[0]) with
        {
            Coverage = shards.Select(s => s.Coverage).Aggregate((a, b) => a.Plus(b)),
            Elapsed = shards.Max(s => s.Elapsed),
        };
    }
}
