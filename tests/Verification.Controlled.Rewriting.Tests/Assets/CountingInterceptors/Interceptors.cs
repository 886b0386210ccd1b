using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

#pragma warning disable CA1068, CA1849, CA2008, VSTHRD002 // forwards exactly what user code called

namespace Verification.Controlled;

/// <summary>Test double: how many times each interceptor was called (key "Class.Method(parameter types)").</summary>
public static class TestDoubleCalls
{
    private static readonly ConcurrentDictionary<string, int> Counts = new();

    public static void Count(string member) => Counts.AddOrUpdate(member, 1, (_, n) => n + 1);

    public static IReadOnlyDictionary<string, int> Snapshot() => new Dictionary<string, int>(Counts);

    public static void Reset() => Counts.Clear();
}

public static class ControlledTask
{
    public static Task Run(Action action) { TestDoubleCalls.Count("ControlledTask.Run(Action)"); return Task.Run(action); }
    public static Task Run(Action action, CancellationToken token) { TestDoubleCalls.Count("ControlledTask.Run(Action,CancellationToken)"); return Task.Run(action, token); }
    public static Task Run(Func<Task> function) { TestDoubleCalls.Count("ControlledTask.Run(Func<Task>)"); return Task.Run(function); }
    public static Task Run(Func<Task> function, CancellationToken token) { TestDoubleCalls.Count("ControlledTask.Run(Func<Task>,CancellationToken)"); return Task.Run(function, token); }
    public static Task<T> Run<T>(Func<T> function) { TestDoubleCalls.Count("ControlledTask.Run<T>(Func<T>)"); return Task.Run(function); }
    public static Task<T> Run<T>(Func<T> function, CancellationToken token) { TestDoubleCalls.Count("ControlledTask.Run<T>(Func<T>,CancellationToken)"); return Task.Run(function, token); }
    public static Task<T> Run<T>(Func<Task<T>> function) { TestDoubleCalls.Count("ControlledTask.Run<T>(Func<Task<T>>)"); return Task.Run(function); }
    public static Task<T> Run<T>(Func<Task<T>> function, CancellationToken token) { TestDoubleCalls.Count("ControlledTask.Run<T>(Func<Task<T>>,CancellationToken)"); return Task.Run(function, token); }
    public static Task Delay(int milliseconds) { TestDoubleCalls.Count("ControlledTask.Delay(int)"); return Task.Delay(milliseconds); }
    public static Task Delay(int milliseconds, CancellationToken token) { TestDoubleCalls.Count("ControlledTask.Delay(int,CancellationToken)"); return Task.Delay(milliseconds, token); }
    public static Task Delay(TimeSpan delay) { TestDoubleCalls.Count("ControlledTask.Delay(TimeSpan)"); return Task.Delay(delay); }
    public static Task Delay(TimeSpan delay, CancellationToken token) { TestDoubleCalls.Count("ControlledTask.Delay(TimeSpan,CancellationToken)"); return Task.Delay(delay, token); }
    public static YieldAwaitable Yield() { TestDoubleCalls.Count("ControlledTask.Yield()"); return Task.Yield(); }
    public static void Wait(Task task) { TestDoubleCalls.Count("ControlledTask.Wait(Task)"); task.Wait(); }
    public static bool Wait(Task task, int milliseconds) { TestDoubleCalls.Count("ControlledTask.Wait(Task,int)"); return task.Wait(milliseconds); }
    public static bool Wait(Task task, TimeSpan timeout) { TestDoubleCalls.Count("ControlledTask.Wait(Task,TimeSpan)"); return task.Wait(timeout); }
    public static void Wait(Task task, CancellationToken token) { TestDoubleCalls.Count("ControlledTask.Wait(Task,CancellationToken)"); task.Wait(token); }
    public static T GetResult<T>(Task<T> task) { TestDoubleCalls.Count("ControlledTask.GetResult<T>(Task<T>)"); return task.Result; }
    public static void WaitAll(Task[] tasks) { TestDoubleCalls.Count("ControlledTask.WaitAll(Task[])"); Task.WaitAll(tasks); }
    public static int WaitAny(Task[] tasks) { TestDoubleCalls.Count("ControlledTask.WaitAny(Task[])"); return Task.WaitAny(tasks); }
    public static ConfiguredTaskAwaitable ConfigureAwait(Task task, bool continueOnCapturedContext) { TestDoubleCalls.Count("ControlledTask.ConfigureAwait(Task,bool)"); return task.ConfigureAwait(continueOnCapturedContext); }
    public static ConfiguredTaskAwaitable<T> ConfigureAwait<T>(Task<T> task, bool continueOnCapturedContext) { TestDoubleCalls.Count("ControlledTask.ConfigureAwait<T>(Task<T>,bool)"); return task.ConfigureAwait(continueOnCapturedContext); }
    public static void GetResult(ref TaskAwaiter awaiter) { TestDoubleCalls.Count("ControlledTask.GetResult(ref TaskAwaiter)"); awaiter.GetResult(); }
    public static T GetResult<T>(ref TaskAwaiter<T> awaiter) { TestDoubleCalls.Count("ControlledTask.GetResult<T>(ref TaskAwaiter<T>)"); return awaiter.GetResult(); }
    public static TaskScheduler DefaultScheduler { get { TestDoubleCalls.Count("ControlledTask.DefaultScheduler"); return TaskScheduler.Default; } }
}

