using Verification.Runtime;
using Verification.Specs;
using Verification.Specs.Consensus;

namespace Verification.Protocols.Paxos;

/// <summary>Paxos's one timer: a proposer may start a (higher) ballot.</summary>
public enum PaxosTimer { Propose }

/// <summary>
/// Single-decree Paxos (Paxos Made Simple): any proposer may start a ballot when its timer fires (so proposers can
/// duel); acceptors persist their promise and vote before replying; learners count 2b votes of the highest ballot.
/// </summary>
public sealed class PaxosNode(PaxosConfig config) : INode<PaxosNodeState, PaxosMessage, PaxosTimer, PaxosNodeState>
{
    private const int Idle = 0, Preparing = 1, Accepting = 2;
    private readonly QuorumSystem quorums = config.Quorums;

    /// <summary>Proposers and acceptors with the Paxos spec they must satisfy.</summary>
    public static Protocol<PaxosNodeState, PaxosMessage, PaxosTimer, PaxosNodeState, PaxosEvent> System(PaxosConfig config) => new PaxosSystem().Build(config);

    internal static Protocol<PaxosNodeState, PaxosMessage, PaxosTimer, PaxosNodeState, PaxosEvent> Create(PaxosConfig config) =>
        config.MaxRounds == PaxosConfig.Unbounded
            ? throw new SpecException("the Paxos spec has a state variable per ballot, so it needs bounded rounds; use ConsensusSystem for unbounded ballots")
            : new($"Paxos[{config.Bugs}{(config.MapsToConsensus == ConsensusMapping.None ? "" : $";refines consensus: {config.MapsToConsensus}")}]", config.Nodes, _ => new PaxosNode(config),
                config.MapsToConsensus switch
                {
                    ConsensusMapping.None => PaxosSpec.Create(config.Acceptors, config.Proposers, config.Ballots),
                    ConsensusMapping.Correct => PaxosRefinement.RefinesConsensus(config.Acceptors, config.Proposers, config.Ballots),
                    _ => PaxosRefinement.RefinesConsensus(config.Acceptors, config.Proposers, config.Ballots, PaxosRefinement.DropsLearning),
                })
            {
                Symmetry = !config.AcceptorsSymmetric ? null
                    : config.MapsToConsensus == ConsensusMapping.None ? AcceptorSymmetry(config)
                    : throw new SpecException("acceptor symmetry is declared for the Paxos spec alone, not for its refinement of Consensus"),
                IgnoredForever = IgnoredForever(config),
            };

    /// <summary>
    /// The messages a node ignores now and for ever, because the ballot it compares them with only grows and survives
    /// crashes: a Prepare at the acceptor's promise (or below it, when it sends no nack), an Accept below the promise
    /// or of the ballot it already voted in (without nacks), and a proposer's replies of an earlier ballot, or of its
    /// current one once it has left that phase (a ballot is never restarted: the round is persisted). Learners' votes
    /// are left out: a learner's ballot does not survive a crash. A planted bug that makes an acceptor forget its
    /// promise, or accept below it, takes back what it breaks.
    /// </summary>
    private static Func<PaxosNodeState, NodeId, PaxosMessage, bool> IgnoredForever(PaxosConfig config)
    {
        var acceptorsKeepPromises = !config.Bugs.HasFlag(PaxosBug.AcceptorForgetsPromise);
        var acceptsOnlyFromPromise = acceptorsKeepPromises && !config.Bugs.HasFlag(PaxosBug.AcceptsLowerBallot);
        return (state, _, message) => (state, message) switch
        {
            (AcceptorState acceptor, Prepare prepare) => acceptorsKeepPromises && (prepare.Ballot == acceptor.Promised || (!config.Preemption && prepare.Ballot < acceptor.Promised)),
            (AcceptorState acceptor, Accept accept) => acceptsOnlyFromPromise && !config.Preemption && (accept.Ballot < acceptor.Promised || accept.Ballot == acceptor.AcceptedBallot),
            (ProposerState proposer, Promise promise) => promise.Ballot < proposer.Ballot || (promise.Ballot == proposer.Ballot && proposer.Phase != Preparing),
            (ProposerState proposer, Preempted preempted) => preempted.Ballot < proposer.Ballot || (preempted.Ballot == proposer.Ballot && proposer.Phase == Idle),
            _ => false,
        };
    }

