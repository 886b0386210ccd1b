using Verification.Checkers.Smt;
using Xunit.Abstractions;

namespace Verification.Checkers.Tests;

/// <summary>The Z3 session itself: why a check answered unknown, and a deadline interrupt that never outlives its call or its context.</summary>
public class Z3SessionTests(ITestOutputHelper output)
{
    /// <summary>
    /// 2^x = 3 over the reals: true for x = log₂3, which Z3 4.8 cannot represent, so it answers "unknown (incomplete
    /// (theory arithmetic))" at once to any satisfiable query next to it; an unsatisfiable query stays unsat.
    /// Assertions only: a set-option would change Z3's global parameters, for every session in the process.
    /// </summary>
    internal const string IncompleteArithmetic = "(declare-const |test x| Real)\n(assert (= (^ 2.0 |test x|) 3.0))\n";

    /// <summary>
    /// x³ + y³ = z³ over positive integers (no solution, by Fermat): Z3 4.8 searches for a model for longer than any
    /// test waits, so a satisfiable query next to it runs into the deadline; an unsatisfiable one stays unsat.
    /// </summary>
    internal const string HardNonlinear =
        "(declare-const |test x| Int)\n(declare-const |test y| Int)\n(declare-const |test z| Int)\n" +
        "(assert (and (> |test x| 0) (> |test y| 0) (> |test z| 0)))\n" +
        "(assert (= (+ (* |test x| |test x| |test x|) (* |test y| |test y| |test y|)) (* |test z| |test z| |test z|)))\n";

    [Fact]
    public void Check_WhenZ3AnswersUnknown_ReadsZ3sReason_AndClearsItOnTheNextAnswer()
    {
        using var session = new Z3Session(TimeSpan.FromSeconds(10));
        Assert.Equal(SatResult.Unknown, session.Check("(push)\n" + IncompleteArithmetic));
        Assert.False(session.TimedOut);
        Assert.StartsWith("incomplete", session.UnknownReason); // Z3 4.8.12 says just "incomplete" here, without datatypes
        Assert.DoesNotContain("timeout", session.UnknownReason);

        session.Run("(pop)");
        Assert.Equal(SatResult.Sat, session.Check("(declare-const y Int)\n(assert (> y 2))"));
        Assert.Null(session.UnknownReason);
    }

    [Fact]
    public void Check_InterruptedByItsDeadline_SaysTimeout_AndTheSessionStillAnswers()
    {
        using var session = new Z3Session(TimeSpan.FromMilliseconds(100));
        Assert.Equal(SatResult.Unknown, session.Check("(push)\n" + HardNonlinear));
        Assert.True(session.TimedOut);
        Assert.Equal("timeout after 0.1 s", session.UnknownReason);

        session.Run("(pop)");
        session.Timeout = TimeSpan.FromSeconds(10);
        Assert.Equal(SatResult.Unsat, session.Check("(declare-const y Int)\n(assert (> y 2))\n(assert (< y 1))"));
        Assert.False(session.TimedOut);
        Assert.Null(session.UnknownReason);
    }

    /// <summary>
    /// Deadlines from 0 to 30 ms, about as long as a fresh session takes to answer its first query, put the timer's
    /// interrupt before, during and after the solver call and next to Dispose: the interrupt must neither reach a
    /// deleted context (a native use-after-free, which would crash the test process) nor break a later call.
    /// </summary>
    [Fact]
    public void Sessions_WithVeryShortDeadlines_CreatedAndDisposedInALoop_AnswerOrTimeOut()
    {
        int answered = 0, timedOut = 0;
        for (var i = 0; i < 200; i++)
        {
            var session = new Z3Session(TimeSpan.FromMilliseconds(i % 40 * 0.75));
            var answer = session.Check("(declare-const a Int)\n(declare-const b Int)\n(assert (> (* a b) 12))\n(assert (< 0 a b))");
            if (answer == SatResult.Sat)
            {
                answered++;
            }
            else
            {
                timedOut++;
                Assert.True(answer == SatResult.Unknown && session.TimedOut && session.UnknownReason!.StartsWith("timeout after", StringComparison.Ordinal),
                    $"deadline {session.Timeout.TotalMilliseconds} ms: {answer} ({session.UnknownReason})");
            }
            session.Dispose();
            session.Dispose();
        }
        output.WriteLine($"{answered} answered, {timedOut} timed out"); // the split depends on the machine's load
    }

    [Fact]
    public void Dispose_Twice_IsHarmless_AndACallAfterDisposeIsRefused()
    {
        var session = new Z3Session(TimeSpan.FromSeconds(1));
        session.Dispose();
        session.Dispose();
        Assert.Throws<ObjectDisposedException>(() => session.Run("(check-sat)"));
    }
}