public static class ControlledThread
{
    public static void Sleep(int milliseconds) { TestDoubleCalls.Count("ControlledThread.Sleep(int)"); Thread.Sleep(milliseconds); }
    public static void Sleep(TimeSpan timeout) { TestDoubleCalls.Count("ControlledThread.Sleep(TimeSpan)"); Thread.Sleep(timeout); }
    public static void Start(Thread thread) { TestDoubleCalls.Count("ControlledThread.Start(Thread)"); thread.Start(); }
    public static void Start(Thread thread, object? parameter) { TestDoubleCalls.Count("ControlledThread.Start(Thread,object)"); thread.Start(parameter); }
    public static bool QueueUserWorkItem(WaitCallback callback) { TestDoubleCalls.Count("ControlledThread.QueueUserWorkItem(WaitCallback)"); return ThreadPool.QueueUserWorkItem(callback); }
    public static bool QueueUserWorkItem(WaitCallback callback, object? state) { TestDoubleCalls.Count("ControlledThread.QueueUserWorkItem(WaitCallback,object)"); return ThreadPool.QueueUserWorkItem(callback, state); }
}

public static class ControlledMonitor
{
    public static void Enter(object obj) { TestDoubleCalls.Count("ControlledMonitor.Enter(object)"); Monitor.Enter(obj); }
    public static void Enter(object obj, ref bool lockTaken) { TestDoubleCalls.Count("ControlledMonitor.Enter(object,ref bool)"); Monitor.Enter(obj, ref lockTaken); }
    public static bool TryEnter(object obj) { TestDoubleCalls.Count("ControlledMonitor.TryEnter(object)"); return Monitor.TryEnter(obj); }
    public static void TryEnter(object obj, ref bool lockTaken) { TestDoubleCalls.Count("ControlledMonitor.TryEnter(object,ref bool)"); Monitor.TryEnter(obj, ref lockTaken); }
    public static bool TryEnter(object obj, int milliseconds) { TestDoubleCalls.Count("ControlledMonitor.TryEnter(object,int)"); return Monitor.TryEnter(obj, milliseconds); }
    public static void Exit(object obj) { TestDoubleCalls.Count("ControlledMonitor.Exit(object)"); Monitor.Exit(obj); }
    public static bool Wait(object obj) { TestDoubleCalls.Count("ControlledMonitor.Wait(object)"); return Monitor.Wait(obj); }
    public static bool Wait(object obj, int milliseconds) { TestDoubleCalls.Count("ControlledMonitor.Wait(object,int)"); return Monitor.Wait(obj, milliseconds); }
    public static void Pulse(object obj) { TestDoubleCalls.Count("ControlledMonitor.Pulse(object)"); Monitor.Pulse(obj); }
    public static void PulseAll(object obj) { TestDoubleCalls.Count("ControlledMonitor.PulseAll(object)"); Monitor.PulseAll(obj); }
}

