using System.Reflection;
using System.Text;

namespace Verification.Exercises;

/// <summary>One thing an exercise checks about a student's answer, and what it found.</summary>
/// <param name="What">The requirement, as the exercise's README states it.</param>
/// <param name="Passed">Whether the answer meets it.</param>
/// <param name="Detail">What was found: the counterexample, the solver's answer, or what was covered.</param>
public sealed record ExerciseCheck(string What, bool Passed, string Detail);

/// <summary>
/// An exercise: its folder under exercises/ (README, Starter.cs, Solution.cs), what it teaches, how long it takes,
/// and how a student's file is checked.
/// </summary>
/// <param name="Name">The name 'verify exercise' takes.</param>
/// <param name="Title">One line.</param>
/// <param name="Folder">Its folder under exercises/.</param>
/// <param name="Goal">The learning goal, for the teacher's guide.</param>
/// <param name="Minutes">Expected time.</param>
/// <param name="Check">Checks the compiled answer (the path is for messages).</param>
public sealed record Exercise(string Name, string Title, string Folder, string Goal, int Minutes, Func<Assembly, string, IReadOnlyList<ExerciseCheck>> Check);

/// <summary>A student's file checked: each requirement met or not, with what was found.</summary>
public sealed record ExerciseReport(Exercise Exercise, string Path, IReadOnlyList<ExerciseCheck> Checks)
{
    /// <summary>Every requirement met.</summary>
    public bool Passed => Checks.Count > 0 && Checks.All(c => c.Passed);

    /// <summary>The friendly report: each requirement with ✓ or ✗ and what was found, then what to do next.</summary>
    public override string ToString()
    {
        var text = new StringBuilder($"Exercise {Exercise.Name}: {Exercise.Title}\n  file: {Path}\n");
        foreach (var check in Checks)
        {
            text.Append($"  {(check.Passed ? "✓" : "✗")} {check.What}\n");
            foreach (var line in check.Detail.Split('\n', StringSplitOptions.RemoveEmptyEntries)) text.Append($"      {line}\n");
        }
        text.Append(Passed
            ? "  All requirements met. Well done."
            : $"  {Checks.Count(c => !c.Passed)} of {Checks.Count} requirements not met yet; the README in exercises/{Exercise.Folder} has hints.");
        return text.ToString();
    }
}

/// <summary>The shipped exercises, in the order a course would take them.</summary>
public static class Exercises
{
    public static IReadOnlyList<Exercise> All { get; } =
    [
        SinceResetExercise.Exercise,
        TwoPhaseCommitExercise.Exercise,
        QuorumExercise.Exercise,
        FlpExercise.Exercise,
        DistinguishedProposerExercise.Exercise,
    ];

    /// <summary>The exercise called <paramref name="name"/>; a one-line error listing the names otherwise.</summary>
    public static Exercise Named(string name) => All.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ExerciseException($"no exercise '{name}' (there are: {string.Join(", ", All.Select(e => e.Name))})");

    /// <summary>Compiles <paramref name="path"/> and checks it as an answer to <paramref name="exercise"/>.</summary>
    public static ExerciseReport Check(Exercise exercise, string path) => new(exercise, path, exercise.Check(ExerciseCompiler.Compile(path), path));
}
