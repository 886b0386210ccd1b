using System.Numerics;
using Verification.Checkers.Systematic;
using Verification.Runtime;
using Verification.Specs;

namespace Verification.SpinPaxos;

// Single-decree Paxos with 2 proposers and 3 acceptors, the system bench/spin/paxos.pml states in Promela, variable for
// variable, so that the toolkit's distinct-state count equals SPIN's "states, stored". Nodes 0 and 1 propose, 2..4
// accept. Values are encoded as in the Promela model: 0 is "none", proposer p's own value is p + 1; ballot numbers
// start at 1 (0 is "none"), proposer p's ballot in its round r (1-based) is (r − 1)·2 + p + 1, so ballots are distinct.

/// <summary>What the agreement spec sees.</summary>
public abstract record SpinPaxosEvent;

/// <summary>Proposer <paramref name="Proposer"/> decided <paramref name="Value"/>.</summary>
public sealed record Decided(int Proposer, int Value) : SpinPaxosEvent;

/// <summary>A node's state: a proposer's or an acceptor's.</summary>
public abstract record SpinPaxosState;

/// <summary>Where a proposer is in its current round.</summary>
public enum ProposerPhase { Idle, Preparing, Accepting, Decided }

/// <summary>
/// A proposer: its round (0 before the first), phase, the acceptors that promised (a bit per acceptor), the highest
/// accepted ballot and its value reported in those promises, the value it asks to be accepted, the acceptors that
/// accepted it, and the value it decided (0: none; kept across later rounds).
/// </summary>
public sealed record ProposerState(int Round, ProposerPhase Phase, int Promises, int HighestBallot, int HighestValue, int Proposal, int Acks, int Decided) : SpinPaxosState;

/// <summary>An acceptor: the highest ballot promised, and the last ballot and value accepted (0: none).</summary>
public sealed record AcceptorState(int Promised, int AcceptedBallot, int AcceptedValue) : SpinPaxosState;

/// <summary>The four messages of Paxos (no negative acknowledgements: a stale request is ignored).</summary>
public abstract record SpinPaxosMessage;

/// <summary>Phase 1a.</summary>
public sealed record Prepare(int Ballot) : SpinPaxosMessage;

/// <summary>Phase 1b, with the acceptor's last accepted ballot and value (0, 0: none).</summary>
public sealed record Promise(int Ballot, int AcceptedBallot, int AcceptedValue) : SpinPaxosMessage;

/// <summary>Phase 2a.</summary>
public sealed record Accept(int Ballot, int Value) : SpinPaxosMessage;

/// <summary>Phase 2b.</summary>
public sealed record Accepted(int Ballot, int Value) : SpinPaxosMessage;

/// <summary>A proposer's only timer: start its next round (armed while it has rounds left; it may fire at any point).</summary>
public enum SpinPaxosTimer { StartRound }

/// <summary>The model's size and options, as the Promela model's #defines.</summary>
/// <param name="Rounds">Ballots per proposer (BALLOTS).</param>
/// <param name="SecondProposerRounds">
/// Ballots of proposer 1 alone, 1..<paramref name="Rounds"/> (BALLOTS1; null: <paramref name="Rounds"/>). Two rounds with
/// this 1 is the "two ballots for one proposer": 65,137,130 states, 39,252,458 with <paramref name="ClearUnread"/>.
/// </param>
/// <param name="Loss">Any message may be lost, any number of times (LOSS).</param>
/// <param name="MinorityQuorum">A planted bug: one acceptor is taken for a quorum (BUG_MINORITY_QUORUM).</param>
/// <param name="AcceptorsSymmetric">
/// The acceptors declared interchangeable (<see cref="SpinPaxosNode.AcceptorSymmetry"/>): states are counted up to
/// renaming them, so the count is no longer SPIN's (whose model declares no symmetry).
/// </param>
/// <param name="ClearUnread">
/// A proposer clears what no later step of its round reads as it moves on (CLEAR): the promises and the highest
/// accepted ballot and value once it asks for acceptance, the proposal and the acceptances once it decided. The same
/// behaviour, fewer states (the one-ballot count is then close to the model's): it makes the two-ballot graph
/// small enough to search whole in every store.
/// </param>
public sealed record SpinPaxosConfig(int Rounds = 1, bool Loss = false, bool MinorityQuorum = false, bool AcceptorsSymmetric = false, bool ClearUnread = false, int? SecondProposerRounds = null)
{
    public const int Proposers = 2;
    public const int Acceptors = 3;

