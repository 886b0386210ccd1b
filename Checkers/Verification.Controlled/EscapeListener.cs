using System.Diagnostics.Tracing;

namespace Verification.Controlled;

/// <summary>
/// Sees every task the process schedules (the TPL's own event source, TaskScheduled, delivered synchronously on the
/// scheduling thread). On an operation's thread, a scheduled task that the run's scheduler does not queue right
/// after went to another scheduler — an unrewritten Task.Run, TaskScheduler.Default, Parallel.* — and escaped; it is
/// reported with the stack of the operation that started it. This is exact, unlike waiting to see the escaped work
/// post back (which may come after the run was already judged a deadlock).
/// </summary>
internal sealed class EscapeListener : EventListener
{
    private const int TaskScheduledEvent = 7;
    private static readonly Lazy<EscapeListener> Instance = new(() => new EscapeListener());

    /// <summary>Creates the listener once per process (it must exist before the first run).</summary>
    public static void EnsureStarted() => _ = Instance.Value;

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        // Keywords TaskTransfer (1) and Tasks (2): what TaskScheduled is written under. Not TasksFlowActivityIds (0x80),
        // which would change how activity ids flow for the whole process.
        if (eventSource.Name == "System.Threading.Tasks.TplEventSource") EnableEvents(eventSource, EventLevel.Informational, (EventKeywords)3);
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventId != TaskScheduledEvent || eventData.Payload is not { Count: > 2 } payload || payload[2] is not int taskId) return;
        ControlledRuntime.OnTaskScheduled(taskId);
    }
}
