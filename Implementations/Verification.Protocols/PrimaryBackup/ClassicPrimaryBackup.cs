using Verification.Runtime;
using Verification.Specs;

namespace Verification.Protocols.PrimaryBackup;

// ---- Messages ----

/// <summary>What the client, the primary and the backup of the classic scheme send each other.</summary>
public abstract record PbMessage;

/// <summary>Client → primary: the client's <see cref="Seq"/>-th update, adding <see cref="Value"/> to the register.</summary>
public sealed record Update(int Seq, int Value) : PbMessage;

/// <summary>Primary → backup: apply update <see cref="Seq"/> too.</summary>
public sealed record Forward(int Seq, int Value) : PbMessage;

/// <summary>Backup → primary: update <see cref="Seq"/> is applied here.</summary>
public sealed record ForwardAck(int Seq) : PbMessage;

/// <summary>Primary → client: update <see cref="Seq"/> is done; the register is <see cref="Total"/>.</summary>
public sealed record Reply(int Seq, int Total) : PbMessage;

/// <summary>New primary → client: send your updates here now.</summary>
public sealed record NewPrimary : PbMessage
{
    public static NewPrimary Instance { get; } = new();
}

// ---- States ----

/// <summary>A node's state in the classic scheme.</summary>
public abstract record PbNodeState;

/// <summary>The client: how many updates were answered, and where the primary is.</summary>
public sealed record PbClientState(int Answered, int Primary) : PbNodeState;

/// <summary>A primary: the register after <see cref="Applied"/> updates; <see cref="Alone"/> once a backup has taken over (no backup to wait for).</summary>
public sealed record PbPrimaryState(int Total, int Applied, bool Alone) : PbNodeState;

/// <summary>The backup: the register after the <see cref="Applied"/> updates forwarded to it.</summary>
public sealed record PbBackupState(int Total, int Applied) : PbNodeState;

// ---- Spec ----

/// <summary>What the classic pair and its client do that the spec sees.</summary>
public abstract record PbEvent;

/// <summary>The client sends its <see cref="Seq"/>-th update (the first time).</summary>
public sealed record UpdateSent(int Seq, int Value) : PbEvent;

/// <summary>A server replies to update <see cref="Seq"/> with the register's value <see cref="Total"/>.</summary>
public sealed record Replied(int Node, int Seq, int Total) : PbEvent;

/// <summary>The client receives the reply to its <see cref="Seq"/>-th update, from <see cref="Node"/>: the update is acknowledged.</summary>
public sealed record UpdateAcknowledged(int Node, int Seq) : PbEvent;

/// <summary>The backup takes over with <see cref="Applied"/> updates applied.</summary>
public sealed record BackupTookOver(int Node, int Applied) : PbEvent;

/// <summary>
/// The classic primary-backup register (seed 002's notes: the primary streams each update to the backup and replies
/// once the backup has it; on the primary's crash the backup takes over): no update the primary acknowledged is
/// missing from what the backup takes over with; every reply is the register after exactly the client's updates up
/// to it; and every update is eventually answered.
/// </summary>
public static class ClassicPrimaryBackupSpec
{
    public const string Name = "ClassicPrimaryBackup";

    public const string NoAcknowledgedUpdateLost = "NoAcknowledgedUpdateLost";

    public const string RepliesReflectEveryUpdate = "RepliesReflectEveryUpdate";

    public const string EveryUpdateAnswered = "EveryUpdateAnswered";

    public static Spec<PbEvent> Create(int updates, int primary = 0)
    {
        if (updates < 1) throw new SpecException($"the classic primary-backup spec needs at least one update (got {updates})");
        var spec = new SpecBuilder<PbEvent>(Name);
        var sum = spec.Variable<int>("sum");
        var totals = spec.Sequence<int>("totals", bound: updates);
        var answered = spec.Variable<int>("answered");
        var ackedFromPrimary = spec.Variable<int>("ackedFromPrimary");
        var heldAtTakeover = spec.Variable<int>("heldAtTakeover");
        spec.Define(sum, initial: 0, next: e => e.When((UpdateSent u) => sum.Now + u.Value).Else(sum.Now));
        spec.Define(totals, e => e.When((UpdateSent u) => totals.Now.Append(sum.Now + u.Value)).Else(totals.Now));
        spec.Define(answered, initial: 0, next: e => e.When((UpdateAcknowledged a) => a.Seq > answered.Now ? a.Seq : answered.Now).Else(answered.Now));
        spec.Define(ackedFromPrimary, initial: 0, next: e => e.When((UpdateAcknowledged a) => a.Node == primary && a.Seq > ackedFromPrimary.Now ? a.Seq : ackedFromPrimary.Now).Else(ackedFromPrimary.Now));
        spec.Define(heldAtTakeover, initial: -1, next: e => e.When((BackupTookOver t) => t.Applied).Else(heldAtTakeover.Now));
        // An acknowledgement from the old primary may arrive after the takeover: an invariant, not a check at the takeover alone.
        spec.Invariant(NoAcknowledgedUpdateLost, () => heldAtTakeover.Now < 0 || ackedFromPrimary.Now <= heldAtTakeover.Now);
        spec.StepProperty(RepliesReflectEveryUpdate, e => e.IfIs((Replied r) => r.Seq >= 1 && r.Seq <= totals.Now.Length && r.Total == totals.Now.At(r.Seq - 1)));
        spec.Liveness(EveryUpdateAnswered, () => answered.Now < totals.Now.Length);
        return spec.Build();
    }
}

