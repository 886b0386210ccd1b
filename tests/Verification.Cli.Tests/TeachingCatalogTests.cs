using Verification.Cli.Catalog;

namespace Verification.Cli.Tests;

/// <summary>The default check tells FLP's story on each shipped student protocol, each escaping the theorem its own way.</summary>
public class TeachingCatalogTests
{
    [Fact]
    public void TheFlpStories_HaveTheirExpectedEndings()
    {
        var stories = CheckCatalog.Default().Where(c => c.Kind == CheckKind.Teaching && c.Name.StartsWith("FLP:", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, stories.Count);
        // Unsafe, blocking with a crash (twice: without and with a bivalent initial configuration), never deciding on a fair run.
        Assert.Equal(["Agreement", "DecidesDespiteOneCrash", "DecidesDespiteOneCrash", "DecidesOnEveryFairRun"], stories.Select(s => s.Expected.Properties.Single()));
        foreach (var story in stories)
        {
            var result = CheckCatalog.Run(story, seed: 1);
            Assert.True(story.Expected.Matches(result), $"{story.Name}: expected {story.Expected}, {result.Summary}");
            // A safe protocol's story goes through Lemma 2; an unsafe one's stops at the violation.
            Assert.Equal(story.Expected.Properties.Single() != "Agreement", (result.Notes ?? "").Contains("Lemma 2", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void TheSynchronousContrast_DecidesInFPlusOneRounds_AndNotInF()
    {
        var contrast = CheckCatalog.Default().Where(c => c.Kind == CheckKind.Teaching && c.Name.StartsWith("Synchronous:", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, contrast.Count);
        foreach (var check in contrast)
        {
            var result = CheckCatalog.Run(check, seed: 1);
            Assert.True(check.Expected.Matches(result), $"{check.Name}: expected {check.Expected}, {result.Summary}");
            Assert.True(result.Coverage.Runs > 1, $"{check.Name}: {result.Coverage}");
        }
    }

    [Fact]
    public void List_ShowsTheTeachingChecks()
    {
        var list = new StringWriter();
        Assert.Equal(0, Program.Run(["list"], list, new StringWriter()));
        Assert.Contains("check  teaching", list.ToString());
    }
}

/// <summary>The default check runs the async examples under the controlled runtime: each bug found, each fix clean.</summary>
public class AsyncExampleCatalogTests
{
    [Fact]
    public void TheAsyncExamples_HaveTheirExpectedVerdicts()
    {
        var examples = CheckCatalog.Default().Where(c => c.Name.StartsWith("Async:", StringComparison.Ordinal)).ToList();
        Assert.Equal(8, examples.Count);
        Assert.Equal(4, examples.Count(c => c.Kind == CheckKind.PlantedBug));
        foreach (var example in examples)
        {
            var result = CheckCatalog.Run(example, seed: 1);
            Assert.True(example.Expected.Matches(result), $"{example.Name}: expected {example.Expected}, {result.Summary}");
            Assert.False(result.Coverage.IsEmpty, example.Name);
        }
    }
}
