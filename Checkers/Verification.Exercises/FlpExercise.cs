using System.Reflection;
using Verification.Checkers.Teaching;

namespace Verification.Exercises;

/// <summary>
/// Seed 002's FLP, on a protocol the student writes: three processes, binary inputs. Make it safe and make it decide
/// in every fair run without a crash; then FLP's story shows it must block when one process crashes — and where.
/// </summary>
public static class FlpExercise
{
    public static Exercise Exercise { get; } = new("flp", "FLP on your own protocol: safe, deciding without crashes — and blocked by one", "04-flp",
        "valence, bivalent configurations, Lemmas 2 and 3, and why a safe protocol that always decides without crashes cannot survive one", 45, Check);

    private static IReadOnlyList<ExerciseCheck> Check(Assembly answer, string path)
    {
        var protocol = ExerciseCompiler.Answer(answer, "Protocol", path);
        var type = protocol.GetType();
        if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(FlpProtocol<,>))
            throw new ExerciseException($"{path}: Answer.Protocol() must return an FlpProtocol<TState, TMessage> (it returned {type.Name})");
        var tell = typeof(Flp).GetMethod(nameof(Flp.Tell))!.MakeGenericMethod(type.GetGenericArguments());
        CheckResult story;
        try
        {
            story = (CheckResult)tell.Invoke(null, [protocol])!;
        }
        catch (TargetInvocationException thrown) when (thrown.InnerException is VerificationException inner)
        {
            throw new ExerciseException($"{path}: {inner.Message}");
        }
        var property = story.Counterexample?.Property;
        var safe = story.Verdict != Verdict.Unknown && property is not (Flp.Agreement or Flp.Validity or Flp.DecisionsAreFinal);
        var decidesWithoutCrash = safe && property != Flp.DecidesOnEveryFairRun;
        return
        [
            new("it is safe: decisions agree, are inputs, and are final", safe, safe ? $"{story.Coverage} explored" : story.ToString()),
            new("every fair run without a crash decides", decidesWithoutCrash, decidesWithoutCrash ? "no fair run without a crash avoids deciding" : story.ToString()),
            new("so, by FLP, one crash blocks it: the story shows where", decidesWithoutCrash && property == Flp.DecidesDespiteOneCrash, story.ToString()),
        ];
    }
}
