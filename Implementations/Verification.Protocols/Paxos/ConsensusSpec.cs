using Verification.Specs;

namespace Verification.Protocols.Paxos;

/// <summary>
/// Consensus alone (Paxos Made Simple's three safety requirements, over what learners learn): only a proposed value
/// is learned, and no two learners learn different values; liveness: some value is eventually learned. Uses the Paxos
/// alphabet's Proposed and Learned events, so any protocol that reports those can be checked against it.
/// </summary>
public static class ConsensusSpec
{
    public const string Name = "Consensus";

    public static Spec<PaxosEvent> Create(int values)
    {
        var spec = new SpecBuilder<PaxosEvent>(Name);
        AddTo(spec, values);
        return spec.Build();
    }

    /// <summary>Adds consensus's variables and properties to a spec over the Paxos alphabet (the Paxos spec refines it with protocol rules).</summary>
    internal static ConsensusVariables AddTo(SpecBuilder<PaxosEvent> spec, int values)
    {
        var proposed = spec.Family<bool>("proposed", values);
        var learned = spec.Variable<int>("learnedValue");
        spec.Define(proposed, v => false, (e, v) => proposed.Now(v) || e.Is((Proposed p) => p.Value == v));
        spec.Define(learned, PaxosSpec.None, e => learned.Now == PaxosSpec.None ? e.When((Learned l) => l.Value).Else(learned.Now) : learned.Now);
        spec.StepProperty("OnlyProposedValuesLearned", e => e.IfIs((Learned l) => proposed.Now(l.Value)));
        spec.StepProperty("Agreement", e => e.IfIs((Learned l) => learned.Now == PaxosSpec.None || learned.Now == l.Value));
        spec.Liveness("SomeValueLearned", () => learned.Now == PaxosSpec.None);
        return new ConsensusVariables(proposed, learned);
    }
}

/// <summary>Consensus's state, for specs that extend it: which values were proposed, and the first value learned.</summary>
internal sealed record ConsensusVariables(Family<bool> Proposed, Var<int> Learned)
{
}
