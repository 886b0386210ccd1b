using System.Collections.Concurrent;

namespace Verification.Controlled;

/// <summary>
/// The threads operations run on. Not the thread pool: the runtime must know every thread that runs controlled code
/// (work arriving from any other thread is an escape), and a blocked operation parks its thread for as long as it is
/// blocked, which the pool would answer by injecting threads. Threads are reused across operations and runs because a
/// run of a few tasks has dozens of operations and a test thousands of runs; a thread an abandoned run left stuck (in
/// an OS wait or an endless loop) simply never comes back.
/// </summary>
internal static class OperationThreads
{
    private const int StackSize = 4 * 1024 * 1024;
    private static readonly ConcurrentBag<Worker> Idle = [];
    private static int created;

    /// <summary>Threads created so far (a test checks reuse).</summary>
    public static int Created => Volatile.Read(ref created);

    /// <summary>Runs <paramref name="work"/> on an idle thread (a new one when none is idle).</summary>
    public static void Start(Action work)
    {
        if (!Idle.TryTake(out var worker))
        {
            worker = new Worker();
            var thread = new Thread(worker.Loop, StackSize) { IsBackground = true, Name = $"controlled operation {Interlocked.Increment(ref created)}" };
            thread.Start();
        }
        worker.Give(work);
    }

    private sealed class Worker
    {
        private readonly object gate = new();
        private Action? work;

        public void Give(Action next)
        {
            lock (gate)
            {
                work = next;
                Monitor.Pulse(gate);
            }
        }

        private Action Take()
        {
            lock (gate)
            {
                while (work is null) Monitor.Wait(gate);
                var next = work;
                work = null;
                return next;
            }
        }

        public void Loop()
        {
            while (true)
            {
                var next = Take();
                // The runtime catches everything of its own; this only keeps a bug there from killing the process.
                try
                {
                    next();
                }
                catch (Exception)
                {
                }
                SynchronizationContext.SetSynchronizationContext(null);
                Idle.Add(this);
            }
        }
    }
}
