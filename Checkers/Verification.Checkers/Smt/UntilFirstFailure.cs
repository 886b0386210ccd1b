using System.Runtime.ExceptionServices;

namespace Verification.Checkers.Smt;

/// <summary>
/// Independent proof obligations run on up to N workers, taken in their order; once one fails, no later one starts.
/// Every obligation before the first failure is always run, so which one fails first does not depend on N.
/// </summary>
internal static class UntilFirstFailure
{
    /// <summary>
    /// Runs <paramref name="work"/> on 0..<paramref name="count"/>−1, each worker with its own state from
    /// <paramref name="newWorker"/> (disposed when it is done). Returns the results, null where not started.
    /// </summary>
    public static T?[] Run<TWorker, T>(int count, int parallelism, Func<TWorker> newWorker, Func<TWorker, int, T> work, Func<T, bool> failed)
        where TWorker : IDisposable where T : class
    {
        var results = new T?[count];
        var next = -1;
        var firstFailed = int.MaxValue;
        void Work()
        {
            TWorker? worker = default;
            try
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < count && index < Volatile.Read(ref firstFailed))
                {
                    worker ??= newWorker();
                    var result = work(worker, index);
                    results[index] = result;
                    if (!failed(result)) continue;
                    for (var seen = Volatile.Read(ref firstFailed); index < seen; seen = Volatile.Read(ref firstFailed))
                        if (Interlocked.CompareExchange(ref firstFailed, index, seen) == seen) break;
                }
            }
            finally
            {
                worker?.Dispose();
            }
        }
        var workers = Math.Clamp(parallelism, 1, Math.Max(1, count));
        if (workers == 1) Work();
        else
        {
            try
            {
                Task.WaitAll(Enumerable.Range(0, workers).Select(_ => Task.Run(Work)).ToArray());
            }
            catch (AggregateException failure)
            {
                // What a worker threw is thrown as the sequential run would have thrown it.
                ExceptionDispatchInfo.Capture(failure.InnerExceptions[0]).Throw();
            }
        }
        return results;
    }
}
