using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Verification.Checkers.Teaching;
using Verification.Protocols.Flp;
using Verification.Specs;

namespace Verification.Exercises;

/// <summary>What is wrong with a student's file before any check can run: missing, not C#, does not compile, lacks the answer.</summary>
public sealed class ExerciseException(string message) : VerificationException(message);

/// <summary>
/// Compiles one student file with Roslyn against this toolkit (the same implicit usings as an SDK project, nullable
/// on) and loads it into a collectible context of its own: the toolkit's types are shared with the checker, so a
/// student's spec or protocol is checked as it is. Compiler errors come back as "file:line:column: message" lines.
/// </summary>
public static class ExerciseCompiler
{
    private static readonly string[] ImplicitUsings = ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Threading", "System.Threading.Tasks"];

    /// <summary>Compiles and loads <paramref name="path"/>; throws <see cref="ExerciseException"/> with the compiler's errors.</summary>
    public static Assembly Compile(string path)
    {
        if (!File.Exists(path)) throw new ExerciseException($"{path}: no such file");
        var source = File.ReadAllText(path);
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = new[]
        {
            CSharpSyntaxTree.ParseText(source, parse, path),
            CSharpSyntaxTree.ParseText(string.Concat(ImplicitUsings.Select(u => $"global using global::{u};\n")), parse, "ImplicitUsings.cs"),
        };
        var compilation = CSharpCompilation.Create($"Exercise{Guid.NewGuid():N}", trees, References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        if (!emitted.Success)
        {
            var errors = emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            var shown = errors.Take(10).Select(d =>
            {
                var at = d.Location.GetLineSpan();
                return $"{at.Path}:{at.StartLinePosition.Line + 1}:{at.StartLinePosition.Character + 1}: {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
            });
            throw new ExerciseException($"{path} does not compile ({errors.Count} error{(errors.Count == 1 ? "" : "s")}):\n  " + string.Join("\n  ", shown));
        }
        image.Position = 0;
        return new AssemblyLoadContext($"exercise {Path.GetFileName(path)}", isCollectible: true).LoadFromStream(image);
    }

    /// <summary>The framework's assemblies and the toolkit's (the ones a student's file may use).</summary>
    private static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(() =>
    {
        var framework = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        Assembly[] toolkit = [typeof(Spec<>).Assembly, typeof(Runtime.NodeId).Assembly, typeof(Flp).Assembly, typeof(FlpProtocols).Assembly, typeof(ExerciseCompiler).Assembly];
        return framework.Concat(toolkit.Select(a => a.Location)).Where(File.Exists).Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
    });

    /// <summary>Calls the public static method <paramref name="method"/> of the public static class Answer in the student's assembly.</summary>
    public static object Answer(Assembly assembly, string method, string path)
    {
        var answer = assembly.GetTypes().FirstOrDefault(t => t.Name == "Answer" && t.IsPublic)
            ?? throw new ExerciseException($"{path}: there is no public static class Answer (the starter file has one; keep its name)");
        var found = answer.GetMethod(method, BindingFlags.Public | BindingFlags.Static, Type.EmptyTypes)
            ?? throw new ExerciseException($"{path}: class Answer has no public static method {method}() (the starter file has one; keep its name)");
        try
        {
            return found.Invoke(null, null) ?? throw new ExerciseException($"{path}: Answer.{method}() returned null");
        }
        catch (TargetInvocationException thrown) when (thrown.InnerException is { } inner)
        {
            throw new ExerciseException($"{path}: Answer.{method}() threw {inner.GetType().Name}: {inner.Message}");
        }
    }
}
