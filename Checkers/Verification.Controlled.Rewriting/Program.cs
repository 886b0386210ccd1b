namespace Verification.Controlled.Rewriting;

/// <summary>
/// The rewriter's command line, run by build/Verification.Controlled.targets as a separate <c>dotnet</c> process (so
/// no MSBuild node keeps Cecil or a task DLL loaded, and the rewriter runs on the project's own runtime):
/// <c>rewrite &lt;in.dll&gt; &lt;out.dll&gt; --runtime &lt;Verification.Controlled.dll&gt; [--cache &lt;dir&gt;]</c>.
/// Exit codes as the toolkit's: 0 done, 2 bad input (one line on stderr), 4 internal error.
/// </summary>
public static class Program
{
    private const string Usage = "usage: rewrite <in.dll> <out.dll> --runtime <Verification.Controlled.dll> [--cache <directory>]";

    /// <summary>Runs the command line.</summary>
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs the command line with the given output and error writers.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        try
        {
            var (input, target, runtimePath, cache) = Parse(args);
            using var runtime = InterceptorAssembly.Load(runtimePath);
            var report = RewriteFiles.Rewrite(input, target, runtime, cache);
            foreach (var line in RewriteSummary.Lines(report, input, target)) output.WriteLine(line);
            return 0;
        }
        catch (RewriteException e)
        {
            error.WriteLine($"controlled-rewrite: error: {e.Message}");
            return 2;
        }
        catch (Exception e)
        {
            error.WriteLine($"controlled-rewrite: internal error: {e.GetType().Name}: {e.Message}");
            return 4;
        }
    }

    private static (string Input, string Output, string Runtime, string? Cache) Parse(string[] args)
    {
        if (args is not ["rewrite", var input, var output, .. var options])
            throw new RewriteException(Usage);
        string? runtime = null, cache = null;
        for (var i = 0; i < options.Length; i++)
        {
            var value = i + 1 < options.Length ? options[i + 1] : throw new RewriteException($"{options[i]} needs a value; {Usage}");
            switch (options[i])
            {
                case "--runtime": runtime = value; break;
                case "--cache": cache = value; break;
                default: throw new RewriteException($"unknown option '{options[i]}'; {Usage}");
            }
            i++;
        }
        return (input, output, runtime ?? throw new RewriteException($"--runtime is required; {Usage}"), cache);
    }
}
