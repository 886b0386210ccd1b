using Verification.Protocols.MultiPaxos;
using Verification.Runtime;
using Verification.Specs.Replication;
using static Verification.Protocols.Tests.MultiPaxos.MultiPaxosStates;

namespace Verification.Protocols.Tests.MultiPaxos;

/// <summary>
/// The Paxos rules, per slot, as Multi-Paxos replicas apply them (Lamport, "Paxos Made Simple", §2 for one instance
/// and §3 for the state machine; van Renesse and Altinbuken, "Paxos Made Moderately Complex", for the replica), one per
/// test: one handler of one replica is called on a hand-built state, and the state it returns and the effects it asks
/// for, in order, are compared with what the quoted sentence requires. Each planted <see cref="MultiPaxosBug"/> has a
/// test showing its rule fails with the bug on.
/// </summary>
public class MultiPaxosHandlerTests
{
    private static readonly MultiPaxosConfig Correct = Config();

    // Phase 1: prepare and promise ------------------------------------------------------------------------------------

    /// <summary>
    /// Paxos Made Simple, phase 1(b): "If an acceptor receives a prepare request with number n greater than that of any
    /// prepare request to which it has already responded, then it responds to the request with a promise not to accept
    /// any more proposals numbered less than n and with the highest-numbered proposal (if any) that it has accepted."
    /// §2.5: "An acceptor records its intended response in stable storage before actually sending the response."
    /// Replica 1 has promised ballot 1 and accepted command 0 in slot 0 under it.
    /// </summary>
    [Fact]
    public void AnAcceptor_PromisesAHigherBallot_PersistingThePromise_ThenReplyingWithWhatItAccepted()
    {
        var before = Replica(Correct, promised: 1) with { Accepted = Accepted(Correct, new LogEntry(1, 0)) };

        var step = Deliver(Correct, before, self: 1, from: 2, new PrepareLog(5));

        var promised = before with { Promised = 5 };
        Assert.Equal(promised, step.State);
        Assert.Equal([Persists(promised), Sends(2, new PromiseLog(5, Accepted(Correct, new LogEntry(1, 0))))], step.Effects);
    }

    /// <summary>
    /// Paxos Made Simple, phase 1(b) promises only a number "greater than that of any prepare request to which it has
    /// already responded"; §2.3: "we have the acceptor ignore such a prepare request" — also one it has promised already.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public void AnAcceptor_IgnoresAPrepareNotHigherThanItsPromise(int ballot)
    {
        var before = Replica(Correct, promised: 1) with { Accepted = Accepted(Correct, new LogEntry(1, 0)) };

        var step = Deliver(Correct, before, self: 1, from: 2, new PrepareLog(ballot));

        Assert.Equal(before, step.State);
        Assert.Empty(step.Effects);
    }

    /// <summary>
    /// Paxos Made Simple, §2.4: "By abandoning a proposal and trying again if it learns about some request with a higher
    /// proposal number, the distinguished proposer will eventually choose a high enough proposal number." A leader that
    /// promises a higher ballot stops leading.
    /// </summary>
    [Fact]
    public void ALeader_PromisingAHigherBallot_StopsLeading()
    {
        var before = Replica(Correct, promised: 3) with { Round = 2, Leader = Running(Correct, 3) with { Leading = true, Promises = 0b011 } };

        var step = Deliver(Correct, before, self: 0, from: 1, new PrepareLog(4));

        var follower = before with { Promised = 4, Leader = null };
        Assert.Equal(follower, step.State);
        Assert.Equal([Persists(follower), Sends(1, new PromiseLog(4, Accepted(Correct)))], step.Effects);
    }

