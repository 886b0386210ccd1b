using Verification.Runtime;

namespace Verification.Protocols.PrimaryBackup;

// ---- Messages ----

/// <summary>What the client and the pair send each other.</summary>
public abstract record PairMessage;

/// <summary>Client → primary: the client's <see cref="Seq"/>-th input.</summary>
public sealed record Input(int Seq, int Value) : PairMessage;

/// <summary>Primary → backup: the bus's copy of an input, for the backup's log.</summary>
public sealed record LogInput(int Seq, int Value) : PairMessage;

/// <summary>Backup → primary: input <see cref="Seq"/> is in the backup's log.</summary>
public sealed record InputLogged(int Seq) : PairMessage;

/// <summary>Replica → client: the output for input <see cref="Seq"/>.</summary>
public sealed record Output(int Seq, int Value) : PairMessage;

/// <summary>Primary → backup: the bus's copy of an output the primary sent (the backup counts them; it needs no more).</summary>
public sealed record OutputCopy : PairMessage
{
    public static OutputCopy Instance { get; } = new();
}

/// <summary>Primary → backup: a checkpoint — the application state after <see cref="Applied"/> inputs, and the outputs sent by then.</summary>
public sealed record Sync(int Total, int Applied, int Sent) : PairMessage;

/// <summary>New primary → client: send your inputs here now.</summary>
public sealed record TakenOver : PairMessage
{
    public static TakenOver Instance { get; } = new();
}

/// <summary>The backup's one timer: it rolls forward once every message the crashed primary sent has arrived.</summary>
public enum PairTimer { RollForward }

// ---- States ----

/// <summary>A node's state: the client's, a primary's or the backup's.</summary>
public abstract record PairNodeState;

/// <summary>The client: how many of its inputs were answered (it sends the next once the last is), and where the primary is.</summary>
public sealed record ClientState(int Answered, int Primary) : PairNodeState;

/// <summary>
/// A primary: the application state (<see cref="Total"/> after <see cref="Applied"/> inputs), the outputs it sent,
/// and the input waiting for the backup to log it. <see cref="Alone"/>: a backup that took over, with no backup of its own.
/// </summary>
public sealed record PrimaryState(int Total, int Applied, int Sent, Input? Pending, bool Alone) : PairNodeState;

/// <summary>
/// The backup: the last checkpoint (application state after <see cref="CheckpointApplied"/> inputs, with
/// <see cref="CheckpointSent"/> outputs sent by then), the inputs logged since (<see cref="Log"/>, in order), and
/// <see cref="SentSinceCheckpoint"/>: how many outputs the primary sent beyond the checkpoint — the seed's count, which
/// suppresses that many replayed outputs. It goes below zero while a sync has overtaken the copies it covers.
/// </summary>
public sealed record BackupState(int CheckpointTotal, int CheckpointApplied, int CheckpointSent, ValueArray<int> Log, int SentSinceCheckpoint, bool PrimaryCrashed) : PairNodeState
{
    public int InputsHeld => CheckpointApplied + Log.Length;
}

/// <summary>The planted bugs of the message-logging pair.</summary>
public enum MessageLoggingBug
{
    None,

    /// <summary>The backup, rolling forward, re-sends every replayed output, including those the primary already sent.</summary>
    ResendsSentOutputs,

    /// <summary>A sync resets the backup's count of sent outputs to zero instead of subtracting the outputs the checkpoint covers: wrong whenever a copy and the sync cross.</summary>
    SyncDropsSentCount,

    /// <summary>The primary answers an input at once; the backup gets it only with the next checkpoint.</summary>
    RepliesBeforeBackupLogs,
}

