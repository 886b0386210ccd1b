using Verification.Specs;
using Verification.Specs.Consensus;

namespace Verification.Protocols.Paxos;

/// <summary>
/// Paxos refines Consensus: a 2a proposal is a proposal of its value, a learner's learning is learning; nothing else
/// is visible to Consensus. The state mapping says how Paxos's state realises Consensus's: the value chosen is the
/// first value learned, and the values proposed are those proposed in some ballot.
/// </summary>
public static class PaxosRefinement
{
    /// <summary>A planted mapping bug: learning is not passed up, so Consensus never hears of a decision and the state mapping breaks.</summary>
    public const string DropsLearning = "DropsLearning";

    public static Spec<PaxosEvent> RefinesConsensus(int acceptors, int values, int ballots, string? bug = null)
    {
        var paxos = PaxosSpec.Create(acceptors, values, ballots);
        var consensus = AbstractConsensus.Create(values);
        var learned = paxos.Variable<Var<int>>("learnedValue");
        var proposed = paxos.Variable<Family<bool>>("proposed");
        var refinement = Refinement.Of(paxos, consensus);
        if (bug == DropsLearning)
            refinement.MapEvents(e => e.When((Proposed p) => (ConsensusEvent?)new ValueProposed(p.Value)).Else(null));
        else if (bug is null)
            refinement.MapEvents(e => e
                .When((Proposed p) => (ConsensusEvent?)new ValueProposed(p.Value))
                .When((Learned l) => new ValueLearned(l.Learner, l.Value))
                .Else(null));
        else throw new SpecException($"no planted refinement bug '{bug}' (known: {DropsLearning})");
        return refinement
            .MapState(consensus.Variable<Var<int>>("chosen"), () => learned.Now)
            .MapState(consensus.Variable<Family<bool>>("proposed"), v => proposed.Now(v))
            .Build(bug is null ? null : $"PaxosRefinesConsensus[{bug}]");
    }
}
