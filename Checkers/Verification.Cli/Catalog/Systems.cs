using Verification.Checkers.Systematic;
using Verification.Protocols;
using Verification.Runtime;
using Verification.Specs;

namespace Verification.Cli.Catalog;

/// <summary>The shipped systems by name, so a saved schedule can be replayed from the command line.</summary>
internal static class Systems
{
    public static readonly string[] Names = ["PingPipelined", "PingStopAndWait", "LockLostRelease", "LockWithRetransmit", "Paxos[<bugs>]", "MultiPaxos[bugs=…;replicas=…;…]", "Raft[bugs=…;servers=…;…]"];

    public static ReplayResult Replay(Schedule schedule) => schedule.Protocol switch
    {
        "PingPipelined" => Replay(PingNode.System(pipelined: true), schedule),
        "PingStopAndWait" => Replay(PingNode.System(pipelined: false), schedule),
        "LockLostRelease" => Replay(LockNode.System(retransmitRelease: false), schedule),
        "LockWithRetransmit" => Replay(LockNode.System(retransmitRelease: true), schedule),
        var name when MultiPaxosConfig.FromSystemName(name) is { } multiPaxos => Replay(MultiPaxosNode.System(multiPaxos), schedule),
        var name when RaftConfig.FromSystemName(name) is { } raft => Replay(RaftNode.System(raft), schedule),
        var name when name.StartsWith("Paxos[", StringComparison.Ordinal) && name.EndsWith(']') =>
            Replay(PaxosNode.System(new PaxosConfig(Bugs: ParseBugs(name["Paxos[".Length..^1]))), schedule),
        var name => throw new SpecException($"the schedule is for '{name}', which is not a shipped system ({string.Join(", ", Names)})"),
    };

    private static PaxosBug ParseBugs(string text) =>
        Enum.TryParse<PaxosBug>(text, out var bugs) ? bugs : throw new SpecException($"'{text}' is not a set of Paxos bugs ({string.Join(", ", Enum.GetNames<PaxosBug>())})");

    private static ReplayResult Replay<TState, TMessage, TSpecEvent>(Protocol<TState, TMessage, TSpecEvent> system, Schedule schedule)
        where TState : class where TMessage : notnull where TSpecEvent : class =>
        new SystematicTester<TState, TMessage, TSpecEvent>(system).Replay(schedule);
}