    /// <summary>
    /// Paxos Made Simple, §2.5: "Different proposers choose their numbers from disjoint sets of numbers, so two different
    /// proposers never issue a proposal with the same number. Each proposer remembers (in stable storage) the
    /// highest-numbered proposal it has tried to issue, and begins phase 1 with a higher proposal number than any it has
    /// already used." Replica 1 in round 1 takes ballot 1·3 + 1 = 4, persists round 2, then prepares at every replica.
    /// </summary>
    [Fact]
    public void AReplicaRunningForLeader_TakesItsNextBallot_PersistsItsRound_ThenSendsPrepareToEveryReplica()
    {
        var before = Replica(Correct, promised: 2) with { Round = 1 };

        var step = Fire(Correct, before, self: 1, MultiPaxosTimer.Elect);

        var candidate = before with { Round = 2, Leader = Running(Correct, 4) };
        Assert.Equal(candidate, step.State);
        Assert.Equal([Sets(MultiPaxosTimer.Elect), Persists(candidate), .. SendsToEveryReplica(Correct, new PrepareLog(4))], step.Effects);
    }

    /// <summary>
    /// Paxos Made Simple, phase 2(a): "If the proposer receives a response to its prepare requests (numbered n) from a
    /// majority of acceptors, then it sends an accept request to each of those acceptors for a proposal numbered n with a
    /// value v, where v is the value of the highest-numbered proposal among the responses, or is any value if the
    /// responses reported no proposals." Replica 0 runs ballot 3 with its own promise in (reporting its own accepted entry
    /// in slot 0, if any) and client 2's command waiting; replica 2's promise, reporting its entry in slot 0, completes a
    /// majority. Slot 0 gets the value of the higher-ballot entry, and client 2's command the next free slot.
    /// </summary>
    [Theory]
    [InlineData(1, 0, 2, 1, 1)]       // the reported entry has the higher ballot
    [InlineData(2, 1, 1, 0, 1)]       // the leader's own entry has the higher ballot
    [InlineData(None, None, 1, 0, 0)] // only the reported entry
    public void ALeaderWithPromisesFromAMajority_ProposesPerSlotTheHighestBallotValueReported_NotItsOwnCommand(
        int ownBallot, int ownCommand, int reportedBallot, int reportedCommand, int adopted)
    {
        var own = new LogEntry(ownBallot, ownCommand);
        var reported = new LogEntry(reportedBallot, reportedCommand);
        var before = PhaseOneHalfDone(Correct, own);

        var step = Deliver(Correct, before, self: 0, from: 2, new PromiseLog(3, Accepted(Correct, reported)));

        var leading = before.Leader! with
        {
            Leading = true, Promises = 0b101, Merged = Accepted(Correct, ownBallot > reportedBallot ? own : reported), Proposals = PerSlot(Correct, adopted, 2), Pending = 0,
        };
        Assert.Equal(before with { Leader = leading }, step.State);
        Assert.Equal([.. SendsToEveryReplica(Correct, new AcceptEntry(3, 0, adopted)), .. SendsToEveryReplica(Correct, new AcceptEntry(3, 1, 2))], step.Effects);
    }

    /// <summary>The planted <see cref="MultiPaxosBug.NewLeaderIgnoresAcceptedEntries"/> breaks the rule above: slot 0, where command 0 may be chosen, gets the leader's own command 2.</summary>
    [Fact]
    public void ALeaderProposesTheHighestBallotValueReported_FailsWith_NewLeaderIgnoresAcceptedEntries()
    {
        var buggy = Config(MultiPaxosBug.NewLeaderIgnoresAcceptedEntries);

        var step = Deliver(buggy, PhaseOneHalfDone(buggy, LogEntry.Empty), self: 0, from: 2, new PromiseLog(3, Accepted(buggy, new LogEntry(1, 0))));

        Assert.Equal(PerSlot(buggy, 2), step.Replica.Leader!.Proposals);
        Assert.Equal(SendsToEveryReplica(buggy, new AcceptEntry(3, 0, 2)), step.Effects);
    }

    /// <summary>Replica 0 running ballot 3 (round 1), its own promise in, client 2's command waiting for phase 1 to end.</summary>
    private static ReplicaState PhaseOneHalfDone(MultiPaxosConfig config, LogEntry ownAccepted) =>
        Replica(config, promised: 3) with
        {
            Round = 2, Accepted = Accepted(config, ownAccepted),
            Leader = Running(config, 3) with { Promises = 0b001, Merged = Accepted(config, ownAccepted), Pending = 1u << 2 },
        };

