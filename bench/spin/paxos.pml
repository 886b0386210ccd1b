/*
 * Single-decree Paxos: 2 proposers, 3 acceptors, an unordered network (a multiset of messages), optional message
 * loss, and consensus safety (agreement) as an assertion. The same system, variable for variable, as the toolkit
 * model in bench/Verification.SpinPaxos/SpinPaxos.cs, so that SPIN's "states, stored" equals the toolkit's
 * distinct-state count (bench/spin/run.sh compares them; bench/README.md "SPIN side by side").
 *
 * Parameters (spin -DNAME=VALUE or -DNAME):
 *   BALLOTS               ballots (rounds) per proposer, 1..3 (default 1)
 *   BALLOTS1              ballots of proposer 1 alone, 1..BALLOTS (default BALLOTS): -DBALLOTS=2 -DBALLOTS1=1 is
 *                         "two ballots for one proposer" (SpinPaxosConfig.SecondProposerRounds)
 *   LOSS                  any in-flight message may be lost, any number of times
 *   BUG_MINORITY_QUORUM   planted bug: one acceptor counts as a quorum (agreement then fails)
 *   CLEAR                 a proposer clears what no later step of its round reads as it moves on: the promises and
 *                         the highest accepted ballot and value once it asks for acceptance, the proposal and the
 *                         acceptances once it decided (SpinPaxosConfig.ClearUnread; the same behaviour, fewer states)
 *
 * Why it is written this way: the toolkit's state is the nodes' states, the armed timers, the multiset of messages in
 * flight and the spec's values, and one step is one whole handler call. So the model is one process whose every step
 * is a d_step (no intermediate states, and no program counter that differs between states), the network is a count
 * per (sender, receiver, message) with the message's fields stored beside its count (zeroed when the count is 0), and
 * scratch variables are hidden (not in the state vector). Compile it with spin -a -o2: 'decided' is written and never
 * read, and spin otherwise leaves such write-only variables out of the state vector, which merges states the toolkit
 * keeps apart (its proposer state holds the decision) — equal counts with one ballot, 38,746,330 rather than 39,252,458
 * with -DBALLOTS=2 -DBALLOTS1=1 -DCLEAR. Proposer p's own value is p + 1 and its ballot in round r
 * (0-based) is 2r + p + 1; 0 means "none" throughout. A proposer's timer is armed exactly while it has rounds left.
 */

#ifndef BALLOTS
#define BALLOTS 1
#endif
#if BALLOTS < 1 || BALLOTS > 3
#error BALLOTS must be 1..3
#endif
#ifndef BALLOTS1
#define BALLOTS1 BALLOTS
#endif
#if BALLOTS1 < 1 || BALLOTS1 > BALLOTS
#error BALLOTS1 must be 1..BALLOTS
#endif

#ifdef BUG_MINORITY_QUORUM
#define QUORUM 1
#else
#define QUORUM 2
#endif

#define IDLE      0
#define PREPARING 1
#define ACCEPTING 2
#define DECIDED   3

/* One slot per (proposer p, acceptor a, round r): the messages between them in that round. */
#define SLOTS (2 * 3 * BALLOTS)
#define I(p, a, r) (((p) * 3 + (a)) * BALLOTS + (r))
#define BALLOT(p, r) (2 * (r) + (p) + 1)
#define COUNT(bits) (((bits) & 1) + (((bits) >> 1) & 1) + (((bits) >> 2) & 1))

/* Proposers (ProposerState) */
byte round[2];      /* rounds started */
byte phase[2];
byte promises[2];   /* a bit per acceptor that promised in the current round */
byte highB[2];      /* highest accepted ballot reported in those promises, and its value */
byte highV[2];
byte proposal[2];   /* the value asked to be accepted */
byte acks[2];       /* a bit per acceptor that accepted it */
byte decided[2];

/* Acceptors (AcceptorState) */
byte promised[3];
byte accB[3];
byte accV[3];

/* The network: how many of each message are in flight, and its fields. */
byte prepareN[SLOTS];                                   /* Prepare(BALLOT(p, r)), p -> a */
byte promiseN[SLOTS]; byte promiseB[SLOTS]; byte promiseV[SLOTS]; /* Promise(BALLOT(p, r), accB, accV), a -> p */
byte acceptN[SLOTS];  byte acceptV[SLOTS];              /* Accept(BALLOT(p, r), v), p -> a */
byte acceptedN[SLOTS]; byte acceptedV[SLOTS];           /* Accepted(BALLOT(p, r), v), a -> p */

/* The spec (AgreementSpec): the first value decided. */
byte chosen;

hidden byte b, v;

inline StartRound(p) {
	round[p]++;
	prepareN[I(p, 0, round[p] - 1)]++;
	prepareN[I(p, 1, round[p] - 1)]++;
	prepareN[I(p, 2, round[p] - 1)]++;
	phase[p] = PREPARING; promises[p] = 0; highB[p] = 0; highV[p] = 0; proposal[p] = 0; acks[p] = 0
}

inline OnPrepare(p, a, r) {
	prepareN[I(p, a, r)]--;
	if
	:: BALLOT(p, r) > promised[a] ->
		promiseN[I(p, a, r)]++; promiseB[I(p, a, r)] = accB[a]; promiseV[I(p, a, r)] = accV[a];
		promised[a] = BALLOT(p, r)
	:: else -> skip
	fi
}