    /// <summary>How many promises or acceptances make a quorum.</summary>
    public int Quorum => MinorityQuorum ? 1 : Acceptors / 2 + 1;

    /// <summary>The fault model: an unordered network, no faults, or losses without a budget (so no loss count in the state, as in Promela).</summary>
    public FaultModel Faults => Loss ? FaultModel.None with { MaxLosses = FaultModel.Unbounded } : FaultModel.None;

    /// <summary>The ballots proposer <paramref name="proposer"/> may start.</summary>
    public int RoundsOf(int proposer) => proposer == 1 ? SecondProposerRounds ?? Rounds : Rounds;

    /// <summary>Checks the sizes the Promela model supports (1..3 rounds; proposer 1's at most proposer 0's).</summary>
    public void Validate()
    {
        if (Rounds is < 1 or > 3) throw new SpecException($"SpinPaxos: ballots per proposer must be 1..3, as in bench/spin/paxos.pml (got {Rounds})");
        if (SecondProposerRounds is { } second && (second < 1 || second > Rounds))
            throw new SpecException($"SpinPaxos: proposer 1's ballots must be 1..{Rounds} (the other proposer's), as BALLOTS1 in bench/spin/paxos.pml (got {second})");
    }
}

/// <summary>A proposer or an acceptor of the model, by node id.</summary>
public sealed class SpinPaxosNode(SpinPaxosConfig config) : INode<SpinPaxosState, SpinPaxosMessage, SpinPaxosTimer, NothingDurable>
{
    private const int FirstAcceptor = SpinPaxosConfig.Proposers;

    /// <summary>The model as a protocol, with the agreement spec.</summary>
    public static Protocol<SpinPaxosState, SpinPaxosMessage, SpinPaxosTimer, NothingDurable, SpinPaxosEvent> System(SpinPaxosConfig config)
    {
        config.Validate();
        return new("SpinPaxos", SpinPaxosConfig.Proposers + SpinPaxosConfig.Acceptors, _ => new SpinPaxosNode(config), AgreementSpec.Create())
        {
            IgnoredForever = IgnoredForever, Symmetry = config.AcceptorsSymmetric ? AcceptorSymmetry() : null,
        };
    }

    /// <summary>
    /// The messages a node ignores now and in every later state, because the ballot or round it compares them with
    /// only grows: requests below an acceptor's promise, and a proposer's replies of an earlier round or of a phase it
    /// has left. (Exhaustive searches deliver them first; SPIN's model has no such declaration, so the SPIN comparison
    /// runs with the reduction off.)
    /// </summary>
    public static bool IgnoredForever(SpinPaxosState state, NodeId from, SpinPaxosMessage message) => (state, message) switch
    {
        (AcceptorState acceptor, Prepare prepare) => prepare.Ballot <= acceptor.Promised,
        (AcceptorState acceptor, Accept accept) => accept.Ballot < acceptor.Promised,
        (ProposerState proposer, Promise promise) => Stale(proposer, promise.Ballot, ProposerPhase.Preparing),
        (ProposerState proposer, Accepted accepted) => Stale(proposer, accepted.Ballot, ProposerPhase.Accepting),
        _ => false,
    };

