using System.Diagnostics;
using System.Runtime.InteropServices;
using Verification.Specs;

namespace Verification.Checkers.Smt;

/// <summary>Z3 reported an error on a script we generated: a defect of the translation, reported with the offending text.</summary>
public sealed class SmtException(string message) : SpecException(message);

/// <summary>
/// One Z3 context fed SMT-LIB2 text. Declarations persist across <see cref="Run"/> calls, so a bounded check can
/// add one step at a time. Every call has a deadline, enforced by interrupting the solver (Z3 4.8's own timeout
/// option is not honoured by every tactic); an interrupted check answers <c>unknown</c>.
/// Not thread-safe: one session per thread.
/// </summary>
public sealed class Z3Session : IDisposable
{
    private IntPtr context;

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

    public string Version { get; }
    public TimeSpan Timeout { get; set; }

    /// <summary>Total solver time spent in this session.</summary>
    public TimeSpan Elapsed { get; private set; }

    /// <summary>Whether the last call hit its deadline.</summary>
    public bool TimedOut { get; private set; }

    /// <summary>Evaluates commands and returns what Z3 printed; an error in the text throws <see cref="SmtException"/>.</summary>
    public string Run(string commands)
    {
        ObjectDisposedException.ThrowIf(context == IntPtr.Zero, this);
        var watch = Stopwatch.StartNew();
        var ctx = context;
        using var deadline = new Timer(_ => Z3Native.Z3_interrupt(ctx), null, Timeout, System.Threading.Timeout.InfiniteTimeSpan);
        var output = Marshal.PtrToStringUTF8(Z3Native.Z3_eval_smtlib2_string(context, commands)) ?? "";
        deadline.Change(System.Threading.Timeout.Infinite, System.Threading.Timeout.Infinite);
        Elapsed += watch.Elapsed;
        TimedOut = watch.Elapsed >= Timeout;
        var code = Z3Native.Z3_get_error_code(context);
        if (code != 0)
            throw new SmtException($"Z3 error {code}: {Marshal.PtrToStringUTF8(Z3Native.Z3_get_error_msg(context, code))}\nin:\n{commands}");
        var error = output.IndexOf("(error", StringComparison.Ordinal);
        if (error >= 0)
            throw new SmtException($"Z3 rejected the generated SMT-LIB2: {output[error..].Trim()}\nin:\n{commands}");
        return output;
    }

    /// <summary>Runs a (check-sat) and reads its answer.</summary>
    public SatResult Check(string commands)
    {
        var output = Run(commands + "\n(check-sat)").Trim();
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
        return last switch
        {
            "sat" => SatResult.Sat,
            "unsat" => SatResult.Unsat,
            _ => SatResult.Unknown,
        };
    }

    public void Dispose()
    {
        if (context == IntPtr.Zero) return;
        Z3Native.Z3_del_context(context);
        context = IntPtr.Zero;
    }
}

public enum SatResult
{
    Sat,
    Unsat,
    Unknown,
}
