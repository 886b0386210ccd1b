using System.Reflection;
using System.Runtime.InteropServices;

namespace Verification.Checkers.Smt;

/// <summary>Z3 is not installed (or not loadable); the message says how to install it.</summary>
/// <param name="message">What could not be loaded, and how to install Z3 or point at it.</param>
/// <param name="inner">The loader's exception.</param>
public sealed class Z3UnavailableException(string message, Exception? inner = null) : VerificationException(message, inner);

/// <summary>
/// The few entry points of Z3's C API we use, bound from the OS library (Debian/Ubuntu package <c>libz3-4</c>):
/// a context, SMT-LIB2 text evaluation, interruption for timeouts, and the version.
/// Set <c>VERIFICATION_Z3_LIBRARY</c> to a path to load another build.
/// </summary>
internal static partial class Z3Native
{
    internal const string LibraryName = "z3-verification";
    internal const string DefaultLibrary = "libz3.so.4";
    internal const string LibraryVariable = "VERIFICATION_Z3_LIBRARY";
    internal const string InstallHint = "install it with 'sudo apt-get install libz3-4' (Debian/Ubuntu), or set VERIFICATION_Z3_LIBRARY to the path of a libz3 shared library";

    private static readonly Lazy<string> Loaded = new(Load);

    static Z3Native() => NativeLibrary.SetDllImportResolver(typeof(Z3Native).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != LibraryName) return IntPtr.Zero;
        var path = Environment.GetEnvironmentVariable(LibraryVariable);
        var candidates = string.IsNullOrWhiteSpace(path) ? new[] { DefaultLibrary, "libz3.so", "libz3.dylib", "libz3" } : [path];
        foreach (var candidate in candidates)
            if (NativeLibrary.TryLoad(candidate, out var handle)) return handle;
        return IntPtr.Zero;
    }

    /// <summary>Loads the library once and returns its version; throws <see cref="Z3UnavailableException"/> naming the package when it is missing.</summary>
    public static string EnsureLoaded() => Loaded.Value;

    private static string Load()
    {
        try
        {
            Z3_get_version(out var major, out var minor, out var build, out _);
            return $"{major}.{minor}.{build}";
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            var path = Environment.GetEnvironmentVariable(LibraryVariable);
            var what = string.IsNullOrWhiteSpace(path) ? $"the Z3 library ({DefaultLibrary}) was not found" : $"the Z3 library at {LibraryVariable}={path} could not be loaded";
            throw new Z3UnavailableException($"Z3 is not available: {what}; {InstallHint}", ex);
        }
    }

    [LibraryImport(LibraryName)]
    internal static partial void Z3_get_version(out uint major, out uint minor, out uint build, out uint revision);

    [LibraryImport(LibraryName)]
    internal static partial IntPtr Z3_mk_config();

    [LibraryImport(LibraryName)]
    internal static partial void Z3_del_config(IntPtr config);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void Z3_set_param_value(IntPtr config, string name, string value);

    [LibraryImport(LibraryName)]
    internal static partial IntPtr Z3_mk_context(IntPtr config);

    [LibraryImport(LibraryName)]
    internal static partial void Z3_del_context(IntPtr context);

    [LibraryImport(LibraryName)]
    internal static partial void Z3_set_error_handler(IntPtr context, IntPtr handler);

    [LibraryImport(LibraryName)]
    internal static partial int Z3_get_error_code(IntPtr context);

    [LibraryImport(LibraryName)]
    internal static partial IntPtr Z3_get_error_msg(IntPtr context, int code);

    /// <summary>Returns a string owned by the context, valid until the next call on it.</summary>
    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr Z3_eval_smtlib2_string(IntPtr context, string script);

    [LibraryImport(LibraryName)]
    internal static partial void Z3_interrupt(IntPtr context);
}
