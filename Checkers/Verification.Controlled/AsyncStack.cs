using System.Reflection;

namespace Verification.Controlled;

/// <summary>
/// What an unfinished task is waiting for, as an async stack: "Account.CreateAsync awaiting Store.GetAsync awaiting
/// a task with no code of its own (a TaskCompletionSource's …)". Read from the async state machine the
/// runtime keeps for a suspended method (its public StateMachine field, and the compiler's awaiter fields "&lt;&gt;u__N"
/// holding the awaited task). Only reports use it; when the shapes are not found it says less, never something wrong.
/// </summary>
internal static class AsyncStack
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    public static string Describe(Task task) => Describe(task, 0);

    private static string Describe(Task task, int depth)
    {
        if (depth > 8) return "…";
        var type = task.GetType();
        if (type.Name.StartsWith("AsyncStateMachineBox", StringComparison.Ordinal) && type.GetField("StateMachine", Instance)?.GetValue(task) is { } machine)
        {
            var method = CallSites.Describe(machine.GetType().GetMethod("MoveNext", Instance));
            foreach (var field in machine.GetType().GetFields(Instance).Where(f => f.Name.StartsWith("<>u__", StringComparison.Ordinal)))
                if (AwaitedTask(field.GetValue(machine)) is { IsCompleted: false } awaited)
                    return $"{method} awaiting {Describe(awaited, depth + 1)}";
            return method;
        }
        return Anonymous;
    }

    /// <summary>A task without code of its own; no id, so a report reads the same in every run.</summary>
    public const string Anonymous = "a task with no code of its own (a TaskCompletionSource's, a delay's, or a promise such as WhenAll's)";

    /// <summary>The task inside a TaskAwaiter or ConfiguredTaskAwaiter (field m_task), if the awaiter is one.</summary>
    private static Task? AwaitedTask(object? awaiter) =>
        awaiter?.GetType().GetField("m_task", Instance)?.GetValue(awaiter) as Task;
}