    /// <summary>
    /// Acceptors are interchangeable: they run the same code, and nothing but a proposer's quorum bit sets (promises,
    /// and a learner's voters: bit a for acceptor a) and the spec's per-acceptor families refers to one. Majority
    /// quorums (and the minority-quorum bug's "any ⌊A/2⌋") are closed under renaming acceptors, so the spec's
    /// properties are symmetric too. Messages carry no node ids (the network renames sender and addressee).
    /// </summary>
    public static NodeSymmetry<PaxosNodeState, PaxosMessage, PaxosTimer, PaxosNodeState> AcceptorSymmetry(PaxosConfig config)
    {
        var first = config.Proposers;
        PaxosNodeState Rename(PaxosNodeState state, NodePermutation π) => state switch
        {
            ProposerState p => p with { Promises = π.Bits(p.Promises, first), LearnVoters = π.Bits(p.LearnVoters, first) },
            _ => state,
        };
        return new NodeSymmetry<PaxosNodeState, PaxosMessage, PaxosTimer, PaxosNodeState>(
            [[.. Enumerable.Range(first, config.Acceptors)]], Rename, (message, _) => message, Rename)
        {
            SpecIndexed =
            [
                new SpecIndexedByNodes("maxPromisedBallot", first), new SpecIndexedByNodes("lastVotedBallot", first),
                new SpecIndexedByNodes("lastVotedValue", first), new SpecIndexedByNodes("votes", first, Stride: config.Ballots),
            ],
            SpecUnaffected = ["proposal", "proposed", "learnedValue"],
        };
    }

    /// <summary>
    /// The same nodes against Consensus alone (no per-ballot state), and with unbounded rounds the ballot-shift
    /// symmetry: shifting every ballot (and round) by a whole number of rounds maps runs onto runs, since nodes only
    /// compare ballots and a ballot's owner is its residue mod P. So a search can see duelling proposers cycle.
    /// </summary>
    public static Protocol<PaxosNodeState, PaxosMessage, PaxosTimer, PaxosNodeState, PaxosEvent> ConsensusSystem(PaxosConfig config) => new PaxosConsensusSystem().Build(config);

    internal static Protocol<PaxosNodeState, PaxosMessage, PaxosTimer, PaxosNodeState, PaxosEvent> CreateConsensus(PaxosConfig config) =>
        new($"Paxos[{(config.DistinguishedProposer ? "distinguished proposer" : $"{config.Proposers} proposers")}]", config.Nodes, _ => new PaxosNode(config), ConsensusSpec.Create(values: config.Proposers))
        {
            Normalizer = config.MaxRounds == PaxosConfig.Unbounded ? BallotShift(config.Proposers) : null,
        };

    private static StateNormalizer<PaxosNodeState, PaxosMessage, PaxosNodeState> BallotShift(int proposers)
    {
        int Shift(int ballot, int offset) => ballot == PaxosSpec.None ? ballot : ballot - offset;
        // The lowest ballot anywhere, counting each proposer's next one (round·P), rounded down to a whole round.
        int Offset(IEnumerable<PaxosNodeState> states, IEnumerable<PaxosNodeState> durable, IEnumerable<PaxosMessage> messages)
        {
            var lowest = int.MaxValue;
            void See(int ballot) { if (ballot != PaxosSpec.None) lowest = Math.Min(lowest, ballot); }
            foreach (var state in states.Concat(durable))
                switch (state)
                {
                    case ProposerState p: See(p.Round * proposers); See(p.Ballot); See(p.BestBallot); See(p.LearnBallot); break;
                    case AcceptorState a: See(a.Promised); See(a.AcceptedBallot); break;
                }
            foreach (var message in messages)
                switch (message)
                {
                    case Prepare m: See(m.Ballot); break;
                    case Promise m: See(m.Ballot); See(m.LastBallot); break;
                    case Accept m: See(m.Ballot); break;
                    case AcceptedVote m: See(m.Ballot); break;
                    case Preempted m: See(m.Ballot); See(m.Higher); break;
                }
            return lowest == int.MaxValue ? 0 : lowest / proposers * proposers;
        }
        PaxosNodeState ShiftState(PaxosNodeState state, int offset) => state switch
        {
            ProposerState p => p with { Round = p.Round - offset / proposers, Ballot = Shift(p.Ballot, offset), BestBallot = Shift(p.BestBallot, offset), LearnBallot = Shift(p.LearnBallot, offset) },
            AcceptorState a => a with { Promised = Shift(a.Promised, offset), AcceptedBallot = Shift(a.AcceptedBallot, offset) },
            _ => state,
        };
        return new StateNormalizer<PaxosNodeState, PaxosMessage, PaxosNodeState>(
            Offset,
            ShiftState,
            ShiftState,
            (message, offset) => message switch
            {
                Prepare m => m with { Ballot = Shift(m.Ballot, offset) },
                Promise m => m with { Ballot = Shift(m.Ballot, offset), LastBallot = Shift(m.LastBallot, offset) },
                Accept m => m with { Ballot = Shift(m.Ballot, offset) },
                AcceptedVote m => m with { Ballot = Shift(m.Ballot, offset) },
                Preempted m => m with { Ballot = Shift(m.Ballot, offset), Higher = Shift(m.Higher, offset) },
                _ => message,
            });
    }