    /// <summary>
    /// Paxos Made Simple, phase 2(a) starts only once the proposer has a response "from a majority of acceptors": a
    /// first promise is merged and counted, and nothing is proposed yet.
    /// </summary>
    [Fact]
    public void ALeader_ProposesNothing_BeforePromisesFromAMajority()
    {
        var before = Replica(Correct, promised: 3) with { Round = 2, Leader = Running(Correct, 3) with { Pending = 1u << 2 } };

        var step = Deliver(Correct, before, self: 0, from: 1, new PromiseLog(3, Accepted(Correct, new LogEntry(1, 0))));

        Assert.Equal(before with { Leader = before.Leader! with { Promises = 0b010, Merged = Accepted(Correct, new LogEntry(1, 0)) } }, step.State);
        Assert.Empty(step.Effects);
    }

    /// <summary>
    /// Paxos Made Simple, §3: "Instead, we let it fill the gap immediately by proposing, as commands 136 and 137, a
    /// special “no-op” command that leaves the state unchanged." A new leader learns of an entry in slot 1 and of none
    /// in slot 0.
    /// </summary>
    [Fact]
    public void ALeaderWithPromisesFromAMajority_FillsAGapBelowAReportedEntry_WithANoOp()
    {
        var before = Replica(Correct, promised: 3) with { Round = 2, Leader = Running(Correct, 3) with { Promises = 0b001 } };

        var step = Deliver(Correct, before, self: 0, from: 1, new PromiseLog(3, Accepted(Correct, LogEntry.Empty, new LogEntry(2, 1))));

        var leading = before.Leader! with { Leading = true, Promises = 0b011, Merged = Accepted(Correct, LogEntry.Empty, new LogEntry(2, 1)), Proposals = PerSlot(Correct, NoOp, 1) };
        Assert.Equal(before with { Leader = leading }, step.State);
        Assert.Equal([.. SendsToEveryReplica(Correct, new AcceptEntry(3, 0, NoOp)), .. SendsToEveryReplica(Correct, new AcceptEntry(3, 1, 1))], step.Effects);
    }

    // Phase 2: accept, and commit -------------------------------------------------------------------------------------

    /// <summary>
    /// Paxos Made Simple, P1a: "An acceptor can accept a proposal numbered n iff it has not responded to a prepare request
    /// having a number greater than n." §2.5: "An acceptor records its intended response in stable storage before actually
    /// sending the response." Replica 1 is asked to accept command 1 in slot 2 under ballot 3.
    /// </summary>
    [Theory]
    [InlineData(3, true)]
    [InlineData(1, true)]
    [InlineData(4, false)]
    public void AnAcceptor_AcceptsAnEntry_IffItPromisedNoHigherBallot_PersistingItBeforeReplying(int promised, bool accepts)
    {
        var before = Replica(Correct, promised);

        var step = Deliver(Correct, before, self: 1, from: 0, new AcceptEntry(3, 2, 1));

        if (!accepts)
        {
            Assert.Equal(before, step.State);
            Assert.Empty(step.Effects);
            return;
        }
        var accepted = before with { Promised = 3, Accepted = Accepted(Correct, LogEntry.Empty, LogEntry.Empty, new LogEntry(3, 1)) };
        Assert.Equal(accepted, step.State);
        Assert.Equal([Persists(accepted), Sends(0, new AcceptedEntry(3, 2))], step.Effects);
    }

    /// <summary>
    /// Paxos Made Simple, §2.2: "A value is chosen when a single proposal with that value has been accepted by a majority
    /// of the acceptors." §2.3: "the acceptors could respond with their acceptances to some set of distinguished learners,
    /// each of which can then inform all the learners when a value has been chosen." Leader 0 proposed command 1 in slot 0
    /// under ballot 3; replica 1's acceptance makes a majority only with the leader's own, and one of an older ballot
    /// counts for nothing.
    /// </summary>
    [Theory]
    [InlineData(0b000u, 3, false)]
    [InlineData(0b001u, 3, true)]
    [InlineData(0b001u, 1, false)]
    public void ALeader_CommitsASlot_OnceAMajorityAcceptedItsProposal(uint votesBefore, int ballot, bool commits)
    {
        var leader = Running(Correct, 3) with { Leading = true, Promises = 0b011, Proposals = PerSlot(Correct, 1), Votes = ValueArray<uint>.From([votesBefore, 0, 0, 0]) };
        var before = Replica(Correct, promised: 3) with { Round = 2, Leader = leader };

        var step = Deliver(Correct, before, self: 0, from: 1, new AcceptedEntry(ballot, 0));

        var counted = ballot == 3 ? before with { Leader = leader with { Votes = ValueArray<uint>.From([votesBefore | 0b010, 0, 0, 0]) } } : before;
        Assert.Equal(counted, step.State);
        Assert.Equal(commits ? SendsToEveryReplica(Correct, new CommitEntry(0, 1)) : [], step.Effects);
    }

