using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Verification.Checkers.Smt;

/// <summary>Z3 reported an error on a script we generated: a defect of the translation, reported with the offending text.</summary>
/// <param name="message">Z3's error, or the answer that could not be read, with the offending text.</param>
public sealed class SmtException(string message) : VerificationException(message);

/// <summary>The deadline interrupted Z3 while it was reading commands (not while checking): their effect is partial.</summary>
/// <param name="message">The deadline that ran out, and what Z3 was doing.</param>
public sealed class SmtDeadlineException(string message) : VerificationException(message);

/// <summary>
/// One Z3 context fed SMT-LIB2 text. Declarations persist across <see cref="Run"/> calls, so a bounded check can
/// add one step at a time. Every call has a deadline, enforced by interrupting the solver (Z3 4.8's own timeout
/// option is not honoured by every tactic); an interrupted check answers <c>unknown</c>.
/// <para>
/// Thread-safety: a session belongs to one thread at a time (<see cref="Run"/>, <see cref="Check"/> and
/// <see cref="Dispose"/> must not overlap). The only other thread that touches it is the deadline timer, and its
/// interrupt is serialised with the end of each call and with <see cref="Dispose"/>: it never reaches a deleted
/// context, nor a later call than the one it was set for. Dispose may be called more than once.
/// </para>
/// </summary>
public sealed class Z3Session : IDisposable
{
    // Shared by the deadline timer's callback and this session's own thread: guards context, armedCall and interrupted.
    private readonly Lock gate = new();
    private IntPtr context; // IntPtr.Zero once disposed
    private long calls;
    private long armedCall; // the call the deadline may interrupt; 0 between calls
    private bool interrupted;

    /// <summary>
    /// Opens a Z3 context whose calls are each interrupted after <paramref name="timeout"/>; when libz3 cannot be
    /// loaded, throws <see cref="Z3UnavailableException"/> saying how to install it.
    /// </summary>
    public Z3Session(TimeSpan timeout)
    {
        Version = Z3Native.EnsureLoaded();
        Timeout = timeout;
        var config = Z3Native.Z3_mk_config();
        Z3Native.Z3_set_param_value(config, "model", "true");
        context = Z3Native.Z3_mk_context(config);
        Z3Native.Z3_del_config(config);
        Z3Native.Z3_set_error_handler(context, IntPtr.Zero); // report errors through codes, never abort the process
    }

    /// <summary>Z3's version ("4.8.12"), as results name the method.</summary>
    public string Version { get; }

    /// <summary>The deadline of each <see cref="Run"/> or <see cref="Check"/> call; a change applies to later calls.</summary>
    public TimeSpan Timeout { get; set; }

    /// <summary>Total solver time spent in this session.</summary>
    public TimeSpan Elapsed { get; private set; }

    /// <summary>Whether the deadline interrupted the last call.</summary>
    public bool TimedOut { get; private set; }

    /// <summary>
    /// Why the last <see cref="Check"/> answered unknown (null when it answered sat or unsat): our own deadline
    /// ("timeout after N s"), or the reason Z3 gives, e.g. "incomplete quantifiers" or "max. resource limit exceeded".
    /// </summary>
    public string? UnknownReason { get; private set; }