    /// <summary>A reply to a proposer's earlier round, or to its current round's <paramref name="phase"/> once it has moved past it.</summary>
    private static bool Stale(ProposerState proposer, int ballot, ProposerPhase phase)
    {
        if (proposer.Round == 0) return false;
        var current = (proposer.Round - 1) * SpinPaxosConfig.Proposers + 1; // the round's lowest ballot: any proposer's
        return ballot < current || (ballot >= current && proposer.Phase > phase);
    }

    /// <summary>
    /// Acceptors are interchangeable: they run the same code, and a proposer refers to them only by its promise and
    /// acknowledgement bit sets (bit a for acceptor a), renamed here; messages carry no ids, and quorums are counts.
    /// </summary>
    public static NodeSymmetry<SpinPaxosState, SpinPaxosMessage, SpinPaxosTimer, NothingDurable> AcceptorSymmetry() =>
        new([[.. Enumerable.Range(FirstAcceptor, SpinPaxosConfig.Acceptors)]],
            (state, π) => state is ProposerState p ? p with { Promises = (int)π.Bits((uint)p.Promises, FirstAcceptor), Acks = (int)π.Bits((uint)p.Acks, FirstAcceptor) } : state,
            (message, _) => message, (durable, _) => durable)
        {
            SpecUnaffected = ["chosen"],
        };

    /// <summary>Explores every state of the model (DFS), as SPIN's pan does.</summary>
    /// <param name="mutationChecks">The node-contract check around every transition (on by default; Off to measure its cost).</param>
    /// <param name="replayHandlerResults">Replay a handler's result for an input met before (on by default; off to measure what it saves).</param>
    /// <param name="deliverIgnoredFirst">The partial-order reduction by <see cref="IgnoredForever"/> (off by default: pan's counts are of the full graph).</param>
    /// <param name="bitstateBits">The bit array of a <see cref="VisitedStore.Bitstate"/> sweep (pan's -w as a power of two).</param>
    /// <param name="workers">Workers sharing one visited set (pan's runs are single-threaded: 1 for the comparison).</param>
    public static CheckResult Explore(SpinPaxosConfig config, VisitedStore store = VisitedStore.Exact, Action<SearchProgress>? progress = null, MutationCheck mutationChecks = MutationCheck.Sampled,
        bool replayHandlerResults = true, bool deliverIgnoredFirst = false, long bitstateBits = 1L << 31, int workers = 1) =>
        System(config).Tester(new TestOptions
            {
                Faults = config.Faults, CheckLiveness = false, Progress = progress, ProgressInterval = TimeSpan.FromSeconds(30), MutationChecks = mutationChecks,
                ReplayHandlerResults = replayHandlerResults, DeliverIgnoredFirst = deliverIgnoredFirst, BitstateBits = bitstateBits, Parallelism = workers,
            })
            .Explore(maxDepth: 1000, store: store);

    public static int Ballot(int proposer, int round) => (round - 1) * SpinPaxosConfig.Proposers + proposer + 1;

    private static bool IsProposer(NodeId node) => node.Index < FirstAcceptor;

    private static int Count(int bits) => BitOperations.PopCount((uint)bits);

    public SpinPaxosState Start(Effects<SpinPaxosMessage, SpinPaxosTimer, NothingDurable> effects)
    {
        if (!IsProposer(effects.Self)) return new AcceptorState(0, 0, 0);
        effects.SetTimer(SpinPaxosTimer.StartRound);
        return new ProposerState(0, ProposerPhase.Idle, 0, 0, 0, 0, 0, 0);
    }

    public SpinPaxosState OnTimer(SpinPaxosState state, SpinPaxosTimer timer, Effects<SpinPaxosMessage, SpinPaxosTimer, NothingDurable> effects)
    {
        var proposer = (ProposerState)state;
        var round = proposer.Round + 1;
        for (var a = 0; a < SpinPaxosConfig.Acceptors; a++) effects.Send(new NodeId(FirstAcceptor + a), new Prepare(Ballot(effects.Self.Index, round)));
        if (round < config.RoundsOf(effects.Self.Index)) effects.SetTimer(SpinPaxosTimer.StartRound); // a timeout: the next round may start at any later point
        return proposer with { Round = round, Phase = ProposerPhase.Preparing, Promises = 0, HighestBallot = 0, HighestValue = 0, Proposal = 0, Acks = 0 };
    }

