using System.Diagnostics;
using Xunit.Abstractions;

namespace Verification.Cli.Tests;

/// <summary>
/// The toolkit installed the .NET way, as a user outside this repository installs it: templates/check-template.sh
/// packs the libraries, the verify tool and the template into a local folder feed, creates a protocol test project
/// with 'dotnet new verification-protocol', runs its tests against the packages, installs the tool and runs the
/// checks the new project's system declares.
/// </summary>
public class InstallableTests(ITestOutputHelper output)
{
    [Fact]
    public async Task PackedPackages_TemplateProject_AndTool_WorkOutsideTheRepository()
    {
        var repository = new DirectoryInfo(AppContext.BaseDirectory);
        while (repository is not null && !File.Exists(Path.Combine(repository.FullName, "Verification.sln"))) repository = repository.Parent;
        Assert.NotNull(repository);
        var work = Directory.CreateTempSubdirectory("verification-template-");
        try
        {
            var start = new ProcessStartInfo("bash", [Path.Combine(repository.FullName, "templates", "check-template.sh"), work.FullName])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var script = Process.Start(start)!;
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            deadline.Token.Register(() => script.Kill(entireProcessTree: true)); // a hung pack or restore fails the test, not the suite
            var readError = script.StandardError.ReadToEndAsync(deadline.Token);
            var printed = await script.StandardOutput.ReadToEndAsync(deadline.Token);
            await script.WaitForExitAsync(deadline.Token);
            var errors = await readError;
            output.WriteLine(printed);
            output.WriteLine(errors);
            Assert.True(script.ExitCode == 0, $"check-template.sh failed ({script.ExitCode}):\n{printed}\n{errors}");
            foreach (var package in new[] { "Verification.Specs", "Verification.Runtime", "Verification.Checkers", "Verification.Tool", "Verification.Templates" })
                Assert.Contains($"{package}.0.1.0.nupkg", printed);
            Assert.Contains("Passed:     3", printed); // the new project's three tests, against the packed packages
            Assert.Contains("2 as expected, 0 not", printed); // its system's two declared checks, through the installed tool
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
