namespace Verification.Specs;

/// <summary>
/// Quantifiers over a finite range 0..count−1 for equations and properties: "some acceptor", "every ballot",
/// "how many nodes". The count must be a constant when the spec is built; staging expands the quantifier into a
/// disjunction, conjunction or sum with the index replaced by each constant, so every use (compiled evaluation, SMT,
/// printing) sees plain formulas. Anything closed inside the body (a quorum's membership, say) folds to a constant.
/// The method bodies are the same meaning for code that calls them outside a spec.
/// </summary>
[SpecConstant]
public static class Bounded
{
    /// <summary>∃ i ∈ 0..count−1: holds(i).</summary>
    public static bool Any(int count, Func<int, bool> holds)
    {
        for (var i = 0; i < count; i++)
            if (holds(i)) return true;
        return false;
    }

    /// <summary>∀ i ∈ 0..count−1: holds(i).</summary>
    public static bool All(int count, Func<int, bool> holds)
    {
        for (var i = 0; i < count; i++)
            if (!holds(i)) return false;
        return true;
    }

    /// <summary>|{ i ∈ 0..count−1 : holds(i) }|.</summary>
    public static int Count(int count, Func<int, bool> holds)
    {
        var n = 0;
        for (var i = 0; i < count; i++)
            if (holds(i)) n++;
        return n;
    }

    /// <summary>The largest expansion staging accepts, so a mistaken bound is an error rather than a hang.</summary>
    public const int MaxCount = 4096;
}