    private bool StartsBallots(NodeId node) => !config.DistinguishedProposer || node.Index == 0;

    private bool Has(PaxosBug bug) => (config.Bugs & bug) != 0;

    private bool IsAcceptor(NodeId node) => node.Index >= config.Proposers;

    private IEnumerable<NodeId> Acceptors => Enumerable.Range(config.Proposers, config.Acceptors).Select(i => new NodeId(i));

    private IEnumerable<NodeId> Learners => Enumerable.Range(0, config.LearnerCount).Select(i => new NodeId(i));

    public PaxosNodeState Start(Effects<PaxosMessage, PaxosTimer, PaxosNodeState> effects)
    {
        if (IsAcceptor(effects.Self)) return new AcceptorState(PaxosSpec.None, PaxosSpec.None, PaxosSpec.None);
        if (StartsBallots(effects.Self)) effects.SetTimer(PaxosTimer.Propose);
        return new ProposerState
        {
            Round = 0, Ballot = PaxosSpec.None, Phase = Idle, Promises = 0, BestBallot = PaxosSpec.None, BestValue = PaxosSpec.None,
            LearnBallot = PaxosSpec.None, LearnValue = PaxosSpec.None, LearnVoters = 0, Learned = PaxosSpec.None,
        };
    }

    public PaxosNodeState OnTimer(PaxosNodeState state, PaxosTimer timer, Effects<PaxosMessage, PaxosTimer, PaxosNodeState> effects)
    {
        if (state is not ProposerState proposer || proposer.Round >= config.MaxRounds) return state;
        var next = StartBallot(proposer, proposer.Round, effects);
        if (config.RetryOnTimer && !config.DistinguishedProposer) effects.SetTimer(PaxosTimer.Propose); // may start a higher ballot later: preemption, and duelling
        return next;
    }

    /// <summary>Phase 1a for the proposer's ballot in round <paramref name="round"/> (at least its next one).</summary>
    private PaxosNodeState StartBallot(ProposerState proposer, int round, Effects<PaxosMessage, PaxosTimer, PaxosNodeState> effects)
    {
        round = Math.Max(round, proposer.Round);
        if (round >= config.MaxRounds) return proposer;
        var ballot = round * config.Proposers + effects.Self.Index;
        var next = proposer with { Round = round + 1, Ballot = ballot, Phase = Preparing, Promises = 0, BestBallot = PaxosSpec.None, BestValue = PaxosSpec.None };
        effects.Persist(next); // a restarted proposer must not reuse a ballot
        foreach (var acceptor in Acceptors) effects.Send(acceptor, new Prepare(ballot));
        return next;
    }

    private PaxosNodeState OnPreempted(ProposerState proposer, Preempted preempted, Effects<PaxosMessage, PaxosTimer, PaxosNodeState> effects) =>
        proposer.Phase == Idle || preempted.Ballot != proposer.Ballot || proposer.Learned != PaxosSpec.None
            ? proposer
            : StartBallot(proposer, preempted.Higher / config.Proposers + 1, effects);

    public PaxosNodeState OnMessage(PaxosNodeState state, NodeId from, PaxosMessage message, Effects<PaxosMessage, PaxosTimer, PaxosNodeState> effects) =>
        (state, message) switch
        {
            (AcceptorState acceptor, Prepare prepare) => OnPrepare(acceptor, from, prepare, effects),
            (AcceptorState acceptor, Accept accept) => OnAccept(acceptor, from, accept, effects),
            (ProposerState proposer, Preempted preempted) => OnPreempted(proposer, preempted, effects),
            (ProposerState proposer, Promise promise) => OnPromise(proposer, from, promise, effects),
            (ProposerState proposer, AcceptedVote vote) => OnVote(proposer, from, vote, effects),
            _ => state,
        };

