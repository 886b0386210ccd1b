using System.Runtime.ExceptionServices;

namespace Verification.Checkers.Systematic;

/// <summary>
/// What one worker thread is doing, as the watchdog sees it: whether it is inside a node's handler, how many handler
/// calls it has made, and which node and handler the current one is. Written by the worker with volatile stores (a
/// few nanoseconds per call); read by the watchdog.
/// </summary>
internal sealed class HandlerWatch(CancellationToken cancellation)
{
    private int inHandler;
    private long calls;

    /// <summary>Set when the work was abandoned (another worker hung): a worker should stop at its next iteration.</summary>
    public CancellationToken Cancellation { get; } = cancellation;

    public long Calls => Volatile.Read(ref calls);
    public bool InHandler => Volatile.Read(ref inHandler) == 1;
    public int CurrentNode { get; private set; }
    public NodeHandler CurrentHandler { get; private set; }

    public void Enter(int node, NodeHandler handler)
    {
        CurrentNode = node;
        CurrentHandler = handler;
        Volatile.Write(ref calls, calls + 1);
        Volatile.Write(ref inHandler, 1);
    }

    public void Exit() => Volatile.Write(ref inHandler, 0);

    /// <summary>A watch for work that runs without a watchdog (nothing reads it).</summary>
    public static HandlerWatch Unwatched() => new(CancellationToken.None);
}

/// <summary>
/// Runs checker work on background threads and watches their handler calls: a call that makes no progress for
/// longer than the step budget is a hung handler (an endless loop in user code). .NET cannot stop a thread, so the
/// stuck thread is abandoned — it is a background thread, ends with the process, and keeps a core busy until then —
/// and the caller gets control back with what the worker had reached.
/// </summary>
internal static class Watchdog
{
    private const int MaxStack = 16 * 1024 * 1024;

    /// <summary>
    /// Runs <paramref name="body"/> for workers 0..<paramref name="workers"/>−1, each on its own thread with its own
    /// watch. Returns the index of a worker stuck in one handler call for longer than <paramref name="budget"/> (the
    /// other workers are told to stop), or −1 when all finished; an exception of a worker is rethrown here.
    /// </summary>
    public static int Run(int workers, TimeSpan budget, Action<int, HandlerWatch> body)
    {
        // Not disposed: an abandoned worker may still touch them if its handler ever returns.
        var cancellation = new CancellationTokenSource();
        var done = new CountdownEvent(workers);
        var watches = Enumerable.Range(0, workers).Select(_ => new HandlerWatch(cancellation.Token)).ToArray();
        var errors = new Exception?[workers];
        for (var w = 0; w < workers; w++)
        {
            var worker = w;
            new Thread(() =>
            {
                try
                {
                    body(worker, watches[worker]);
                }
                catch (Exception ex)
                {
                    errors[worker] = ex;
                }
                finally
                {
                    done.Signal();
                }
            }, MaxStack) { IsBackground = true, Name = $"verification worker {worker}" }.Start();
        }
        var period = TimeSpan.FromMilliseconds(Math.Clamp(budget.TotalMilliseconds / 4, 1, 250));
        var lastCalls = new long[workers];
        var stuckSince = new long?[workers];
        while (!done.Wait(period))
        {
            for (var w = 0; w < workers; w++)
            {
                var watch = watches[w];
                var calls = watch.Calls;
                if (!watch.InHandler || calls != lastCalls[w])
                {
                    lastCalls[w] = calls;
                    stuckSince[w] = null;
                    continue;
                }
                stuckSince[w] ??= Environment.TickCount64;
                if (Environment.TickCount64 - stuckSince[w] >= budget.TotalMilliseconds)
                {
                    cancellation.Cancel();
                    return w;
                }
            }
        }
        foreach (var error in errors)
            if (error is not null) ExceptionDispatchInfo.Capture(error).Throw();
        return -1;
    }

    /// <summary>One piece of work on a watched thread: its result, or null when it hung (then <paramref name="watch"/> says where).</summary>
    public static bool TryRun<T>(TimeSpan budget, Func<HandlerWatch, T> body, out T? result, out HandlerWatch watch)
    {
        T? value = default;
        HandlerWatch? used = null;
        var hung = Run(1, budget, (_, w) =>
        {
            used = w;
            value = body(w);
        });
        watch = used!;
        result = value;
        return hung < 0;
    }
}