    // Learning and executing ------------------------------------------------------------------------------------------

    /// <summary>
    /// Paxos Made Simple, §3: "However, it can't execute commands 138–140, which it also knows, because commands 136 and
    /// 137 have yet to be chosen." Replica 1 learns slot 1 while slot 0 is open: it records it and executes nothing.
    /// </summary>
    [Fact]
    public void AReplica_RecordsACommitAfterAGap_ButExecutesNothingPastTheGap()
    {
        var before = Replica(Correct, promised: 3);

        var step = Deliver(Correct, before, self: 1, from: 0, new CommitEntry(1, 2));

        var recorded = before with { Committed = PerSlot(Correct, None, 2) };
        Assert.Equal(recorded, step.State);
        Assert.Equal([Observes(new Committed(1, 1, 2)), Persists(recorded)], step.Effects);
    }

    /// <summary>
    /// Paxos Made Simple, §3: "To guarantee that all servers execute the same sequence of state machine commands, we
    /// implement a sequence of separate instances of the Paxos consensus algorithm, the value chosen by the ith instance
    /// being the ith state machine command in the sequence." Filling slot 0 lets replica 1 execute slots 0 and 1 in
    /// that order (client 1's append, then client 2's), answering each client, and persist the result.
    /// </summary>
    [Fact]
    public void AReplica_ExecutesCommittedCommandsInSlotOrder_OnceTheGapIsFilled_AnsweringEachClient()
    {
        var before = Replica(Correct, promised: 3) with { Committed = PerSlot(Correct, None, 2) };

        var step = Deliver(Correct, before, self: 1, from: 0, new CommitEntry(0, 1));

        var executed = before with { Committed = PerSlot(Correct, 1, 2), Applied = 2, Store = "[1.0][2.0]", Executed = before.Executed.With(1, true).With(2, true) };
        Assert.Equal(executed, step.State);
        Assert.Equal(
            [
                Observes(new Committed(1, 0, 1)),
                Observes(new Applied(1, 0, 1, true)), Sends(4, new ClientReply(1, 0, "")),
                Observes(new Applied(1, 1, 2, true)), Sends(5, new ClientReply(2, 1, "")),
                Persists(executed),
            ],
            step.Effects);
    }

    /// <summary>
    /// The planted refinement bug: a command committed past a gap runs at once (the state machine is ahead of the log)
    /// yet nothing is reported until the gap fills, and then in slot order — every event is one the spec allows.
    /// </summary>
    [Fact]
    public void AReplicaThatAppliesAhead_RunsTheCommandAtOnce_ButReportsNothingOutOfOrder()
    {
        var buggy = Config(MultiPaxosBug.ReplicaAppliesAhead);
        var before = Replica(buggy, promised: 3);

        var ahead = Deliver(buggy, before, self: 1, from: 0, new CommitEntry(1, 2));

        Assert.Equal(before with { Committed = PerSlot(buggy, None, 2), Store = "[2.0]", Executed = before.Executed.With(2, true) }, ahead.State);
        Assert.DoesNotContain(ahead.Effects, effect => effect is Observe { Event: Applied });
        var filled = Deliver(buggy, (ReplicaState)ahead.State, self: 1, from: 0, new CommitEntry(0, 1));
        Assert.Contains(Observes(new Applied(1, 1, 2, true)), filled.Effects);
        Assert.Equal("[2.0][1.0]", ((ReplicaState)filled.State).Store); // executed out of slot order, reported in it
    }

