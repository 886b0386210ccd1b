using System.Security.Cryptography;

namespace Verification.Controlled.Rewriting;

/// <summary>
/// Rewriting files, with a content-hash cache: the key is the SHA-256 of the input assembly and pdb, the marker
/// signature (rewriter version, table hash, runtime identity), the runtime's MVID and the rewriter's own MVID, so an
/// unchanged input costs one hash and a copy, and a changed rewriter or runtime rewrites again.
/// </summary>
public static class RewriteFiles
{
    /// <summary>
    /// Rewrites <paramref name="input"/> (and the .pdb beside it) into <paramref name="output"/> (which may be the
    /// same path). Files are replaced by writing a temporary file and renaming it over the target, never by writing
    /// into the existing file (which may be mapped by a running process, or hard-linked to the compiler's output).
    /// </summary>
    /// <param name="cacheDirectory">Where rewritten assemblies are kept by content hash; null: no cache.</param>
    /// <exception cref="RewriteException">A bad input (see <see cref="AssemblyRewriter.Rewrite"/>) or a missing file.</exception>
    public static RewriteReport Rewrite(string input, string output, InterceptorAssembly runtime, string? cacheDirectory)
    {
        var assembly = ModuleFiles.ReadBytes(input, "input assembly");
        var symbolsPath = Path.ChangeExtension(input, ".pdb");
        var symbols = File.Exists(symbolsPath) ? ModuleFiles.ReadBytes(symbolsPath, "input pdb") : null;
        var outputSymbols = Path.ChangeExtension(output, ".pdb");

        string? cached = null;
        if (cacheDirectory is not null)
        {
            cached = Path.Combine(cacheDirectory, $"{Path.GetFileNameWithoutExtension(input)}-{CacheKey(assembly, symbols, runtime)}.dll");
            if (File.Exists(cached))
            {
                var cachedSymbols = Path.ChangeExtension(cached, ".pdb");
                Publish(File.ReadAllBytes(cached), output);
                if (File.Exists(cachedSymbols)) Publish(File.ReadAllBytes(cachedSymbols), outputSymbols);
                return new RewriteReport(Path.GetFileNameWithoutExtension(input), RewriteOutcome.CacheHit, [], []);
            }
        }

        var rewritten = AssemblyRewriter.Rewrite(assembly, symbols, runtime, input);
        if (cached is not null)
        {
            Directory.CreateDirectory(cacheDirectory!);
            if (rewritten.Symbols is not null) Publish(rewritten.Symbols, Path.ChangeExtension(cached, ".pdb"));
            Publish(rewritten.Assembly, cached); // last: the .dll's presence says the entry is complete
            RemoveOlderEntries(cached);
        }
        if (rewritten.Report.Outcome == RewriteOutcome.AlreadyRewritten && Same(input, output)) return rewritten.Report;
        if (rewritten.Symbols is not null) Publish(rewritten.Symbols, outputSymbols);
        Publish(rewritten.Assembly, output);
        return rewritten.Report;
    }

    /// <summary>The cache key (32 hex digits) of an input for a runtime and this rewriter build.</summary>
    public static string CacheKey(byte[] assembly, byte[]? symbols, InterceptorAssembly runtime)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(assembly);
        hash.AppendData(BitConverter.GetBytes(symbols?.Length ?? -1));
        if (symbols is not null) hash.AppendData(symbols);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes(AssemblyRewriter.Signature(runtime)));
        hash.AppendData(runtime.Mvid.ToByteArray());
        hash.AppendData(typeof(RewriteFiles).Assembly.ManifestModule.ModuleVersionId.ToByteArray());
        return Convert.ToHexString(hash.GetHashAndReset())[..32];
    }

    /// <summary>Keeps one entry per assembly name, so a cache under obj/ does not grow with every edit of the input.</summary>
    private static void RemoveOlderEntries(string current)
    {
        var name = Path.GetFileNameWithoutExtension(current);
        var prefix = name[..(name.LastIndexOf('-') + 1)];
        foreach (var file in Directory.EnumerateFiles(Path.GetDirectoryName(current)!, prefix + "*"))
        {
            var entry = Path.GetFileNameWithoutExtension(file);
            // Only "<name>-<32 hex digits>" entries of this assembly, not those of one whose name merely starts so.
            if (entry != name && entry.Length == prefix.Length + 32 && entry[prefix.Length..].All(Uri.IsHexDigit))
                File.Delete(file);
        }
    }

    private static bool Same(string a, string b) => string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), StringComparison.Ordinal);

    private static void Publish(byte[] content, string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temporary, content);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            throw new RewriteException($"{path}: cannot write: {e.Message}", e);
        }
    }
}