public static class ControlledSemaphore
{
    public static void Wait(SemaphoreSlim semaphore) { TestDoubleCalls.Count("ControlledSemaphore.Wait(SemaphoreSlim)"); semaphore.Wait(); }
    public static bool Wait(SemaphoreSlim semaphore, int milliseconds) { TestDoubleCalls.Count("ControlledSemaphore.Wait(SemaphoreSlim,int)"); return semaphore.Wait(milliseconds); }
    public static void Wait(SemaphoreSlim semaphore, CancellationToken token) { TestDoubleCalls.Count("ControlledSemaphore.Wait(SemaphoreSlim,CancellationToken)"); semaphore.Wait(token); }
    public static Task WaitAsync(SemaphoreSlim semaphore) { TestDoubleCalls.Count("ControlledSemaphore.WaitAsync(SemaphoreSlim)"); return semaphore.WaitAsync(); }
    public static Task<bool> WaitAsync(SemaphoreSlim semaphore, int milliseconds) { TestDoubleCalls.Count("ControlledSemaphore.WaitAsync(SemaphoreSlim,int)"); return semaphore.WaitAsync(milliseconds); }
    public static Task WaitAsync(SemaphoreSlim semaphore, CancellationToken token) { TestDoubleCalls.Count("ControlledSemaphore.WaitAsync(SemaphoreSlim,CancellationToken)"); return semaphore.WaitAsync(token); }
    public static int Release(SemaphoreSlim semaphore) { TestDoubleCalls.Count("ControlledSemaphore.Release(SemaphoreSlim)"); return semaphore.Release(); }
    public static int Release(SemaphoreSlim semaphore, int releaseCount) { TestDoubleCalls.Count("ControlledSemaphore.Release(SemaphoreSlim,int)"); return semaphore.Release(releaseCount); }
}

public static class ControlledInterlocked
{
    public static int Increment(ref int location) { TestDoubleCalls.Count("ControlledInterlocked.Increment(ref int)"); return Interlocked.Increment(ref location); }
    public static long Increment(ref long location) { TestDoubleCalls.Count("ControlledInterlocked.Increment(ref long)"); return Interlocked.Increment(ref location); }
    public static int Decrement(ref int location) { TestDoubleCalls.Count("ControlledInterlocked.Decrement(ref int)"); return Interlocked.Decrement(ref location); }
    public static long Decrement(ref long location) { TestDoubleCalls.Count("ControlledInterlocked.Decrement(ref long)"); return Interlocked.Decrement(ref location); }
    public static int Add(ref int location, int value) { TestDoubleCalls.Count("ControlledInterlocked.Add(ref int,int)"); return Interlocked.Add(ref location, value); }
    public static long Add(ref long location, long value) { TestDoubleCalls.Count("ControlledInterlocked.Add(ref long,long)"); return Interlocked.Add(ref location, value); }
    public static int Exchange(ref int location, int value) { TestDoubleCalls.Count("ControlledInterlocked.Exchange(ref int,int)"); return Interlocked.Exchange(ref location, value); }
    public static long Exchange(ref long location, long value) { TestDoubleCalls.Count("ControlledInterlocked.Exchange(ref long,long)"); return Interlocked.Exchange(ref location, value); }
    public static object? Exchange(ref object? location, object? value) { TestDoubleCalls.Count("ControlledInterlocked.Exchange(ref object,object)"); return Interlocked.Exchange(ref location, value); }
    public static T Exchange<T>(ref T location, T value) where T : class? { TestDoubleCalls.Count("ControlledInterlocked.Exchange<T>(ref T,T)"); return Interlocked.Exchange(ref location, value); }
    public static int CompareExchange(ref int location, int value, int comparand) { TestDoubleCalls.Count("ControlledInterlocked.CompareExchange(ref int,int,int)"); return Interlocked.CompareExchange(ref location, value, comparand); }
    public static long CompareExchange(ref long location, long value, long comparand) { TestDoubleCalls.Count("ControlledInterlocked.CompareExchange(ref long,long,long)"); return Interlocked.CompareExchange(ref location, value, comparand); }
    public static object? CompareExchange(ref object? location, object? value, object? comparand) { TestDoubleCalls.Count("ControlledInterlocked.CompareExchange(ref object,object,object)"); return Interlocked.CompareExchange(ref location, value, comparand); }
    public static T CompareExchange<T>(ref T location, T value, T comparand) where T : class? { TestDoubleCalls.Count("ControlledInterlocked.CompareExchange<T>(ref T,T,T)"); return Interlocked.CompareExchange(ref location, value, comparand); }
}

public static class ControlledTime
{
    public static TimeProvider System { get { TestDoubleCalls.Count("ControlledTime.System"); return TimeProvider.System; } }
}
