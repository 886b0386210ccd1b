using Verification.Runtime;
using Verification.Specs;
using Verification.Specs.Replication;

namespace Verification.Protocols.Raft;

/// <summary>
/// Raft refines the replicated log: a client's submission, a commit of log index i, a server applying index i and the
/// clients' calls and returns are the log's events at slot i − 1; elections, writes and truncations are invisible to
/// it. The state mapping relates the two specs' records of commits, applies and executions.
/// </summary>
public static class RaftRefinement
{
    /// <summary>The spec "Raft refines ReplicatedLog" for the bounds of <see cref="RaftSpec.Create"/>.</summary>
    /// <param name="assumeRaftSpec">For the proof that RaftSpec implies the replicated log: RaftSpec's properties are assumed (see <see cref="RefinementBuilder{TConcrete, TAbstract}.AssumingConcreteProperties"/>).</param>
    public static Spec<RaftEvent> RefinesReplicatedLog(int servers, int logLength, int terms, int commands, bool assumeRaftSpec = false)
    {
        var raft = RaftSpec.Create(servers, logLength, terms, commands);
        var log = ReplicatedLogSpec.Create(slots: logLength, commands, replicas: servers);
        var refinement = Refinement.Of(raft, log).MapEvents(e => e
            .When((CommandSubmitted s) => (LogEvent?)new Submitted(s.Client, s.Command))
            .When((EntryCommitted c) => new Committed(c.Server, c.Index - 1, c.Command))
            .When((EntryApplied a) => new Applied(a.Server, a.Index - 1, a.Command, a.Executed))
            .When((ClientCalled c) => new StoreCalled(c.Client, c.Command, c.Operation, c.Key, c.Value, c.Expected))
            .When((ClientReturned r) => new StoreReturned(r.Client, r.Command, r.Output))
            .Else(null));
        if (assumeRaftSpec) refinement.AssumingConcreteProperties();
        return refinement
            .MapState(log.Variable<Family<int>>("committedCommand"), slot => raft.Variable<Family<int>>("committedCommand").Now(slot))
            .MapState(log.Variable<Family<int>>("appliedCount"), server => raft.Variable<Family<int>>("appliedCount").Now(server))
            .MapState(log.Variable<Family<bool>>("executed"), i => raft.Variable<Family<bool>>("executed").Now(i))
            .MapState(log.Variable<Family<bool>>("submitted"), c => raft.Variable<Family<bool>>("submitted").Now(c))
            .MapState(log.Variable<Family<bool>>("returned"), c => raft.Variable<Family<bool>>("returned").Now(c))
            .Build(assumeRaftSpec ? "RaftSpecImpliesReplicatedLog" : null);
    }

    /// <summary>
    /// How the servers realise the replicated log's state: slot s is committed to the command at index s + 1 of any
    /// server whose commit index passes it, and server r has applied as many slots as its applied index. A server that
    /// is down is read from what it persisted.
    /// </summary>
    public static StateMapping<RaftNodeState, RaftDurable> ServersToLog(Spec<RaftEvent> refinement, RaftConfig config)
    {
        RaftDurable? server(SystemView<RaftNodeState, RaftDurable> system, int r) => system.State(r) is RaftServerState up ? up.Durable : system.Persisted(r);
        return new StateMapping<RaftNodeState, RaftDurable>()
            .Maps(refinement.Variable<Family<int>>($"{ReplicatedLogSpec.Name}.committedCommand"), (system, slot) =>
                Enumerable.Range(0, config.Servers).Select(r => server(system, r)).FirstOrDefault(d => d is not null && d.CommitIndex > slot) is { } knows
                    ? knows.Log[slot].Command : ReplicatedLogSpec.None)
            .Maps(refinement.Variable<Family<int>>($"{ReplicatedLogSpec.Name}.appliedCount"), (system, r) => server(system, r)?.Applied ?? 0);
    }
}