    public SpinPaxosState OnMessage(SpinPaxosState state, NodeId from, SpinPaxosMessage message, Effects<SpinPaxosMessage, SpinPaxosTimer, NothingDurable> effects)
    {
        switch (state, message)
        {
            case (AcceptorState acceptor, Prepare prepare) when prepare.Ballot > acceptor.Promised:
                effects.Send(from, new Promise(prepare.Ballot, acceptor.AcceptedBallot, acceptor.AcceptedValue));
                return acceptor with { Promised = prepare.Ballot };
            case (AcceptorState acceptor, Accept accept) when accept.Ballot >= acceptor.Promised:
                effects.Send(from, new Accepted(accept.Ballot, accept.Value));
                return new AcceptorState(accept.Ballot, accept.Ballot, accept.Value);
            case (ProposerState proposer, Promise promise) when proposer.Phase == ProposerPhase.Preparing && promise.Ballot == Ballot(effects.Self.Index, proposer.Round):
            {
                var acceptor = from.Index - FirstAcceptor;
                var next = proposer with { Promises = proposer.Promises | 1 << acceptor };
                if (promise.AcceptedBallot > proposer.HighestBallot) next = next with { HighestBallot = promise.AcceptedBallot, HighestValue = promise.AcceptedValue };
                if (Count(next.Promises) < config.Quorum) return next;
                // A quorum promised: propose the value of the highest ballot any of them accepted, else its own.
                var value = next.HighestBallot > 0 ? next.HighestValue : effects.Self.Index + 1;
                for (var a = 0; a < SpinPaxosConfig.Acceptors; a++) effects.Send(new NodeId(FirstAcceptor + a), new Accept(promise.Ballot, value));
                return config.ClearUnread
                    ? next with { Phase = ProposerPhase.Accepting, Proposal = value, Promises = 0, HighestBallot = 0, HighestValue = 0 }
                    : next with { Phase = ProposerPhase.Accepting, Proposal = value };
            }
            case (ProposerState proposer, Accepted accepted) when proposer.Phase == ProposerPhase.Accepting && accepted.Ballot == Ballot(effects.Self.Index, proposer.Round):
            {
                var next = proposer with { Acks = proposer.Acks | 1 << (from.Index - FirstAcceptor) };
                if (Count(next.Acks) < config.Quorum) return next;
                effects.Observe(new Decided(effects.Self.Index, accepted.Value));
                return config.ClearUnread
                    ? next with { Phase = ProposerPhase.Decided, Decided = accepted.Value, Proposal = 0, Acks = 0 }
                    : next with { Phase = ProposerPhase.Decided, Decided = accepted.Value };
            }
            default:
                return state; // stale or out of phase: consumed, ignored
        }
    }

    public SpinPaxosState OnRecover(NothingDurable? durable, Effects<SpinPaxosMessage, SpinPaxosTimer, NothingDurable> effects) =>
        throw new InvalidOperationException("the model has no crashes");
}

/// <summary>Consensus safety: every decision is of the first value decided (the Promela model's assertion).</summary>
public static class AgreementSpec
{
    public static Spec<SpinPaxosEvent> Create()
    {
        var spec = new SpecBuilder<SpinPaxosEvent>("SpinPaxosAgreement");
        var chosen = spec.Variable<int>("chosen"); // 0: nothing decided yet (Promela's global 'chosen')
        spec.Define(chosen, 0, e => chosen.Now == 0 ? e.When((Decided d) => d.Value).Else(0) : chosen.Now);
        spec.StepProperty("Agreement", e => e.IfIs((Decided d) => chosen.Now == 0 || chosen.Now == d.Value));
        return spec.Build();
    }
}