    /// <summary>
    /// Evaluates commands and returns what Z3 printed; an error in the text throws <see cref="SmtException"/>, and
    /// the deadline interrupting the commands themselves (Z3 reports them "canceled") throws <see cref="SmtDeadlineException"/>.
    /// </summary>
    public string Run(string commands)
    {
        ObjectDisposedException.ThrowIf(context == IntPtr.Zero, this);
        var watch = Stopwatch.StartNew();
        var call = ++calls;
        lock (gate)
        {
            armedCall = call;
            interrupted = false;
        }
        string output;
        // Disposing the timer does not wait for a callback already running; Interrupt checks under the lock that
        // this call is still the armed one, so a late callback does nothing. Past the deadline it interrupts again
        // every 50 ms until the call returns: an interrupt that lands while Z3 is still reading commands cancels only
        // the command being read, and the (check-sat) after it would otherwise run unbounded (seen under heavy load).
        using (new Timer(_ => Interrupt(call), null, Timeout, TimeSpan.FromMilliseconds(50)))
        {
            try
            {
                output = Marshal.PtrToStringUTF8(Z3Native.Z3_eval_smtlib2_string(context, commands)) ?? "";
            }
            finally
            {
                lock (gate)
                {
                    armedCall = 0;
                    TimedOut = interrupted;
                }
            }
        }
        Elapsed += watch.Elapsed;
        var code = Z3Native.Z3_get_error_code(context);
        var error = output.IndexOf("(error", StringComparison.Ordinal);
        var message = code != 0 ? Marshal.PtrToStringUTF8(Z3Native.Z3_get_error_msg(context, code)) ?? "" : error >= 0 ? output[error..].Trim() : null;
        if (message is null) return output;
        if (TimedOut && message.Contains("canceled", StringComparison.Ordinal))
            throw new SmtDeadlineException($"{TimeoutReason} (Z3 was interrupted outside a check, while reading commands)");
        throw new SmtException(code != 0 ? $"Z3 error {code}: {message}\nin:\n{commands}" : $"Z3 rejected the generated SMT-LIB2: {message}\nin:\n{commands}");
    }

    private string TimeoutReason => $"timeout after {Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s";

    /// <summary>Runs a (check-sat) and reads its answer; on unknown, <see cref="UnknownReason"/> says why.</summary>
    public SatResult Check(string commands)
    {
        UnknownReason = null;
        string output;
        try
        {
            output = Run(commands + "\n(check-sat)").Trim();
        }
        catch (SmtDeadlineException)
        {
            // Interrupted before the check: its commands were only partly read, and the caller gives up on an unknown.
            UnknownReason = TimeoutReason;
            return SatResult.Unknown;
        }
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
        if (last == "sat") return SatResult.Sat;
        if (last == "unsat") return SatResult.Unsat;
        UnknownReason = TimedOut ? TimeoutReason
            : last == "unknown" ? ReasonFromZ3()
            : $"unexpected answer to (check-sat): '{last}'";
        return SatResult.Unknown;
    }

    /// <summary>Asks Z3 why its last check answered unknown; "(incomplete (theory arithmetic))" comes back as "incomplete (theory arithmetic)".</summary>
    private string ReasonFromZ3()
    {
        var answer = Run("(get-info :reason-unknown)"); // (:reason-unknown "...")
        var open = answer.IndexOf('"');
        var close = answer.LastIndexOf('"');
        var reason = open >= 0 && close > open ? answer[(open + 1)..close].Trim() : "";
        if (reason.Length == 0) return "Z3 gave no reason";
        return WrappedInParentheses(reason) ? reason[1..^1].Trim() : reason;
    }

    private static bool WrappedInParentheses(string text)
    {
        if (text.Length < 2 || text[0] != '(' || text[^1] != ')') return false;
        var depth = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] == '(' ? 1 : text[i] == ')' ? -1 : 0;
            if (depth == 0 && i < text.Length - 1) return false; // "(a) (b)": the first parenthesis closes early
        }
        return depth == 0;
    }

    /// <summary>The deadline timer's callback: interrupts the solver only if its call is still running and the context still exists.</summary>
    private void Interrupt(long call)
    {
        lock (gate)
        {
            if (armedCall != call || context == IntPtr.Zero) return;
            Z3Native.Z3_interrupt(context);
            interrupted = true;
        }
    }

    /// <summary>Deletes the Z3 context; safe to call more than once, and a pending deadline never reaches the deleted context.</summary>
    public void Dispose()
    {
        IntPtr deleted;
        lock (gate)
        {
            deleted = context;
            context = IntPtr.Zero;
            armedCall = 0;
        }
        // A timer callback either finished its interrupt before the lock was taken or will find the context gone.
        if (deleted != IntPtr.Zero) Z3Native.Z3_del_context(deleted);
    }
}

/// <summary>The solver's answer to a satisfiability check.</summary>
public enum SatResult
{
    /// <summary>Satisfiable: a model exists (for a negated claim, a counterexample).</summary>
    Sat,

    /// <summary>Unsatisfiable: no model exists (for a negated claim, the claim holds).</summary>
    Unsat,

    /// <summary>Undecided: the deadline interrupted the check or Z3 gave up (<see cref="Z3Session.UnknownReason"/> says which).</summary>
    Unknown,
}
