using Verification.Exercises;

namespace Verification.Cli.Tests;

/// <summary>Every exercise's starter compiles and fails its checks; every solution passes; bad files get one clear message.</summary>
public class ExerciseTests
{
    private static readonly string Repository = FindRepository();

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Verification.sln"))) return dir.FullName;
        throw new InvalidOperationException("the repository root (Verification.sln) was not found above the test binaries");
    }

    public static TheoryData<string> Names => [.. Exercises.Exercises.All.Select(e => e.Name)];

    private static string FileOf(Exercise exercise, string file) => Path.Combine(Repository, "exercises", exercise.Folder, file);

    [Theory]
    [MemberData(nameof(Names))]
    public void TheStarter_Compiles_AndFailsSomeRequirement(string name)
    {
        var exercise = Exercises.Exercises.Named(name);
        var report = Exercises.Exercises.Check(exercise, FileOf(exercise, "Starter.cs"));
        Assert.False(report.Passed, report.ToString());
        Assert.Contains(report.Checks, c => !c.Passed);
        Assert.Contains("requirements not met yet", report.ToString());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void TheSolution_MeetsEveryRequirement(string name)
    {
        var exercise = Exercises.Exercises.Named(name);
        var report = Exercises.Exercises.Check(exercise, FileOf(exercise, "Solution.cs"));
        Assert.True(report.Passed, report.ToString());
        Assert.True(report.Checks.Count >= 3, "an exercise checks several things");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void EveryExercise_HasAReadme_WithTheQuestion_AndIsInTheTeachersGuide(string name)
    {
        var exercise = Exercises.Exercises.Named(name);
        var readme = File.ReadAllText(FileOf(exercise, "README.md"));
        Assert.Contains("**The question.**", readme);
        Assert.Contains("**Seed passage", readme);
        Assert.Contains($"exercise {exercise.Name} ", readme);
        Assert.Contains($"`{exercise.Name}`", File.ReadAllText(Path.Combine(Repository, "exercises", "README.md")));
    }

    [Fact]
    public void AFileThatDoesNotCompile_IsReportedWithFileLineAndTheCompilersMessage()
    {
        var path = Path.Combine(Path.GetTempPath(), $"broken-{Guid.NewGuid():N}.cs");
        File.WriteAllText(path, "public static class Answer\n{\n    public static int Quorums() => \"five\";\n}\n");
        try
        {
            var error = Assert.Throws<ExerciseException>(() => Exercises.Exercises.Check(Exercises.Exercises.Named("quorums"), path));
            Assert.Contains("does not compile (1 error)", error.Message);
            Assert.Contains($"{path}:3:", error.Message);
            Assert.Contains("CS0029", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AFileWithoutTheAnswer_OrWithTheWrongType_IsToldWhatIsExpected()
    {
        var path = Path.Combine(Path.GetTempPath(), $"answerless-{Guid.NewGuid():N}.cs");
        try
        {
            File.WriteAllText(path, "public static class Solution { }\n");
            Assert.Contains("there is no public static class Answer", Assert.Throws<ExerciseException>(() => Exercises.Exercises.Check(Exercises.Exercises.Named("flp"), path)).Message);
            File.WriteAllText(path, "public static class Answer { public static object Quorums() => 5; }\n");
            Assert.Contains("must return a QuorumSystem", Assert.Throws<ExerciseException>(() => Exercises.Exercises.Check(Exercises.Exercises.Named("quorums"), path)).Message);
            File.WriteAllText(path, "public static class Answer { public static object Quorums() => throw new System.InvalidOperationException(\"not yet\"); }\n");
            Assert.Contains("Answer.Quorums() threw InvalidOperationException: not yet", Assert.Throws<ExerciseException>(() => Exercises.Exercises.Check(Exercises.Exercises.Named("quorums"), path)).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TheCommand_ListsTheExercises_ChecksAFile_AndNamesAMissingOne()
    {
        var list = new StringWriter();
        Assert.Equal(0, Program.Run(["exercise"], list, new StringWriter()));
        Assert.All(Exercises.Exercises.All, e => Assert.Contains($"exercise {e.Name}", list.ToString()));

        var output = new StringWriter();
        var quorums = Exercises.Exercises.Named("quorums");
        Assert.Equal(ExitCodes.Differs, Program.Run(["exercise", "quorums", FileOf(quorums, "Starter.cs")], output, new StringWriter()));
        Assert.Contains("✗ node 0 with any one other node is a quorum", output.ToString());
        Assert.Equal(ExitCodes.AsExpected, Program.Run(["exercise", "quorums", FileOf(quorums, "Solution.cs")], new StringWriter(), new StringWriter()));

        var error = new StringWriter();
        Assert.Equal(ExitCodes.BadInputOrEnvironment, Program.Run(["exercise", "paxos-made-simple"], new StringWriter(), error));
        Assert.Contains("no exercise 'paxos-made-simple' (there are: since-reset,", error.ToString());
        error = new StringWriter();
        Assert.Equal(ExitCodes.BadInputOrEnvironment, Program.Run(["exercise", "quorums", "/nonexistent/Answer.cs"], new StringWriter(), error));
        Assert.Contains("/nonexistent/Answer.cs: no such file", error.ToString());
    }
}
