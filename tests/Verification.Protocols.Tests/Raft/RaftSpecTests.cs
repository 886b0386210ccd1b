using Verification.Protocols.Raft;
using Verification.Specs;

namespace Verification.Protocols.Tests.Raft;

/// <summary>The Raft spec on hand-written histories: each property rejects its violation, and liveness owes what it should.</summary>
public class RaftSpecTests
{
    private static readonly Spec<RaftEvent> Spec = RaftSpec.Create(servers: 3, logLength: 3, terms: 3, commands: 2);

    /// <summary>Leader s0 of term 1 stores command 0 at index 1, replicates it to s1 and commits it; both apply it.</summary>
    private static readonly RaftEvent[] Committed =
    [
        new BecameLeader(0, 1), new CommandSubmitted(0, 0), new ClientCalled(0, 0, "put", "x", "a", ""),
        new EntryStored(0, 1, 1, 0), new EntryStored(1, 1, 1, 0), new EntryCommitted(0, 1, 1, 0, 1),
        new EntryApplied(0, 1, 0, true), new EntryCommitted(1, 1, 1, 0, 1), new EntryApplied(1, 1, 0, true),
    ];

    [Fact]
    public void ACommittedAndAppliedEntry_BreaksNoSafetyProperty()
    {
        var result = History.Check(Spec, Committed);
        Assert.Null(result.Violation);
    }

    [Theory]
    [InlineData("ElectionSafety")]
    [InlineData("LeaderAppendOnly")]
    [InlineData("LogMatching")]
    [InlineData("LeaderCompleteness")]
    [InlineData("StateMachineSafety")]
    [InlineData("AppliedInOrder")]
    [InlineData("Validity")]
    [InlineData("ExecutedOnce")]
    public void EachSafetyProperty_RejectsItsViolation(string property)
    {
        RaftEvent[] bad = property switch
        {
            "ElectionSafety" => [new BecameLeader(2, 1)],
            "LeaderAppendOnly" => [new LogTruncated(0, 1)],
            // s2 holds a different command at index 1 in term 1, the term s0 and s1 hold there.
            "LogMatching" => [new EntryStored(2, 1, 1, 1)],
            // s2, whose log lacks the entry committed in term 1, leads term 2.
            "LeaderCompleteness" => [new SteppedDown(0, 1), new BecameLeader(2, 2)],
            "StateMachineSafety" => [new EntryCommitted(2, 1, 2, 1, 2)],
            // Index 2 is committed, but s2 has not applied index 1.
            "AppliedInOrder" => [new CommandSubmitted(1, 1), new EntryStored(0, 2, 1, 1), new EntryCommitted(0, 2, 1, 1, 1), new EntryApplied(2, 2, 1, true)],
            // Command 1 was never submitted by a client.
            "Validity" => [new EntryStored(0, 2, 1, 1), new EntryCommitted(0, 2, 1, 1, 1)],
            _ => [new EntryStored(0, 2, 1, 0), new EntryCommitted(0, 2, 1, 0, 1), new EntryApplied(0, 2, 0, true)],
        };
        var violation = History.Check(Spec, [.. Committed, .. bad]).Violation;
        Assert.Equal(property, violation?.Instance);
        Assert.Equal(Committed.Length + bad.Length, violation!.PrefixLength);
    }

    [Fact]
    public void Liveness_OwesTheAnswer_AndTheCommittedPrefixOnEveryNonFaultyServer()
    {
        var monitor = new Monitor<RaftEvent>(Spec);
        foreach (var e in Committed) Assert.True(monitor.Append(e));
        // s2 has not applied index 1 and the client has no answer yet.
        Assert.Equal(["EveryRequestCompletes", "EveryServerAppliesTheCommittedPrefix"], Hot(monitor));
        monitor.Append(new ClientReturned(0, 0, ""));
        Assert.Equal(["EveryServerAppliesTheCommittedPrefix"], Hot(monitor));
        // A crash-stopped server is faulty: Agreement no longer waits for it (an amnesia crash would not excuse it).
        monitor.Append(new ServerCrashed(2, Permanently: false));
        Assert.Equal(["EveryServerAppliesTheCommittedPrefix"], Hot(monitor));
        monitor.Append(new ServerCrashed(2, Permanently: true));
        Assert.Empty(Hot(monitor));
        // The leader crashing leaves the system owing a leader.
        monitor.Append(new ServerCrashed(0, Permanently: false));
        Assert.Equal(["SomeLeader"], Hot(monitor));
    }

    [Fact]
    public void AStoppedClient_IsOwedNoAnswer()
    {
        var monitor = new Monitor<RaftEvent>(Spec);
        foreach (var e in new RaftEvent[] { new BecameLeader(0, 1), new CommandSubmitted(1, 1), new ClientCalled(1, 1, "get", "x", "", "") }) monitor.Append(e);
        Assert.Contains("EveryRequestCompletes", Hot(monitor));
        monitor.Append(new ClientStopped(0)); // another client
        Assert.Contains("EveryRequestCompletes", Hot(monitor));
        monitor.Append(new ClientStopped(1));
        Assert.DoesNotContain("EveryRequestCompletes", Hot(monitor));
    }

    private static List<string> Hot(Monitor<RaftEvent> monitor) =>
        monitor.HotProperties.Select(p => p.Name).ToList();
}
