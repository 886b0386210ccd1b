using System.Security.Cryptography;
using System.Text;

namespace Verification.Controlled.Rewriting;

/// <summary>How the receiver of a BCL member becomes the first parameter of its interceptor.</summary>
public enum Receiver
{
    /// <summary>A static member: the interceptor takes the same parameters.</summary>
    None,

    /// <summary>An instance member of a class: the instance is the interceptor's first parameter.</summary>
    Instance,

    /// <summary>An instance member of a struct (called on its address): the interceptor's first parameter is <c>ref</c>.</summary>
    ByRef,
}

/// <summary>
/// One BCL member of the contract and its interceptor. <paramref name="Member"/> is the member's signature key
/// (<see cref="Signatures.KeyOf"/>): declaring type, name, generic arity after a backtick, parameter types
/// (<c>!0</c> a type parameter of the declaring type, <c>!!0</c> one of the method).
/// </summary>
/// <param name="Member">The BCL member's key, e.g. <c>System.Threading.Tasks.Task::Run`1(System.Func`1&lt;!!0&gt;)</c>.</param>
/// <param name="InterceptorType">The interceptor class in namespace <c>Verification.Controlled</c>.</param>
/// <param name="InterceptorMethod">Its method; for a getter mapped to a property, the property name (its <c>get_</c> accessor is found too).</param>
/// <param name="Receiver">How the receiver is passed.</param>
/// <param name="ReferenceTypeArgumentsOnly">The interceptor constrains its type parameter to a class (Interlocked's generic methods): a call with a value-type argument is left alone and reported.</param>
public sealed record Redirect(string Member, string InterceptorType, string InterceptorMethod, Receiver Receiver = Receiver.None, bool ReferenceTypeArgumentsOnly = false);

/// <summary>
/// A call the table does not redirect that escapes the controlled runtime (work on a thread or timer it does not
/// schedule) or blocks outside it: reported with its call site, never rewritten.
/// </summary>
/// <param name="DeclaringType">The BCL type's full name (generic types with their backtick arity).</param>
/// <param name="Member">The member's name (<c>.ctor</c> for a constructor); null: every member of the type.</param>
/// <param name="Parameters">The parameter list as in a key, e.g. <c>(System.TimeSpan)</c>; null: every overload.</param>
/// <param name="Reason">Why it escapes control, for the report.</param>
public sealed record UnsupportedPattern(string DeclaringType, string? Member, string? Parameters, string Reason);

/// <summary>
/// The redirect table: every BCL member of the contract between the controlled runtime and the rewriter, and the
/// calls known to escape control. Task.WhenAll/WhenAny, TaskCompletionSource, Task.Factory.StartNew (which uses
/// TaskScheduler.Current) and await continuations are controlled by the runtime's scheduler and
/// SynchronizationContext and are left alone.
/// </summary>
/// <remarks>
/// Async method builders are NOT swapped. The runtime runs controlled code with its own SynchronizationContext and
/// TaskScheduler current, so an <c>await</c> of an incomplete task posts its continuation to the runtime — the
/// builder is not on that path. The one way a continuation leaves (ConfigureAwait(false)) is redirected here, and
/// ConfigureAwait(ConfigureAwaitOptions) and ValueTask's ConfigureAwait are reported. A builder swap would change the
/// field types of every state machine and the IL of every async method (the spike counted 45 type references in a
/// 42-call-site assembly), the contract has no builder types, and it would add nothing the scheduler does not
/// already see.
/// </remarks>
public static class RedirectTable
{
    private const string Task = "System.Threading.Tasks.Task";
    private const string TaskOfT = "System.Threading.Tasks.Task`1";
    private const string Ct = "System.Threading.CancellationToken";
    private const string Monitor = "System.Threading.Monitor";
    private const string Semaphore = "System.Threading.SemaphoreSlim";
    private const string Interlocked = "System.Threading.Interlocked";

    /// <summary>The namespace of every interceptor class.</summary>
    public const string InterceptorNamespace = "Verification.Controlled";