    private PaxosNodeState OnPrepare(AcceptorState acceptor, NodeId from, Prepare prepare, Effects<PaxosMessage, PaxosTimer, PaxosNodeState> effects)
    {
        if (prepare.Ballot <= acceptor.Promised)
        {
            if (config.Preemption && prepare.Ballot < acceptor.Promised) effects.Send(from, new Preempted(prepare.Ballot, acceptor.Promised));
            return acceptor;
        }
        var next = acceptor with { Promised = prepare.Ballot };
        if (!Has(PaxosBug.AcceptorForgetsPromise)) effects.Persist(next);
        var (lastBallot, lastValue) = Has(PaxosBug.PromiseOmitsAcceptedValue) ? (PaxosSpec.None, PaxosSpec.None) : (acceptor.AcceptedBallot, acceptor.AcceptedValue);
        effects.Observe(new Promised(effects.Self.Index - config.Proposers, prepare.Ballot, lastBallot, lastValue));
        effects.Send(from, new Promise(prepare.Ballot, lastBallot, lastValue));
        return next;
    }

    private PaxosNodeState OnAccept(AcceptorState acceptor, NodeId from, Accept accept, Effects<PaxosMessage, PaxosTimer, PaxosNodeState> effects)
    {
        if (accept.Ballot < acceptor.Promised && !Has(PaxosBug.AcceptsLowerBallot))
        {
            if (config.Preemption) effects.Send(from, new Preempted(accept.Ballot, acceptor.Promised));
            return acceptor;
        }
        if (accept.Ballot == acceptor.AcceptedBallot) return acceptor; // a duplicate 2a: already voted
        var next = new AcceptorState(Math.Max(acceptor.Promised, accept.Ballot), accept.Ballot, accept.Value);
        effects.Persist(next);
        effects.Observe(new Voted(effects.Self.Index - config.Proposers, accept.Ballot, accept.Value));
        foreach (var learner in Learners) effects.Send(learner, new AcceptedVote(accept.Ballot, accept.Value));
        return next;
    }

    private PaxosNodeState OnPromise(ProposerState proposer, NodeId from, Promise promise, Effects<PaxosMessage, PaxosTimer, PaxosNodeState> effects)
    {
        if (proposer.Phase != Preparing || promise.Ballot != proposer.Ballot) return proposer;
        var promises = proposer.Promises | (1u << (from.Index - config.Proposers));
        var (bestBallot, bestValue) = promise.LastBallot > proposer.BestBallot ? (promise.LastBallot, promise.LastValue) : (proposer.BestBallot, proposer.BestValue);
        var next = proposer with { Promises = promises, BestBallot = bestBallot, BestValue = bestValue };
        if (!quorums.IsQuorum(promises)) return next;
        var value = bestBallot != PaxosSpec.None && !Has(PaxosBug.ProposerIgnoresReportedValue) ? bestValue : effects.Self.Index;
        effects.Observe(new Proposed(effects.Self.Index, proposer.Ballot, value));
        foreach (var acceptor in Acceptors) effects.Send(acceptor, new Accept(proposer.Ballot, value));
        return next with { Phase = Accepting };
    }

    private PaxosNodeState OnVote(ProposerState learner, NodeId from, AcceptedVote vote, Effects<PaxosMessage, PaxosTimer, PaxosNodeState> effects)
    {
        var voter = 1u << (from.Index - config.Proposers);
        var next = vote.Ballot > learner.LearnBallot ? learner with { LearnBallot = vote.Ballot, LearnValue = vote.Value, LearnVoters = voter }
            : vote.Ballot == learner.LearnBallot ? learner with { LearnVoters = learner.LearnVoters | voter }
            : learner;
        if (next.Learned != PaxosSpec.None || !quorums.IsQuorum(next.LearnVoters)) return next;
        effects.Observe(new Learned(effects.Self.Index, next.LearnValue));
        return next with { Learned = next.LearnValue };
    }

    public PaxosNodeState OnRecover(PaxosNodeState? persisted, Effects<PaxosMessage, PaxosTimer, PaxosNodeState> effects)
    {
        switch (persisted)
        {
            case null:
                return Start(effects);
            case ProposerState proposer:
                if (StartsBallots(effects.Self)) effects.SetTimer(PaxosTimer.Propose); // timers are lost in a crash; the ballot round survives, the ballot in progress does not
                return proposer with { Phase = Idle, Promises = 0 };
            default:
                return persisted;
        }
    }
}
