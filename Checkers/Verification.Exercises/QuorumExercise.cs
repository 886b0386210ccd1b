using System.Reflection;
using Verification.Checkers.Smt;
using Verification.Specs.Consensus;

namespace Verification.Exercises;

/// <summary>
/// Seeds 000, 002 and 004 lean on quorum intersection. Five replicas, one of them (node 0) on a bigger machine: make
/// node 0 with any one other node a quorum — fast commits — while every two quorums still intersect and the system
/// survives the crash of any one node, node 0 included.
/// </summary>
public static class QuorumExercise
{
    public const int Nodes = 5;

    public static Exercise Exercise { get; } = new("quorums", "Make a quorum system intersect: weighted votes for a bigger node", "03-quorums",
        "quorum intersection as the safety condition; weighing it against availability; reading a disjoint pair", 20, Check);

    private static IReadOnlyList<ExerciseCheck> Check(Assembly answer, string path)
    {
        if (ExerciseCompiler.Answer(answer, "Quorums", path) is not QuorumSystem system)
            throw new ExerciseException($"{path}: Answer.Quorums() must return a QuorumSystem");
        if (system.Nodes != Nodes) return [new($"the system is over {Nodes} nodes", false, $"it is over {system.Nodes}")];
        var all = (1u << Nodes) - 1;
        var proof = QuorumIntersection.Prove(system);
        var enumeration = QuorumIntersection.Enumerate(system);
        var slowPairs = Enumerable.Range(1, Nodes - 1).Where(i => !system.IsQuorum(1u | (1u << i))).ToList();
        var unavailable = Enumerable.Range(0, Nodes).Where(k => !system.IsQuorum(all & ~(1u << k))).ToList();
        return
        [
            new("every two quorums intersect (Z3), and enumeration agrees", proof.Holds && enumeration.Holds,
                proof.Holds == enumeration.Holds ? proof.ToString() : $"{proof}\nenumeration disagrees: {enumeration}"),
            new("node 0 with any one other node is a quorum", slowPairs.Count == 0,
                slowPairs.Count == 0 ? "{0,1} {0,2} {0,3} {0,4} are quorums" : $"not quorums: {string.Join(" ", slowPairs.Select(i => $"{{0,{i}}}"))}"),
            new("after any one node crashes, the others still form a quorum", unavailable.Count == 0,
                unavailable.Count == 0 ? "checked for each of the 5 nodes" : $"without node {string.Join(" or ", unavailable)} no quorum is left"),
        ];
    }
}