    /// <summary>Every redirected member, in the contract's order.</summary>
    public static IReadOnlyList<Redirect> Redirects { get; } =
    [
        // ControlledTask
        new($"{Task}::Run(System.Action)", "ControlledTask", "Run"),
        new($"{Task}::Run(System.Action,{Ct})", "ControlledTask", "Run"),
        new($"{Task}::Run(System.Func`1<{Task}>)", "ControlledTask", "Run"),
        new($"{Task}::Run(System.Func`1<{Task}>,{Ct})", "ControlledTask", "Run"),
        new($"{Task}::Run`1(System.Func`1<!!0>)", "ControlledTask", "Run"),
        new($"{Task}::Run`1(System.Func`1<!!0>,{Ct})", "ControlledTask", "Run"),
        new($"{Task}::Run`1(System.Func`1<{TaskOfT}<!!0>>)", "ControlledTask", "Run"),
        new($"{Task}::Run`1(System.Func`1<{TaskOfT}<!!0>>,{Ct})", "ControlledTask", "Run"),
        new($"{Task}::Delay(System.Int32)", "ControlledTask", "Delay"),
        new($"{Task}::Delay(System.Int32,{Ct})", "ControlledTask", "Delay"),
        new($"{Task}::Delay(System.TimeSpan)", "ControlledTask", "Delay"),
        new($"{Task}::Delay(System.TimeSpan,{Ct})", "ControlledTask", "Delay"),
        new($"{Task}::Yield()", "ControlledTask", "Yield"),
        new($"{Task}::Wait()", "ControlledTask", "Wait", Receiver.Instance),
        new($"{Task}::Wait(System.Int32)", "ControlledTask", "Wait", Receiver.Instance),
        new($"{Task}::Wait(System.TimeSpan)", "ControlledTask", "Wait", Receiver.Instance),
        new($"{Task}::Wait({Ct})", "ControlledTask", "Wait", Receiver.Instance),
        new($"{TaskOfT}::get_Result()", "ControlledTask", "GetResult", Receiver.Instance),
        new($"{Task}::WaitAll({Task}[])", "ControlledTask", "WaitAll"),
        new($"{Task}::WaitAny({Task}[])", "ControlledTask", "WaitAny"),
        new($"{Task}::ConfigureAwait(System.Boolean)", "ControlledTask", "ConfigureAwait", Receiver.Instance),
        new($"{TaskOfT}::ConfigureAwait(System.Boolean)", "ControlledTask", "ConfigureAwait", Receiver.Instance),
        // Every await calls its awaiter's GetResult once the task is complete; the interceptor forwards then, so
        // redirecting all of them is exact, and it is the only way to catch a sync-over-async .GetAwaiter().GetResult().
        new("System.Runtime.CompilerServices.TaskAwaiter::GetResult()", "ControlledTask", "GetResult", Receiver.ByRef),
        new("System.Runtime.CompilerServices.TaskAwaiter`1::GetResult()", "ControlledTask", "GetResult", Receiver.ByRef),
        new("System.Threading.Tasks.TaskScheduler::get_Default()", "ControlledTask", "DefaultScheduler"),
        // ControlledThread
        new("System.Threading.Thread::Sleep(System.Int32)", "ControlledThread", "Sleep"),
        new("System.Threading.Thread::Sleep(System.TimeSpan)", "ControlledThread", "Sleep"),
        new("System.Threading.Thread::Start()", "ControlledThread", "Start", Receiver.Instance),
        new("System.Threading.Thread::Start(System.Object)", "ControlledThread", "Start", Receiver.Instance),
        new("System.Threading.ThreadPool::QueueUserWorkItem(System.Threading.WaitCallback)", "ControlledThread", "QueueUserWorkItem"),
        new("System.Threading.ThreadPool::QueueUserWorkItem(System.Threading.WaitCallback,System.Object)", "ControlledThread", "QueueUserWorkItem"),
        // ControlledMonitor (C# lock is Enter(object, ref bool) and Exit(object))
        new($"{Monitor}::Enter(System.Object)", "ControlledMonitor", "Enter"),
        new($"{Monitor}::Enter(System.Object,System.Boolean&)", "ControlledMonitor", "Enter"),
        new($"{Monitor}::TryEnter(System.Object)", "ControlledMonitor", "TryEnter"),
        new($"{Monitor}::TryEnter(System.Object,System.Boolean&)", "ControlledMonitor", "TryEnter"),
        new($"{Monitor}::TryEnter(System.Object,System.Int32)", "ControlledMonitor", "TryEnter"),
        new($"{Monitor}::Exit(System.Object)", "ControlledMonitor", "Exit"),
        new($"{Monitor}::Wait(System.Object)", "ControlledMonitor", "Wait"),
        new($"{Monitor}::Wait(System.Object,System.Int32)", "ControlledMonitor", "Wait"),
        new($"{Monitor}::Pulse(System.Object)", "ControlledMonitor", "Pulse"),
        new($"{Monitor}::PulseAll(System.Object)", "ControlledMonitor", "PulseAll"),
        // ControlledSemaphore
        new($"{Semaphore}::Wait()", "ControlledSemaphore", "Wait", Receiver.Instance),
        new($"{Semaphore}::Wait(System.Int32)", "ControlledSemaphore", "Wait", Receiver.Instance),
        new($"{Semaphore}::Wait({Ct})", "ControlledSemaphore", "Wait", Receiver.Instance),
        new($"{Semaphore}::WaitAsync()", "ControlledSemaphore", "WaitAsync", Receiver.Instance),
        new($"{Semaphore}::WaitAsync(System.Int32)", "ControlledSemaphore", "WaitAsync", Receiver.Instance),
        new($"{Semaphore}::WaitAsync({Ct})", "ControlledSemaphore", "WaitAsync", Receiver.Instance),
        new($"{Semaphore}::Release()", "ControlledSemaphore", "Release", Receiver.Instance),
        new($"{Semaphore}::Release(System.Int32)", "ControlledSemaphore", "Release", Receiver.Instance),
        // ControlledInterlocked
        new($"{Interlocked}::Increment(System.Int32&)", "ControlledInterlocked", "Increment"),
        new($"{Interlocked}::Increment(System.Int64&)", "ControlledInterlocked", "Increment"),
        new($"{Interlocked}::Decrement(System.Int32&)", "ControlledInterlocked", "Decrement"),
        new($"{Interlocked}::Decrement(System.Int64&)", "ControlledInterlocked", "Decrement"),
        new($"{Interlocked}::Add(System.Int32&,System.Int32)", "ControlledInterlocked", "Add"),
        new($"{Interlocked}::Add(System.Int64&,System.Int64)", "ControlledInterlocked", "Add"),
        new($"{Interlocked}::Exchange(System.Int32&,System.Int32)", "ControlledInterlocked", "Exchange"),
        new($"{Interlocked}::Exchange(System.Int64&,System.Int64)", "ControlledInterlocked", "Exchange"),
        new($"{Interlocked}::Exchange(System.Object&,System.Object)", "ControlledInterlocked", "Exchange"),
        new($"{Interlocked}::Exchange`1(!!0&,!!0)", "ControlledInterlocked", "Exchange", ReferenceTypeArgumentsOnly: true),
        new($"{Interlocked}::CompareExchange(System.Int32&,System.Int32,System.Int32)", "ControlledInterlocked", "CompareExchange"),
        new($"{Interlocked}::CompareExchange(System.Int64&,System.Int64,System.Int64)", "ControlledInterlocked", "CompareExchange"),
        new($"{Interlocked}::CompareExchange(System.Object&,System.Object,System.Object)", "ControlledInterlocked", "CompareExchange"),
        new($"{Interlocked}::CompareExchange`1(!!0&,!!0,!!0)", "ControlledInterlocked", "CompareExchange", ReferenceTypeArgumentsOnly: true),
        // ControlledTime
        new("System.TimeProvider::get_System()", "ControlledTime", "System"),
    ];

