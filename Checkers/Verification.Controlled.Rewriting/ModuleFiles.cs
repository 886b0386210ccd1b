using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Verification.Controlled.Rewriting;

/// <summary>Reading assemblies with Cecil, turning Cecil's and the file system's failures into one-line <see cref="RewriteException"/>s.</summary>
internal static class ModuleFiles
{
    /// <summary>Reads a whole file, or says it is missing.</summary>
    public static byte[] ReadBytes(string path, string role)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new RewriteException($"{path}: {role} not found", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RewriteException($"{path}: cannot read the {role}: {e.Message}", e);
        }
    }

    /// <summary>Reads a module fully into memory (the file is not kept open).</summary>
    public static ModuleDefinition Read(string path, string role)
    {
        var bytes = ReadBytes(path, role);
        return Read(new MemoryStream(bytes), path, role, new ReaderParameters());
    }

    /// <summary>Reads a module from a stream, naming <paramref name="path"/> when it is not a .NET assembly.</summary>
    public static ModuleDefinition Read(Stream stream, string path, string role, ReaderParameters parameters)
    {
        parameters.InMemory = true;
        try
        {
            return ModuleDefinition.ReadModule(stream, parameters);
        }
        catch (Exception e) when (e is BadImageFormatException or ArgumentOutOfRangeException or EndOfStreamException or InvalidOperationException)
        {
            throw new RewriteException($"{path}: the {role} is not a .NET assembly ({e.Message})", e);
        }
        catch (SymbolsNotMatchingException e)
        {
            throw new RewriteException($"{path}: its .pdb does not match the assembly (rebuild it)", e);
        }
    }
}