/// <summary>
/// The Auragen pair (seed 000; Glazer et al., US patent 4,590,554): n0 is the primary, n1 its backup, n2 a reliable
/// client sending <c>inputs</c> inputs one at a time. The seed's bus delivers every message to the primary and the
/// backup all-or-nothing; here the primary passes each input to the backup's log and acts on it only once the
/// backup has logged it, and every output it sends is copied to the backup, which counts the copies. Every
/// <c>syncEvery</c> inputs the primary sends a checkpoint (its state and its sent count) and the backup drops the log
/// it covers. Told by the failure detector that the primary crashed, the backup waits out the longest message delay
/// (so every message the primary sent has arrived: synchronous timing), then rolls forward from the checkpoint,
/// replaying its log and discarding the first outputs as many as the primary is counted to have sent.
/// </summary>
public sealed class MessageLoggingNode(MessageLoggingConfig config) : INode<PairNodeState, PairMessage, PairTimer, NothingDurable>
{
    public const int PrimaryNode = 0, BackupNode = 1, ClientNode = 2;
    private static readonly NodeId Primary = new(PrimaryNode), Backup = new(BackupNode), Client = new(ClientNode);

    public PairNodeState Start(Effects<PairMessage, PairTimer, NothingDurable> effects)
    {
        switch (effects.Self.Index)
        {
            case PrimaryNode:
                return new PrimaryState(0, 0, 0, null, Alone: false);
            case BackupNode:
                return new BackupState(0, 0, 0, ValueArray<int>.Empty, 0, PrimaryCrashed: false);
            default:
                SendInput(1, PrimaryNode, effects, first: true);
                return new ClientState(0, PrimaryNode);
        }
    }

    public PairNodeState OnMessage(PairNodeState state, NodeId from, PairMessage message, Effects<PairMessage, PairTimer, NothingDurable> effects) =>
        (state, message) switch
        {
            (ClientState client, Output output) => ClientReceives(client, from, output, effects),
            (ClientState client, TakenOver) => ClientRedirects(client, from, effects),
            (PrimaryState primary, Input input) => PrimaryReceives(primary, input, effects),
            (PrimaryState primary, InputLogged logged) when primary.Pending is { } pending && pending.Seq == logged.Seq =>
                Apply(primary with { Pending = null }, pending, effects),
            (BackupState backup, LogInput log) => BackupLogs(backup, log, effects),
            (BackupState backup, OutputCopy) => backup with { SentSinceCheckpoint = backup.SentSinceCheckpoint + 1 },
            (BackupState backup, Sync sync) => BackupCheckpoints(backup, sync),
            _ => state, // a duplicate or stale message (a new primary ignores the old primary's stragglers)
        };

    public PairNodeState OnTimer(PairNodeState state, PairTimer timer, Effects<PairMessage, PairTimer, NothingDurable> effects) =>
        state is BackupState backup && timer == PairTimer.RollForward ? RollForward(backup, effects) : state;

    public PairNodeState OnDetector(PairNodeState state, DetectorReport report, Effects<PairMessage, PairTimer, NothingDurable> effects)
    {
        if (state is not BackupState { PrimaryCrashed: false } backup || report is not Suspect { Node.Index: PrimaryNode }) return state;
        // Under synchronous timing a message takes at most MaxMessageDelay ticks: after that, every copy and log entry
        // the primary sent before crashing is here, so the count is exact.
        effects.SetTimer(PairTimer.RollForward, config.MaxMessageDelay + 1);
        return backup with { PrimaryCrashed = true };
    }

    public PairNodeState OnRecover(NothingDurable? durable, Effects<PairMessage, PairTimer, NothingDurable> effects) => Start(effects);

    private static void SendInput(int seq, int to, Effects<PairMessage, PairTimer, NothingDurable> effects, bool first)
    {
        if (first) effects.Observe(new InputSent(seq, Application.InputValue(seq)));
        effects.Send(new NodeId(to), new Input(seq, Application.InputValue(seq)));
    }

    private PairNodeState ClientReceives(ClientState client, NodeId from, Output output, Effects<PairMessage, PairTimer, NothingDurable> effects)
    {
        if (output.Seq != client.Answered + 1) return client; // a duplicate: the spec has seen it sent
        effects.Observe(new InputAcknowledged(from.Index, output.Seq));
        if (output.Seq < config.Inputs) SendInput(output.Seq + 1, client.Primary, effects, first: true);
        return client with { Answered = output.Seq };
    }

