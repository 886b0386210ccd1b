using Mono.Cecil;

namespace Verification.Controlled.Rewriting;

/// <summary>
/// Assemblies that are never rewritten: the framework, the test platform and xunit, Mono.Cecil, and the toolkit's own
/// libraries — the controlled runtime above all, which must stay one copy whose statics every rewritten assembly
/// shares. Checked by name and, for the framework, by Microsoft's public key tokens.
/// </summary>
public static class ProtectedAssemblies
{
    // The toolkit's libraries by exact name: a user's or an example's assembly may well be called Verification.Something.
    private static readonly string[] ExactNames =
    [
        "mscorlib", "netstandard", "System", "WindowsBase",
        "Verification.Specs", "Verification.Checkers", "Verification.Runtime", "Verification.Controlled", "Verification.Controlled.Rewriting", "Verification.Cli",
    ];

    private static readonly string[] NamePrefixes = ["System.", "Microsoft.", "xunit", "testhost", "Mono.Cecil", "NuGet.", "FSharp.Core"];

    // ECMA, Microsoft, .NET Core framework, ASP.NET Core, Silverlight/old framework, and the "Microsoft shared" keys.
    private static readonly string[] FrameworkKeyTokens =
        ["b77a5c561934e089", "b03f5f7f11d50a3a", "cc7b13ffcd2ddd51", "adb9793829ddae60", "7cec85d7bea7798e", "31bf3856ad364e35"];

    /// <summary>Why an assembly must not be rewritten, or null if it may be.</summary>
    public static string? WhyProtected(AssemblyNameReference name, string runtimeName)
    {
        if (string.Equals(name.Name, runtimeName, StringComparison.OrdinalIgnoreCase))
            return "it is the controlled runtime itself (it must stay one copy)";
        if (ExactNames.Contains(name.Name, StringComparer.OrdinalIgnoreCase)
            || NamePrefixes.Any(prefix => name.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
            return "it is a framework, test-platform or toolkit assembly";
        var token = name.PublicKeyToken is { Length: > 0 } bytes ? Convert.ToHexString(bytes).ToLowerInvariant() : "";
        return FrameworkKeyTokens.Contains(token) ? $"it is signed with a framework key ({token})" : null;
    }
}
