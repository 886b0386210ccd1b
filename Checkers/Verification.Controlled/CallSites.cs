using System.Diagnostics;
using System.Reflection;

namespace Verification.Controlled;

/// <summary>Readable names of user code: methods as written ("Account.CreateAsync", not "&lt;CreateAsync&gt;d__3.MoveNext"), and call sites from the stack.</summary>
internal static class CallSites
{
    /// <summary>"Type.Method" as the source names it, for a method, a lambda, or an async state machine's MoveNext.</summary>
    public static string Describe(MethodBase? method)
    {
        if (method is null) return "?";
        var type = method.DeclaringType;
        if (type is null) return method.Name;
        // An async method's state machine "<CreateAsync>d__3" nested in Account; a lambda "<Body>b__0_0" in a closure "<>c__DisplayClass0_0".
        if (type.Name.StartsWith('<') && type.DeclaringType is { } outer)
        {
            var inner = Between(type.Name);
            return inner.Length > 0 ? $"{Describe(outer)}.{inner}" : LambdaOf(Describe(outer), method.Name);
        }
        return method.Name.StartsWith('<') ? LambdaOf(Describe(type), method.Name) : $"{Describe(type)}.{method.Name}";
    }

    private static string LambdaOf(string owner, string name)
    {
        var inner = Between(name);
        return inner.Length > 0 ? $"{owner}.{inner} (lambda)" : $"{owner} (lambda)";
    }

    /// <summary>The type's name without namespace, generic arity or compiler-generated closure parts.</summary>
    private static string Describe(Type type)
    {
        while (type.Name.StartsWith('<') && type.DeclaringType is { } outer) type = outer;
        var name = type.Name;
        var tick = name.IndexOf('`');
        return tick < 0 ? name : name[..tick];
    }

    private static string Between(string name)
    {
        var close = name.IndexOf('>');
        return name.StartsWith('<') && close > 1 ? name[1..close] : "";
    }

    /// <summary>The async method an await continuation resumes, from the delegate the awaiter posted (the state machine box's MoveNext).</summary>
    public static string? ResumedMethod(object? state)
    {
        if (state is not Delegate { Target: { } box }) return null;
        var type = box.GetType();
        if (!type.IsGenericType) return null;
        var machine = type.GetGenericArguments()[^1];
        if (!typeof(System.Runtime.CompilerServices.IAsyncStateMachine).IsAssignableFrom(machine)) return null;
        return Describe(machine.GetMethod("MoveNext", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public));
    }

    /// <summary>The user frames of the current stack, innermost first, each "Type.Method at File.cs:line": what a report shows as "where".</summary>
    public static string UserStack(int maxFrames = 6)
    {
        var frames = new StackTrace(1, fNeedFileInfo: true).GetFrames().Where(IsUserFrame).Take(maxFrames).Select(Frame).ToList();
        return frames.Count == 0 ? "(no user frame on the stack)" : string.Join(" ← ", frames);
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