    private PairNodeState ClientRedirects(ClientState client, NodeId from, Effects<PairMessage, PairTimer, NothingDurable> effects)
    {
        // The unanswered input may have died with the old primary: send it again (the new primary ignores it if it has it).
        if (client.Answered < config.Inputs) SendInput(client.Answered + 1, from.Index, effects, first: false);
        return client with { Primary = from.Index };
    }

    private PairNodeState PrimaryReceives(PrimaryState primary, Input input, Effects<PairMessage, PairTimer, NothingDurable> effects)
    {
        if (input.Seq != primary.Applied + 1 || primary.Pending is not null) return primary; // already applied, or already waiting for the log
        if (primary.Alone || config.Bug == MessageLoggingBug.RepliesBeforeBackupLogs) return Apply(primary, input, effects);
        effects.Send(Backup, new LogInput(input.Seq, input.Value));
        return primary with { Pending = input };
    }

    /// <summary>Runs the application on the input, sends its output (and the bus's copy), and checkpoints every syncEvery inputs.</summary>
    private PairNodeState Apply(PrimaryState primary, Input input, Effects<PairMessage, PairTimer, NothingDurable> effects)
    {
        var total = Application.Step(primary.Total, input.Value);
        var next = primary with { Total = total, Applied = primary.Applied + 1, Sent = primary.Sent + 1 };
        effects.Observe(new OutputSent(effects.Self.Index, input.Seq, total));
        effects.Send(Client, new Output(input.Seq, total));
        if (next.Alone) return next;
        effects.Send(Backup, OutputCopy.Instance);
        if (next.Applied % config.SyncEvery == 0) effects.Send(Backup, new Sync(next.Total, next.Applied, next.Sent));
        return next;
    }

    private static PairNodeState BackupLogs(BackupState backup, LogInput log, Effects<PairMessage, PairTimer, NothingDurable> effects)
    {
        var next = log.Seq == backup.InputsHeld + 1 ? backup with { Log = backup.Log.Append(log.Value) } : backup;
        if (log.Seq <= next.InputsHeld) effects.Send(Primary, new InputLogged(log.Seq));
        return next;
    }

    private PairNodeState BackupCheckpoints(BackupState backup, Sync sync)
    {
        if (sync.Applied <= backup.CheckpointApplied) return backup; // an older checkpoint overtaken by a newer one
        var covered = Math.Min(sync.Applied - backup.CheckpointApplied, backup.Log.Length);
        var count = config.Bug == MessageLoggingBug.SyncDropsSentCount ? 0 : backup.SentSinceCheckpoint - (sync.Sent - backup.CheckpointSent);
        return backup with
        {
            CheckpointTotal = sync.Total,
            CheckpointApplied = sync.Applied,
            CheckpointSent = sync.Sent,
            Log = ValueArray<int>.From(backup.Log.AsEnumerable().Skip(covered)),
            SentSinceCheckpoint = count,
        };
    }

    /// <summary>The seed's recovery: replay the logged inputs from the checkpoint; while the count is above zero, decrement it and discard the output.</summary>
    private PairNodeState RollForward(BackupState backup, Effects<PairMessage, PairTimer, NothingDurable> effects)
    {
        effects.Observe(new TookOver(effects.Self.Index, backup.InputsHeld, backup.CheckpointSent + backup.SentSinceCheckpoint));
        var total = backup.CheckpointTotal;
        var toSuppress = backup.SentSinceCheckpoint;
        for (var i = 0; i < backup.Log.Length; i++)
        {
            total = Application.Step(total, backup.Log[i]);
            var seq = backup.CheckpointApplied + i + 1;
            if (toSuppress > 0 && config.Bug != MessageLoggingBug.ResendsSentOutputs)
            {
                toSuppress--;
                continue;
            }
            effects.Observe(new OutputSent(effects.Self.Index, seq, total));
            effects.Send(Client, new Output(seq, total));
        }
        effects.Send(Client, TakenOver.Instance);
        return new PrimaryState(total, backup.InputsHeld, backup.CheckpointSent + backup.SentSinceCheckpoint, null, Alone: true);
    }
}
