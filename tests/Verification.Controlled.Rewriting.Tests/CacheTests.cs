using Mono.Cecil;

namespace Verification.Controlled.Rewriting.Tests;

/// <summary>The content-hash cache, and what a change of the runtime does to it and to an already rewritten file.</summary>
[Collection(RewrittenSamplesGroup.Name)]
public class CacheTests(RewrittenSamples samples)
{
    [Fact]
    public void AnUnchangedInputIsACacheHit_WithTheSameOutputAsTheRewrite()
    {
        using var directory = new TemporaryDirectory();
        var cache = directory.File("cache");
        var first = RewriteFiles.Rewrite(Assets.Samples(Assets.Optimized), directory.File("first/AsyncSamples.dll"), samples.Runtime, cache);
        var second = RewriteFiles.Rewrite(Assets.Samples(Assets.Optimized), directory.File("second/AsyncSamples.dll"), samples.Runtime, cache);
        Assert.Equal(RewriteOutcome.Rewritten, first.Outcome);
        Assert.Equal(RewriteOutcome.CacheHit, second.Outcome);
        Assert.Equal(File.ReadAllBytes(directory.File("first/AsyncSamples.dll")), File.ReadAllBytes(directory.File("second/AsyncSamples.dll")));
        Assert.Equal(File.ReadAllBytes(directory.File("first/AsyncSamples.pdb")), File.ReadAllBytes(directory.File("second/AsyncSamples.pdb")));
        Assert.Equal(2, Directory.GetFiles(cache).Length); // the .dll and its .pdb, no temporary files left
    }

    [Fact]
    public void AChangedInputMissesTheCache_AndReplacesTheOlderEntryOfThatAssembly()
    {
        using var directory = new TemporaryDirectory();
        var cache = directory.File("cache");
        Directory.CreateDirectory(cache);
        var otherAssembly = Path.Combine(cache, "AsyncSamples.Extra-0123456789ABCDEF0123456789ABCDEF.dll");
        File.WriteAllText(otherAssembly, "an entry of another assembly whose name starts the same");
        RewriteFiles.Rewrite(Assets.Samples(Assets.Optimized), directory.File("a/AsyncSamples.dll"), samples.Runtime, cache);
        var other = RewriteFiles.Rewrite(Assets.Samples(Assets.Unoptimized), directory.File("b/AsyncSamples.dll"), samples.Runtime, cache);
        Assert.Equal(RewriteOutcome.Rewritten, other.Outcome);
        var entries = Directory.GetFiles(cache).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(3, entries.Count); // the new entry's .dll and .pdb, and the other assembly's entry
        Assert.Contains(Path.GetFileName(otherAssembly), entries);
        Assert.Equal(RewriteOutcome.CacheHit, RewriteFiles.Rewrite(Assets.Samples(Assets.Unoptimized), directory.File("c/AsyncSamples.dll"), samples.Runtime, cache).Outcome);
    }

    [Fact]
    public void ANewRuntimeVersionRewritesAgain_AndAFileRewrittenForTheOldOneIsRefused()
    {
        using var directory = new TemporaryDirectory();
        var cache = directory.File("cache");
        var newRuntimePath = directory.File("runtime2/CountingInterceptors.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(newRuntimePath)!);
        using (var module = Assets.ReadModule(Assets.Double))
        {
            module.Assembly.Name.Version = new Version(2, 0, 0, 0);
            module.Write(newRuntimePath);
        }
        using var newRuntime = InterceptorAssembly.Load(newRuntimePath);

        var old = RewriteFiles.Rewrite(Assets.Samples(Assets.Optimized), directory.File("old/AsyncSamples.dll"), samples.Runtime, cache);
        var again = RewriteFiles.Rewrite(Assets.Samples(Assets.Optimized), directory.File("new/AsyncSamples.dll"), newRuntime, cache);
        Assert.Equal(RewriteOutcome.Rewritten, old.Outcome);
        Assert.Equal(RewriteOutcome.Rewritten, again.Outcome);
        using (var rewritten = Assets.ReadModule(directory.File("new/AsyncSamples.dll")))
        {
            Assert.Contains("Version=2.0.0.0", AssemblyRewriter.FindMarker(rewritten));
            Assert.Contains(rewritten.AssemblyReferences, reference => reference.Name == "CountingInterceptors" && reference.Version == new Version(2, 0, 0, 0));
        }

        // Rewriting is from the compiler's output only: a file marked for another runtime is not rewritten on top.
        var error = Assert.Throws<RewriteException>(() =>
            RewriteFiles.Rewrite(directory.File("old/AsyncSamples.dll"), directory.File("twice/AsyncSamples.dll"), newRuntime, cacheDirectory: null));
        Assert.Contains("already rewritten by another rewriter or runtime", error.Message);
        Assert.Contains("old/AsyncSamples.dll", error.Message);
    }

    [Fact]
    public void TheCacheKeyCoversTheRuntimeAndTheInputsSymbols()
    {
        var assembly = File.ReadAllBytes(Assets.Samples(Assets.Optimized));
        var symbols = File.ReadAllBytes(Path.ChangeExtension(Assets.Samples(Assets.Optimized), ".pdb"));
        var key = RewriteFiles.CacheKey(assembly, symbols, samples.Runtime);
        Assert.Equal(key, RewriteFiles.CacheKey(assembly, symbols, samples.Runtime));
        Assert.NotEqual(key, RewriteFiles.CacheKey(assembly, null, samples.Runtime));
        Assert.NotEqual(key, RewriteFiles.CacheKey(assembly, [.. symbols, 0], samples.Runtime));
        Assert.NotEqual(key, RewriteFiles.CacheKey([.. assembly, 0], symbols, samples.Runtime));
    }

    [Fact]
    public async Task AStrongNamedInputIsRewritten_KeepingItsIdentity()
    {
        // Decision: .NET does not check strong-name signatures, so a strong-named user assembly is rewritten; its
        // public key (its identity, which references bind to) stays, and the "signed" flag goes.
        using var directory = new TemporaryDirectory();
        var input = directory.File("input/AsyncSamples.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(input)!);
        var publicKey = typeof(Assert).Assembly.GetName().GetPublicKey()!;
        using (var module = Assets.ReadModule(Assets.Samples(Assets.Optimized)))
        {
            module.Assembly.Name.PublicKey = publicKey;
            module.Attributes |= ModuleAttributes.StrongNameSigned;
            module.Write(input);
        }
        var output = directory.File("AsyncSamples.dll");
        Assert.Equal(RewriteOutcome.Rewritten, RewriteFiles.Rewrite(input, output, samples.Runtime, cacheDirectory: null).Outcome);
        using (var rewritten = Assets.ReadModule(output))
        {
            Assert.Equal(publicKey, rewritten.Assembly.Name.PublicKey);
            Assert.False(rewritten.Attributes.HasFlag(ModuleAttributes.StrongNameSigned));
        }
        File.Copy(Assets.Double, directory.File("CountingInterceptors.dll"));
        var context = new IsolatedContext(directory.Path);
        try
        {
            Assert.Equal(5, await context.Run("Monitors"));
        }
        finally
        {
            context.Unload();
        }
    }
}