    /// <summary>A commit the replica already has (a retransmission, a catch-up answer) changes nothing and answers no client again.</summary>
    [Fact]
    public void AReplica_IgnoresACommitItAlreadyHas()
    {
        var before = Replica(Correct, promised: 3) with { Committed = PerSlot(Correct, 1), Applied = 1, Store = "[1.0]" };

        var step = Deliver(Correct, before, self: 1, from: 0, new CommitEntry(0, 1));

        Assert.Equal(before, step.State);
        Assert.Empty(step.Effects);
    }

    /// <summary>
    /// Paxos Made Moderately Complex's replica performs a command only if it has not performed it in a lower slot (a
    /// client's retried request can be decided in two slots); otherwise it just moves past the slot. Client 1's command,
    /// executed in slot 0, is committed again in slot 1.
    /// </summary>
    [Fact]
    public void AReplica_ExecutesACommandOnce_EvenWhenTheLogHoldsItTwice()
    {
        var step = CommitTheSameCommandAgain(Correct);

        var skipped = DecidedTwice(Correct);
        Assert.Equal(skipped, step.State);
        Assert.Equal([new Committed(1, 1, 1), new Applied(1, 1, 1, false)], step.Observed);
        Assert.Equal([skipped.Durable], step.Effects.OfType<Persist<ReplicaDurable>>().Select(persist => persist.Durable));
    }

    /// <summary>The planted <see cref="MultiPaxosBug.ReplicaExecutesDuplicates"/> breaks the rule above: client 1's append takes effect twice.</summary>
    [Fact]
    public void AReplicaExecutesACommandOnce_FailsWith_ReplicaExecutesDuplicates()
    {
        var buggy = Config(MultiPaxosBug.ReplicaExecutesDuplicates);

        var step = CommitTheSameCommandAgain(buggy);

        Assert.Equal("[1.0][1.0]", step.Replica.Store);
        Assert.Contains(new Applied(1, 1, 1, true), step.Observed);
    }

    /// <summary>
    /// The replica answers a client when it performs the client's command (Paxos Made Moderately Complex's perform), so
    /// once per command: the slot it skips as a duplicate owes the client nothing.
    /// </summary>
    [Fact]
    public void AReplica_AnswersTheClientOnce_NotAgainForTheDuplicateSlot()
    {
        var step = CommitTheSameCommandAgain(Correct);

        Assert.Empty(step.Sent);
    }

    /// <summary>Replica 1 executed client 1's command in slot 0, and learns that slot 1 holds it too.</summary>
    private static Step CommitTheSameCommandAgain(MultiPaxosConfig config) =>
        Deliver(config, Replica(config, promised: 3) with { Committed = PerSlot(config, 1), Applied = 1, Store = "[1.0]" }, self: 1, from: 0, new CommitEntry(1, 1));

    private static ReplicaState DecidedTwice(MultiPaxosConfig config) =>
        Replica(config, promised: 3) with { Committed = PerSlot(config, 1, 1), Applied = 2, Store = "[1.0]" };

    // Catch-up --------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Paxos Made Simple, §2.3: "Because of message loss, a value could be chosen with no learner ever finding out." A
    /// replica asked to catch a peer up sends it every commit it knows from the asked slot on (including no-ops).
    /// </summary>
    [Fact]
    public void AReplica_AnswersACatchUp_WithEveryCommitFromTheAskedSlotOn()
    {
        var step = AskToCatchUp(Correct);

        Assert.Equal(CaughtUpReplica(Correct), step.State);
        Assert.Equal([Sends(2, new CommitEntry(1, 2)), Sends(2, new CommitEntry(2, NoOp))], step.Effects);
    }

    /// <summary>The planted <see cref="MultiPaxosBug.IgnoresCatchUp"/> breaks the rule above: the lagging peer is sent nothing.</summary>
    [Fact]
    public void AReplicaAnswersACatchUp_FailsWith_IgnoresCatchUp()
    {
        var buggy = Config(MultiPaxosBug.IgnoresCatchUp);

        var step = AskToCatchUp(buggy);

        Assert.Empty(step.Sent);
    }

    private static Step AskToCatchUp(MultiPaxosConfig config) => Deliver(config, CaughtUpReplica(config), self: 0, from: 2, new CatchUp(1));

