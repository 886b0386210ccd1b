using System.Text;

namespace Verification.Controlled.Rewriting;

/// <summary>Text helpers for the command line's summary.</summary>
public static class RewriteSummary
{
    /// <summary>The lines printed for a report: the outcome and counts, then one line per unsupported call.</summary>
    public static IEnumerable<string> Lines(RewriteReport report, string input, string output)
    {
        var head = new StringBuilder($"controlled-rewrite: {input}");
        if (output != input) head.Append($" -> {output}");
        head.Append(report.Outcome switch
        {
            RewriteOutcome.CacheHit => ": cache hit (unchanged input, rewritten before)",
            RewriteOutcome.AlreadyRewritten => ": already rewritten by this rewriter, left as it is",
            _ => $": rewrote {report.CallSites} call sites, {report.Unsupported.Count} unsupported calls",
        });
        yield return head.ToString();
        foreach (var redirect in report.Redirects)
            yield return $"controlled-rewrite:   {redirect.Count,5} x {redirect.Member} -> {redirect.Interceptor}";
        foreach (var call in report.Unsupported)
            yield return $"controlled-rewrite: unsupported: {call}";
    }
}
