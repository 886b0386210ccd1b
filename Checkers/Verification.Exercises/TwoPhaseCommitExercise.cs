using System.Reflection;
using Verification.Checkers.Systematic;
using Verification.Runtime;
using Verification.Specs;

namespace Verification.Exercises;

/// <summary>A message of two-phase commit: the coordinator's prepare and outcome, a participant's vote.</summary>
public abstract record CommitMessage;

/// <summary>Coordinator to participant: vote on the transaction.</summary>
public sealed record Prepare : CommitMessage;

/// <summary>Participant to coordinator: its vote.</summary>
public sealed record Vote(bool Yes) : CommitMessage;

/// <summary>Coordinator to participant: the outcome.</summary>
public sealed record Outcome(bool Commit) : CommitMessage;

/// <summary>What the spec observes.</summary>
public abstract record CommitEvent;

/// <summary>Participant <paramref name="Participant"/> (1-based node id) voted.</summary>
public sealed record Voted(int Participant, bool Yes) : CommitEvent;

/// <summary>Node <paramref name="Node"/> (0 = coordinator) decided the outcome.</summary>
public sealed record Decided(int Node, bool Commit) : CommitEvent;

/// <summary>
/// Atomic commitment (Bernstein, Hadzilacos and Goodman's AC1–AC2) as state equations over the events: every node
/// that decides decides the same, a commit needs every participant's yes, and a decision is never taken back.
/// </summary>
public static class AtomicCommitSpec
{
    public static Spec<CommitEvent> Create(int participants)
    {
        var nodes = participants + 1;
        var spec = new SpecBuilder<CommitEvent>("AtomicCommit");
        // vote[p]: 0 not yet, 1 yes, 2 no (participant p is node p + 1). decision[n]: 0 none, 1 commit, 2 abort.
        var vote = spec.Family<int>("vote", participants, p => $"n{p + 1}");
        var decision = spec.Family<int>("decision", nodes, n => $"n{n}");
        spec.Define(vote, p => 0, (e, p) => e.When((Voted v) => v.Participant == p + 1 ? (v.Yes ? 1 : 2) : vote.Now(p)).Else(vote.Now(p)));
        spec.Define(decision, n => 0, (e, n) => e.When((Decided d) => d.Node == n ? (d.Commit ? 1 : 2) : decision.Now(n)).Else(decision.Now(n)));
        spec.Guard("Agreement", e => e.IfIs((Decided d) => Bounded.All(nodes, n => decision.Now(n) == 0 || decision.Now(n) == (d.Commit ? 1 : 2))));
        spec.Guard("CommitNeedsEveryYes", e => e.IfIs((Decided d) => !d.Commit || Bounded.All(participants, p => vote.Now(p) == 1)));
        spec.Guard("DecisionsAreFinal", e => e.IfIs((Decided d) => d.Node < 0 || d.Node >= nodes || decision.Now(d.Node) == 0));
        // Without faults every node learns the outcome: a run that ends with some node undecided is a violation.
        spec.Liveness("EveryNodeDecides", () => Bounded.Any(nodes, n => decision.Now(n) == 0));
        return spec.Build();
    }
}

/// <summary>
/// Find the bug in a two-phase commit coordinator: the starter commits a transaction some participant voted against.
/// Checked exhaustively (every message order) for three participants with each vote pattern: all yes, and each one no.
/// </summary>
public static class TwoPhaseCommitExercise
{
    public const int Participants = 3;

    public static Exercise Exercise { get; } = new("two-phase-commit", "Find the bug in a two-phase commit coordinator", "02-two-phase-commit",
        "atomic commitment as a spec; reading an exhaustive search's counterexample; why 'enough votes' is not 'every vote'", 30, Check);

    private static IReadOnlyList<ExerciseCheck> Check(Assembly answer, string path)
    {
        var create = answer.GetTypes().FirstOrDefault(t => t.Name == "Answer")?.GetMethod("Protocol", BindingFlags.Public | BindingFlags.Static, [typeof(IReadOnlyList<bool>)])
            ?? throw new ExerciseException($"{path}: class Answer has no public static method Protocol(IReadOnlyList<bool> votes) (the starter file has one; keep its name)");
        var checks = new List<ExerciseCheck>();
        foreach (var votes in VotePatterns())
        {
            var pattern = string.Join(" ", votes.Select((yes, p) => $"n{p + 1}:{(yes ? "yes" : "no")}"));
            Protocol<object, CommitMessage, NoTimer, NothingDurable, CommitEvent> protocol;
            try
            {
                protocol = create.Invoke(null, [votes]) as Protocol<object, CommitMessage, NoTimer, NothingDurable, CommitEvent>
                    ?? throw new ExerciseException($"{path}: Answer.Protocol must return a Protocol<object, CommitMessage, NoTimer, NothingDurable, CommitEvent>");
            }
            catch (TargetInvocationException thrown) when (thrown.InnerException is { } inner)
            {
                throw new ExerciseException($"{path}: Answer.Protocol threw {inner.GetType().Name}: {inner.Message}");
            }
            // The exercise's spec, not whatever the file passed: the answer is judged against atomic commitment itself.
            var judged = protocol with { Spec = AtomicCommitSpec.Create(Participants) };
            var result = judged.Tester(new TestOptions { CheckLiveness = true }).Explore(maxDepth: 100);
            checks.Add(new($"votes {pattern}: in every message order, every node decides, all alike, and commit only if all voted yes",
                result.Holds, result.Holds ? $"{result.Coverage}" : result.ToString()));
        }
        return checks;
    }

    private static IEnumerable<bool[]> VotePatterns()
    {
        yield return Enumerable.Repeat(true, Participants).ToArray();
        for (var no = 0; no < Participants; no++) yield return Enumerable.Range(0, Participants).Select(p => p != no).ToArray();
    }
}