    /// <summary>Replica 0 has committed and executed client 1's and client 2's commands and a no-op, in slots 0 to 2.</summary>
    private static ReplicaState CaughtUpReplica(MultiPaxosConfig config) =>
        Replica(config, promised: 3) with { Committed = PerSlot(config, 1, 2, NoOp), Applied = 3, Store = "[1.0][2.0]" };

    /// <summary>
    /// The other side of catch-up: on each tick of its catch-up timer a replica that has taken part in some ballot asks
    /// one peer, in turn, for the commits from its first unexecuted slot on; one that has promised nothing asks no one.
    /// </summary>
    [Theory]
    [InlineData(3, 0, 2)]
    [InlineData(3, 1, 0)]
    [InlineData(None, 0, None)]
    public void AReplica_OnItsCatchUpTimer_AsksOnePeerInTurn_FromItsFirstUnexecutedSlot(int promised, int turn, int asked)
    {
        var before = Replica(Correct, promised) with { Committed = PerSlot(Correct, 1, 2), Applied = 2, Store = "[1.0][2.0]", CatchUpTurn = turn };

        var step = Fire(Correct, before, self: 1, MultiPaxosTimer.CatchUp);

        Assert.Equal(before with { CatchUpTurn = (turn + 1) % 2 }, step.State);
        Effect[] asking = asked == None ? [] : [Sends(asked, new CatchUp(2))];
        Assert.Equal([Sets(MultiPaxosTimer.CatchUp), .. asking], step.Effects);
    }

    // Clients ---------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Paxos Made Simple, §3: "It assigns command number 141 to the next command requested by a client, proposing it as
    /// the value in phase 2 of instance 141 of the consensus algorithm." Leader 0 has slot 0 in use.
    /// </summary>
    [Fact]
    public void ALeader_ProposesANewClientCommand_InTheNextFreeSlot_ToEveryReplica()
    {
        var leader = Running(Correct, 3) with { Leading = true, Promises = 0b011, Proposals = PerSlot(Correct, 1) };
        var before = Replica(Correct, promised: 3) with { Round = 2, Leader = leader };

        var step = Deliver(Correct, before, self: 0, from: 5, new ClientRequest(2));

        Assert.Equal(before with { Leader = leader with { Proposals = PerSlot(Correct, 1, 2) } }, step.State);
        Assert.Equal(SendsToEveryReplica(Correct, new AcceptEntry(3, 1, 2)), step.Effects);
    }

    // Recovery --------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Paxos Made Simple, §2.5: "Stable storage, preserved during failures, is used to maintain the information that the
    /// acceptor must remember." A leader that crashes comes back with exactly what it persisted — its round, promise,
    /// accepted entries, commits and executed state — and not leading: its leadership was volatile.
    /// </summary>
    [Fact]
    public void ARecoveringReplica_RestartsFromItsDurableStateOnly_NotLeading()
    {
        var leader = Replica(Correct, promised: 4) with
        {
            Round = 2, Accepted = Accepted(Correct, new LogEntry(4, 1)), Committed = PerSlot(Correct, 1), Applied = 1, Store = "[1.0]", CatchUpTurn = 1,
            Leader = Running(Correct, 4) with { Leading = true, Promises = 0b011, Proposals = PerSlot(Correct, 1), Votes = ValueArray<uint>.From([0b011u, 0, 0, 0]) },
        };

        var step = Recover(Correct, leader.Durable, self: 1);

        Assert.Equal(leader with { Leader = null }, step.State);
        Assert.Equal([Sets(MultiPaxosTimer.Elect), Sets(MultiPaxosTimer.CatchUp)], step.Effects);
    }

    /// <summary>The promise survives the crash: the recovered acceptor still refuses to accept under a ballot lower than the one it promised before.</summary>
    [Fact]
    public void ARecoveredAcceptor_KeepsItsPromise()
    {
        var recovered = Recover(Correct, Replica(Correct, promised: 4).Durable, self: 1);

        var step = Deliver(Correct, recovered.State, self: 1, from: 0, new AcceptEntry(3, 0, 0));

        Assert.Equal(recovered.State, step.State);
        Assert.Empty(step.Effects);
    }
}