// ---- Nodes ----

/// <summary>
/// The classic primary-backup pair: n0 primary, n1 backup, n2 a reliable client sending <c>updates</c> updates one at a
/// time. The primary applies an update, forwards it to the backup and replies only when the backup acknowledges it.
/// Told by the failure detector that the primary crashed, the backup takes over at once: it tells the client, which
/// sends its unanswered update again, and it ignores what the old primary still had in flight (a fence: the old
/// primary is no longer primary). The planted bug replies before the backup's acknowledgement.
/// </summary>
public sealed class ClassicPrimaryBackupNode(int updates, bool replyBeforeAck) : INode<PbNodeState, PbMessage, NoTimer, NothingDurable>
{
    public const int PrimaryNode = 0, BackupNode = 1, ClientNode = 2;
    private static readonly NodeId Backup = new(BackupNode), Client = new(ClientNode);

    public static int UpdateValue(int seq) => seq;

    public PbNodeState Start(Effects<PbMessage, NoTimer, NothingDurable> effects)
    {
        switch (effects.Self.Index)
        {
            case PrimaryNode:
                return new PbPrimaryState(0, 0, Alone: false);
            case BackupNode:
                return new PbBackupState(0, 0);
            default:
                SendUpdate(1, PrimaryNode, effects, first: true);
                return new PbClientState(0, PrimaryNode);
        }
    }

    public PbNodeState OnMessage(PbNodeState state, NodeId from, PbMessage message, Effects<PbMessage, NoTimer, NothingDurable> effects) =>
        (state, message) switch
        {
            (PbClientState client, Reply reply) => ClientReceives(client, from, reply, effects),
            (PbClientState client, NewPrimary) => ClientRedirects(client, from, effects),
            (PbPrimaryState primary, Update update) => PrimaryReceives(primary, update, effects),
            (PbPrimaryState { Alone: false } primary, ForwardAck ack) when ack.Seq == primary.Applied && !replyBeforeAck => SendReply(primary, effects),
            (PbBackupState backup, Forward forward) => BackupApplies(backup, forward, effects),
            _ => state, // duplicates, and the old primary's stragglers at a backup that took over
        };

    public PbNodeState OnTimer(PbNodeState state, NoTimer timer, Effects<PbMessage, NoTimer, NothingDurable> effects) => state;

    public PbNodeState OnDetector(PbNodeState state, DetectorReport report, Effects<PbMessage, NoTimer, NothingDurable> effects)
    {
        if (state is not PbBackupState backup || report is not Suspect { Node.Index: PrimaryNode }) return state;
        effects.Observe(new BackupTookOver(effects.Self.Index, backup.Applied));
        effects.Send(Client, NewPrimary.Instance);
        return new PbPrimaryState(backup.Total, backup.Applied, Alone: true);
    }

    public PbNodeState OnRecover(NothingDurable? durable, Effects<PbMessage, NoTimer, NothingDurable> effects) => Start(effects);

    private static void SendUpdate(int seq, int to, Effects<PbMessage, NoTimer, NothingDurable> effects, bool first)
    {
        if (first) effects.Observe(new UpdateSent(seq, UpdateValue(seq)));
        effects.Send(new NodeId(to), new Update(seq, UpdateValue(seq)));
    }

    private PbNodeState ClientReceives(PbClientState client, NodeId from, Reply reply, Effects<PbMessage, NoTimer, NothingDurable> effects)
    {
        if (reply.Seq != client.Answered + 1) return client; // a duplicate reply
        effects.Observe(new UpdateAcknowledged(from.Index, reply.Seq));
        if (reply.Seq < updates) SendUpdate(reply.Seq + 1, client.Primary, effects, first: true);
        return client with { Answered = reply.Seq };
    }

    private PbNodeState ClientRedirects(PbClientState client, NodeId from, Effects<PbMessage, NoTimer, NothingDurable> effects)
    {
        if (client.Answered < updates) SendUpdate(client.Answered + 1, from.Index, effects, first: false);
        return client with { Primary = from.Index };
    }

    private PbNodeState PrimaryReceives(PbPrimaryState primary, Update update, Effects<PbMessage, NoTimer, NothingDurable> effects)
    {
        // The new primary may already have the update (forwarded before the takeover): it answers it again.
        if (update.Seq == primary.Applied && primary.Alone) return SendReply(primary, effects);
        if (update.Seq != primary.Applied + 1) return primary;
        var next = primary with { Total = primary.Total + update.Value, Applied = update.Seq };
        if (next.Alone || replyBeforeAck) SendReply(next, effects);
        if (!next.Alone) effects.Send(Backup, new Forward(update.Seq, update.Value));
        return next;
    }

    private static PbPrimaryState SendReply(PbPrimaryState primary, Effects<PbMessage, NoTimer, NothingDurable> effects)
    {
        effects.Observe(new Replied(effects.Self.Index, primary.Applied, primary.Total));
        effects.Send(Client, new Reply(primary.Applied, primary.Total));
        return primary;
    }

    private static PbNodeState BackupApplies(PbBackupState backup, Forward forward, Effects<PbMessage, NoTimer, NothingDurable> effects)
    {
        var next = forward.Seq == backup.Applied + 1 ? backup with { Total = backup.Total + forward.Value, Applied = forward.Seq } : backup;
        if (forward.Seq <= next.Applied) effects.Send(new NodeId(PrimaryNode), new ForwardAck(forward.Seq));
        return next;
    }
}
