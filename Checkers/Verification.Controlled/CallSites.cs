using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;

namespace Verification.Controlled;

/// <summary>Readable names of user code: methods as written ("Account.CreateAsync", not "&lt;CreateAsync&gt;d__3.MoveNext"), and call sites from the stack.</summary>
internal static class CallSites
{
    /// <summary>"Type.Method" as the source names it, for a method, a lambda, a local function, or an async state machine's MoveNext.</summary>
    public static string Describe(MethodBase? method)
    {
        if (method is null) return "?";
        var type = method.DeclaringType;
        if (type is null) return method.Name;
        // Compiler-generated: a state machine "<CreateAsync>d__3" (or "<<Body>b__0_0>d" for an async lambda) nested in
        // the user's type, a closure "<>c__DisplayClass0_0", a lambda method "<Body>b__0_0".
        var owner = type;
        while (owner.Name.StartsWith('<') && owner.DeclaringType is { } outer) owner = outer;
        var name = type != owner && Clean(type.Name) is { Length: > 0 } machine ? machine : Clean(method.Name) is { Length: > 0 } clean ? clean : method.Name;
        return $"{TypeName(owner)}.{name}";
    }

    /// <summary>"&lt;CreateAsync&gt;d__3" → "CreateAsync", "&lt;Body&gt;b__0_0" → "Body (lambda)", "&lt;&lt;Body&gt;b__0_0&gt;d" → "Body (lambda)", "&lt;Body&gt;g__Local|0_0" → "Local"; "" when not compiler-generated.</summary>
    private static string Clean(string name)
    {
        if (!name.StartsWith('<')) return "";
        var depth = 0;
        var close = -1;
        for (var i = 0; i < name.Length && close < 0; i++)
        {
            if (name[i] == '<') depth++;
            else if (name[i] == '>' && --depth == 0) close = i;
        }
        if (close < 0) return "";
        var inner = name[1..close];
        var rest = name[(close + 1)..];
        if (inner.StartsWith('<')) return Clean(inner);
        if (rest.StartsWith("b__", StringComparison.Ordinal)) return $"{inner} (lambda)";
        if (rest.StartsWith("g__", StringComparison.Ordinal))
        {
            var bar = rest.IndexOf('|', StringComparison.Ordinal);
            return bar > 3 ? rest[3..bar] : inner;
        }
        return inner;
    }

    /// <summary>The type's name without namespace or generic arity.</summary>
    private static string TypeName(Type type)
    {
        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? name : name[..tick];
    }

    private static readonly ConcurrentDictionary<Type, (string? Method, PropertyInfo? Context)> Boxes = new();
    private static readonly ConcurrentDictionary<Type, FieldInfo?> Wrappers = new();

    /// <summary>
    /// The async state machine box behind a posted continuation (an awaiter posts the box's MoveNext delegate; with the
    /// TPL's event source on, as the escape listener has it, wrapped in a ContinuationWrapper for tracing), or null.
    /// </summary>
    public static object? Box(object? state)
    {
        if (state is not Delegate { Target: { } target }) return null;
        var type = target.GetType();
        if (type.Name == "ContinuationWrapper")
            return Box(Wrappers.GetOrAdd(type, t => t.GetField("_continuation", BindingFlags.Instance | BindingFlags.NonPublic))?.GetValue(target));
        return Info(type).Method is null ? null : target;
    }

    /// <summary>The async method a box runs ("Account.CreateAsync").</summary>
    public static string? ResumedMethod(object box) => Info(box.GetType()).Method;

    /// <summary>The execution context the box captured at its await (the box's "Context" property, kept in the task's state slot), which carries the awaiting code's logical task.</summary>
    public static ExecutionContext? ContextOf(object box) => Info(box.GetType()).Context?.GetValue(box) as ExecutionContext;

    private static (string? Method, PropertyInfo? Context) Info(Type type) => Boxes.GetOrAdd(type, static t =>
    {
        if (!t.IsGenericType) return (null, null);
        var machine = t.GetGenericArguments()[^1];
        if (!typeof(System.Runtime.CompilerServices.IAsyncStateMachine).IsAssignableFrom(machine)) return (null, null);
        return (Describe(machine.GetMethod("MoveNext", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)), t.GetProperty("Context", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic));
    });

    /// <summary>The user frames of the current stack, innermost first, each "Type.Method at File.cs:line": what a report shows as "where".</summary>
    public static string UserStack(int maxFrames = 6) => UserFrames(new StackTrace(1, fNeedFileInfo: true), maxFrames, " ← ", "(no user frame on the stack)");

    /// <summary>The user frames of an exception's stack, one per line.</summary>
    public static string UserFrames(Exception error) => UserFrames(new StackTrace(error, fNeedFileInfo: true), 8, "\n", "");

    private static string UserFrames(StackTrace trace, int maxFrames, string separator, string none)
    {
        var frames = trace.GetFrames().Where(IsUserFrame).Take(maxFrames).Select(f => (separator == "\n" ? "   at " : "") + Frame(f)).ToList();
        return frames.Count == 0 ? none : string.Join(separator, frames);
    }

    /// <summary>The innermost user frame: the call site of the primitive.</summary>
    public static string Site()
    {
        var frame = new StackTrace(1, fNeedFileInfo: true).GetFrames().FirstOrDefault(IsUserFrame);
        return frame is null ? "(no user frame)" : Frame(frame);
    }

    private static string Frame(StackFrame frame)
    {
        var method = Describe(frame.GetMethod());
        var file = frame.GetFileName();
        return file is null ? method : $"{method} at {Path.GetFileName(file)}:{frame.GetFileLineNumber()}";
    }

    /// <summary>A frame of the program under test: not the runtime itself, the framework, or the test platform.</summary>
    private static bool IsUserFrame(StackFrame frame)
    {
        var type = frame.GetMethod()?.DeclaringType;
        if (type is null) return false;
        if (type.Assembly == typeof(CallSites).Assembly) return false;
        var ns = type.Namespace ?? "";
        return !(ns.StartsWith("System", StringComparison.Ordinal) || ns.StartsWith("Microsoft", StringComparison.Ordinal) || ns.StartsWith("Xunit", StringComparison.Ordinal));
    }
}