inline OnAccept(p, a, r) {
	v = acceptV[I(p, a, r)];
	acceptN[I(p, a, r)]--;
	if :: acceptN[I(p, a, r)] == 0 -> acceptV[I(p, a, r)] = 0 :: else -> skip fi;
	if
	:: BALLOT(p, r) >= promised[a] ->
		promised[a] = BALLOT(p, r); accB[a] = BALLOT(p, r); accV[a] = v;
		acceptedN[I(p, a, r)]++; acceptedV[I(p, a, r)] = v
	:: else -> skip
	fi;
	v = 0
}

inline OnPromise(p, a, r) {
	b = promiseB[I(p, a, r)]; v = promiseV[I(p, a, r)];
	promiseN[I(p, a, r)]--;
	if :: promiseN[I(p, a, r)] == 0 -> promiseB[I(p, a, r)] = 0; promiseV[I(p, a, r)] = 0 :: else -> skip fi;
	if
	:: phase[p] == PREPARING && round[p] - 1 == r ->
		promises[p] = promises[p] | (1 << a);
		if :: b > highB[p] -> highB[p] = b; highV[p] = v :: else -> skip fi;
		if
		:: COUNT(promises[p]) >= QUORUM ->
			/* a quorum promised: propose the value of the highest ballot they accepted, else its own */
			proposal[p] = (highB[p] > 0 -> highV[p] : p + 1);
			acceptN[I(p, 0, r)]++; acceptV[I(p, 0, r)] = proposal[p];
			acceptN[I(p, 1, r)]++; acceptV[I(p, 1, r)] = proposal[p];
			acceptN[I(p, 2, r)]++; acceptV[I(p, 2, r)] = proposal[p];
			phase[p] = ACCEPTING
#ifdef CLEAR
			; promises[p] = 0; highB[p] = 0; highV[p] = 0
#endif
		:: else -> skip
		fi
	:: else -> skip
	fi;
	b = 0; v = 0
}

inline OnAccepted(p, a, r) {
	v = acceptedV[I(p, a, r)];
	acceptedN[I(p, a, r)]--;
	if :: acceptedN[I(p, a, r)] == 0 -> acceptedV[I(p, a, r)] = 0 :: else -> skip fi;
	if
	:: phase[p] == ACCEPTING && round[p] - 1 == r ->
		acks[p] = acks[p] | (1 << a);
		if
		:: COUNT(acks[p]) >= QUORUM ->
			assert(chosen == 0 || chosen == v);   /* agreement */
			if :: chosen == 0 -> chosen = v :: else -> skip fi;
			phase[p] = DECIDED; decided[p] = v
#ifdef CLEAR
			; proposal[p] = 0; acks[p] = 0
#endif
		:: else -> skip
		fi
	:: else -> skip
	fi;
	v = 0
}

#ifdef LOSS
#define LOSS_OPTIONS(p, a, r) \
	:: d_step { prepareN[I(p, a, r)] > 0 -> prepareN[I(p, a, r)]-- } \
	:: d_step { promiseN[I(p, a, r)] > 0 -> promiseN[I(p, a, r)]--; \
		if :: promiseN[I(p, a, r)] == 0 -> promiseB[I(p, a, r)] = 0; promiseV[I(p, a, r)] = 0 :: else -> skip fi } \
	:: d_step { acceptN[I(p, a, r)] > 0 -> acceptN[I(p, a, r)]--; \
		if :: acceptN[I(p, a, r)] == 0 -> acceptV[I(p, a, r)] = 0 :: else -> skip fi } \
	:: d_step { acceptedN[I(p, a, r)] > 0 -> acceptedN[I(p, a, r)]--; \
		if :: acceptedN[I(p, a, r)] == 0 -> acceptedV[I(p, a, r)] = 0 :: else -> skip fi }
#else
#define LOSS_OPTIONS(p, a, r)
#endif

/* Every step between proposer p and acceptor a in round r: a delivery of each message kind, and its loss. */
#define SLOT_OPTIONS(p, a, r) \
	:: d_step { prepareN[I(p, a, r)] > 0 -> OnPrepare(p, a, r) } \
	:: d_step { promiseN[I(p, a, r)] > 0 -> OnPromise(p, a, r) } \
	:: d_step { acceptN[I(p, a, r)] > 0 -> OnAccept(p, a, r) } \
	:: d_step { acceptedN[I(p, a, r)] > 0 -> OnAccepted(p, a, r) } \
	LOSS_OPTIONS(p, a, r)

#define ROUND_OPTIONS(r) \
	SLOT_OPTIONS(0, 0, r) SLOT_OPTIONS(0, 1, r) SLOT_OPTIONS(0, 2, r) \
	SLOT_OPTIONS(1, 0, r) SLOT_OPTIONS(1, 1, r) SLOT_OPTIONS(1, 2, r)

active proctype paxos()
{
end:
	do
	:: d_step { round[0] < BALLOTS -> StartRound(0) }   /* proposer 0's timer */
	:: d_step { round[1] < BALLOTS1 -> StartRound(1) }
	ROUND_OPTIONS(0)
#if BALLOTS >= 2
	ROUND_OPTIONS(1)
#endif
#if BALLOTS >= 3
	ROUND_OPTIONS(2)
#endif
	od
}
