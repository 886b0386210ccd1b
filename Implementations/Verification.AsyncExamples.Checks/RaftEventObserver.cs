using Verification.AsyncExamples.AsyncRaft;
using Verification.Controlled;
using Verification.Protocols.Raft;

namespace Verification.AsyncExamples.Checks;

/// <summary>The example's observer calls as <see cref="RaftEvent"/>s (the example's no-op command is the spec's).</summary>
public abstract class RaftEventObserver : IRaftObserver
{
    public void BecameLeader(int server, int term) => Observe(new BecameLeader(server, term));

    public void SteppedDown(int server, int term) => Observe(new SteppedDown(server, term));

    public void EntryStored(int server, int index, int term, int command) => Observe(new EntryStored(server, index, term, Command(command)));

    public void LogTruncated(int server, int fromIndex) => Observe(new LogTruncated(server, fromIndex));

    public void EntryCommitted(int server, int index, int term, int command, int inTerm) =>
        Observe(new EntryCommitted(server, index, term, Command(command), inTerm));

    public void EntryApplied(int server, int index, int command, bool executed) => Observe(new EntryApplied(server, index, Command(command), executed));

    public void CommandSubmitted(int client, int command) => Observe(new CommandSubmitted(client, command));

    public void ClientAnswered(int client, int command) => Observe(new ClientReturned(client, command, ""));

    private static int Command(int command) => command == RaftReplica.NoOp ? RaftSpec.NoOp : command;

    protected abstract void Observe(RaftEvent evt);
}

/// <summary>Under the controlled runtime: each event goes to the run's spec monitor (ControlledSpec.Observe), so a violation stops the run where it happens.</summary>
public sealed class ControlledRaftObserver : RaftEventObserver
{
    protected override void Observe(RaftEvent evt) => ControlledSpec.Observe(evt);
}