    private const string Pool = "runs work on thread-pool threads the controlled runtime does not schedule";
    private const string RealTimer = "fires from a real-time timer on a thread the controlled runtime does not schedule";
    private const string Blocks = "blocks the thread outside the controlled runtime (no interceptor for this overload)";
    private const string LeavesContext = "its continuation may leave the controlled scheduler (no interceptor for this overload)";

    /// <summary>Calls known to escape control. Checked after <see cref="Redirects"/>, so a pattern covering every overload reports only those not redirected.</summary>
    public static IReadOnlyList<UnsupportedPattern> Unsupported { get; } =
    [
        new("System.Threading.Tasks.Parallel", null, null, Pool),
        new("System.Threading.ThreadPool", "UnsafeQueueUserWorkItem", null, Pool),
        new("System.Threading.ThreadPool", "QueueUserWorkItem", null, Pool),
        new("System.Threading.ThreadPool", "RegisterWaitForSingleObject", null, Pool),
        new("System.Threading.ThreadPool", "UnsafeRegisterWaitForSingleObject", null, Pool),
        new("System.Threading.ThreadPool", "UnsafeQueueNativeOverlapped", null, Pool),
        new("System.Threading.Thread", "UnsafeStart", null, "starts a thread the controlled runtime does not schedule"),
        new("System.Threading.Thread", "Join", null, "blocks on a thread the controlled runtime does not schedule"),
        new("System.Threading.Timer", ".ctor", null, RealTimer),
        new("System.Timers.Timer", ".ctor", null, RealTimer),
        new("System.Threading.PeriodicTimer", ".ctor", "(System.TimeSpan)", RealTimer),
        new("System.Threading.CancellationTokenSource", "CancelAfter", null, RealTimer),
        new("System.Threading.CancellationTokenSource", ".ctor", "(System.Int32)", RealTimer),
        new("System.Threading.CancellationTokenSource", ".ctor", "(System.TimeSpan)", RealTimer),
        new(Task, "WaitAsync", "(System.TimeSpan)", RealTimer),
        new(Task, "WaitAsync", $"(System.TimeSpan,{Ct})", RealTimer),
        new(TaskOfT, "WaitAsync", "(System.TimeSpan)", RealTimer),
        new(TaskOfT, "WaitAsync", $"(System.TimeSpan,{Ct})", RealTimer),
        new(Task, "Wait", null, Blocks),
        new(Task, "WaitAll", null, Blocks),
        new(Task, "WaitAny", null, Blocks),
        new(Task, "ConfigureAwait", null, LeavesContext),
        new(TaskOfT, "ConfigureAwait", null, LeavesContext),
        new("System.Threading.Tasks.ValueTask", "ConfigureAwait", null, LeavesContext),
        new("System.Threading.Tasks.ValueTask`1", "ConfigureAwait", null, LeavesContext),
        new("System.Threading.Tasks.TaskAsyncEnumerableExtensions", "ConfigureAwait", null, LeavesContext),
        new(Monitor, null, null, "a Monitor overload with no interceptor: it would act on the real monitor, not the controlled one"),
        new(Semaphore, "Wait", null, Blocks),
        new(Semaphore, "WaitAsync", null, "a timeout overload with no interceptor: its timer is real time"),
        new("System.Threading.Lock", "Enter", null, "System.Threading.Lock (C# lock on a Lock) is not controlled"),
        new("System.Threading.Lock", "EnterScope", null, "System.Threading.Lock (C# lock on a Lock) is not controlled"),
        new("System.Threading.Lock", "TryEnter", null, "System.Threading.Lock (C# lock on a Lock) is not controlled"),
        new("System.Threading.WaitHandle", null, null, Blocks),
        new("System.Threading.ManualResetEventSlim", "Wait", null, Blocks),
        new("System.Threading.CountdownEvent", "Wait", null, Blocks),
        new("System.Threading.Barrier", "SignalAndWait", null, Blocks),
        new("System.Threading.ReaderWriterLockSlim", null, null, Blocks),
        new("System.Threading.SpinLock", "Enter", null, "spins on a lock the controlled runtime does not see"),
        new("System.Threading.SpinLock", "TryEnter", null, "spins on a lock the controlled runtime does not see"),
        new("System.Threading.SpinWait", null, null, "spins without a scheduling point: another controlled task never runs"),
        new("System.Threading.Thread", "SpinWait", null, "spins without a scheduling point: another controlled task never runs"),
        new("System.Threading.Thread", "Yield", null, "yields the thread, not the controlled task: another controlled task never runs"),
    ];

    /// <summary>The rewriter's version, stored in every rewritten assembly's marker; raise it when the rewriting changes.</summary>
    public const string RewriterVersion = "1";

    /// <summary>A hash of both tables (16 hex digits): a rewritten assembly records it, so a table change is seen.</summary>
    public static string TableHash { get; } = ComputeTableHash();

    private static string ComputeTableHash()
    {
        var text = new StringBuilder();
        foreach (var redirect in Redirects) text.Append(redirect).Append('\n');
        foreach (var pattern in Unsupported) text.Append(pattern).Append('\n');
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }
}
