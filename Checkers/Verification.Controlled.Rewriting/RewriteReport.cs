namespace Verification.Controlled.Rewriting;

/// <summary>What happened to an assembly.</summary>
public enum RewriteOutcome
{
    /// <summary>Rewritten now.</summary>
    Rewritten,

    /// <summary>The input already carries this rewriter's marker (same version, table and runtime): left as it is.</summary>
    AlreadyRewritten,

    /// <summary>The same input was rewritten before: the cached result was used.</summary>
    CacheHit,
}

/// <summary>How many call sites of one BCL member were redirected.</summary>
/// <param name="Member">The BCL member's signature key.</param>
/// <param name="Interceptor">The interceptor they now call.</param>
/// <param name="Count">Call sites (including <c>ldftn</c> of a static member for a delegate).</param>
public sealed record RedirectCount(string Member, string Interceptor, int Count);

/// <summary>A call left alone that escapes the controlled runtime or blocks outside it.</summary>
/// <param name="Member">The called member's signature key.</param>
/// <param name="Reason">Why it is not controlled.</param>
/// <param name="Method">The method containing the call (for an async method or lambda, its compiler-generated method).</param>
/// <param name="Offset">The call's IL offset in the input assembly.</param>
/// <param name="Source">file:line from the pdb, when there is one.</param>
public sealed record UnsupportedCall(string Member, string Reason, string Method, int Offset, string? Source)
{
    /// <summary>One line: the member, where, and why.</summary>
    public override string ToString() => $"{Member} at {Method} IL_{Offset:x4}{(Source is null ? "" : $" ({Source})")}: {Reason}";
}

/// <summary>The rewriter's report on one assembly: the count of each redirect and every unsupported call.</summary>
/// <param name="Assembly">The assembly's name.</param>
/// <param name="Outcome">What was done.</param>
/// <param name="Redirects">Redirected call sites per BCL member (members with none are left out); empty for a cache hit.</param>
/// <param name="Unsupported">Calls left alone that escape control, in the assembly's order; empty for a cache hit.</param>
public sealed record RewriteReport(string Assembly, RewriteOutcome Outcome, IReadOnlyList<RedirectCount> Redirects, IReadOnlyList<UnsupportedCall> Unsupported)
{
    /// <summary>Redirected call sites in all.</summary>
    public int CallSites => Redirects.Sum(redirect => redirect.Count);
}

/// <summary>A rewritten assembly (and its portable pdb, if the input had one in a file) with the report.</summary>
/// <param name="Assembly">The assembly's bytes.</param>
/// <param name="Symbols">The portable pdb's bytes; null when the input had no separate pdb.</param>
/// <param name="Report">What was redirected and what was left alone.</param>
public sealed record RewrittenAssembly(byte[] Assembly, byte[]? Symbols, RewriteReport Report);
