namespace Verification.Specs.Consensus;

/// <summary>What consensus is about: values proposed, and values learned.</summary>
public abstract record ConsensusEvent;

/// <summary>Some process proposes <see cref="Value"/>.</summary>
public sealed record ValueProposed(int Value) : ConsensusEvent;

/// <summary>Learner <see cref="Learner"/> learns that <see cref="Value"/> was chosen.</summary>
public sealed record ValueLearned(int Learner, int Value) : ConsensusEvent;

/// <summary>
/// Consensus as an abstract spec, the top of a refinement chain (Lamport's Consensus: one value is chosen, among those
/// proposed): the state is which values were proposed and the value chosen; its guards say what a correct system may
/// do — learn only a proposed value, and only the value chosen — so a protocol that refines it is safe. Over values 0..V−1.
/// </summary>
public static class AbstractConsensus
{
    /// <summary>The spec's name; a refinement's copies of its state and properties are prefixed with it ("Consensus.Agreement").</summary>
    public const string Name = "Consensus";

    /// <summary>No value chosen yet.</summary>
    public const int None = -1;

    /// <summary>Consensus over values 0..<paramref name="values"/>−1.</summary>
    public static Spec<ConsensusEvent> Create(int values) => Create(values, agreement: true);

    /// <summary>A weaker spec for comparisons: learners may learn any proposed value, so two may learn different ones.</summary>
    public static Spec<ConsensusEvent> WithoutAgreement(int values) => Create(values, agreement: false);

    private static Spec<ConsensusEvent> Create(int values, bool agreement)
    {
        if (values < 1) throw new SpecException($"consensus needs at least one value (got {values})");
        var spec = new SpecBuilder<ConsensusEvent>(agreement ? Name : Name + "WithoutAgreement");
        var proposed = spec.Family<bool>("proposed", values);
        var chosen = spec.Variable<int>("chosen");
        spec.Define(proposed, v => false, (e, v) => proposed.Now(v) || e.Is((ValueProposed p) => p.Value == v));
        spec.Define(chosen, None, e => chosen.Now == None ? e.When((ValueLearned l) => l.Value).Else(None) : chosen.Now);
        spec.Guard("ProposalsAreValues", e => e.IfIs((ValueProposed p) => p.Value >= 0 && p.Value < values));
        spec.Guard("OnlyProposedValuesLearned", e => e.IfIs((ValueLearned l) => l.Value >= 0 && l.Value < values && proposed.Now(l.Value)));
        if (agreement) spec.Guard("Agreement", e => e.IfIs((ValueLearned l) => chosen.Now == None || chosen.Now == l.Value));
        spec.Invariant("ChosenWasProposed", () => chosen.Now == None || Bounded.Any(values, v => v == chosen.Now && proposed.Now(v)));
        spec.Liveness("SomeValueLearned", () => chosen.Now == None);
        return spec.Build();
    }
}
