using System.Reflection;
using Verification.Protocols.DistinguishedProposer;

namespace Verification.Exercises;

/// <summary>
/// Seed 002's distinguished proposer: a recovery proposer takes over when the distinguished one seems dead. Predict,
/// for each failure model, whether Agreement survives; the tester then runs each one and shows the counterexamples.
/// </summary>
public static class DistinguishedProposerExercise
{
    public static Exercise Exercise { get; } = new("distinguished-proposer", "The distinguished proposer's claims, failure model by failure model", "05-distinguished-proposer",
        "crash, pause and amnesia are different failure models; a claim holds only within one; reading a counterexample run", 30, Check);

    /// <summary>The scenarios a student predicts, by the name the starter uses, with the system check that decides each.</summary>
    public static IReadOnlyDictionary<string, string> Scenarios { get; } = new Dictionary<string, string>
    {
        ["recovery on suspicion, no failures"] = "Distinguished proposer, recovery on suspicion, no failures (Agreement)",
        ["perfect detector, an acceptor forgets (amnesia)"] = "Distinguished proposer, perfect detector, acceptor amnesia (Agreement)",
        ["perfect detector, an acceptor pauses"] = "Distinguished proposer, perfect detector, acceptor pause",
        ["perfect detector, an acceptor halts"] = "Distinguished proposer, perfect detector, acceptor halt",
    };

    private static IReadOnlyList<ExerciseCheck> Check(Assembly answer, string path)
    {
        if (ExerciseCompiler.Answer(answer, "AgreementHolds", path) is not IReadOnlyDictionary<string, bool> predictions)
            throw new ExerciseException($"{path}: Answer.AgreementHolds() must return an IReadOnlyDictionary<string, bool>");
        var unknown = predictions.Keys.Except(Scenarios.Keys).ToList();
        if (unknown.Count > 0) throw new ExerciseException($"{path}: no scenario '{unknown[0]}' (the scenarios are: {string.Join("; ", Scenarios.Keys)})");
        var system = new DistinguishedProposerSystem();
        var checks = new List<ExerciseCheck>();
        foreach (var (scenario, checkName) in Scenarios)
        {
            // The truth is the system's declared expectation (the default check and the tests hold it to that); the
            // run here, with the check's own budget, is the evidence the student reads.
            var systemCheck = system.Checks.Single(c => c.Name == checkName);
            var holds = systemCheck.Expected.Verdict == Verdict.Holds;
            var result = system.Run(systemCheck);
            var what = $"{scenario}: Agreement {(predictions.TryGetValue(scenario, out var p) ? p ? "holds (your prediction)" : "can break (your prediction)" : "— no prediction yet")}";
            var detail = result.Holds ? $"no violation in {result.Coverage}" : $"it can break:\n{result.Counterexample?.Describe()}";
            if (result.Holds == !holds) detail += "\n(this run did not show what the default check shows with its budget; run it again with another seed)";
            checks.Add(new(what, predictions.TryGetValue(scenario, out var predicted) && predicted == holds, detail));
        }
        return checks;
    }
}
