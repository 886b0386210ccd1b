using Verification.Checkers.Smt;
using Verification.Checkers.Systematic;
using Verification.Protocols.Raft;
using Verification.Specs;
using Verification.Specs.Replication;
using Xunit.Abstractions;

namespace Verification.Protocols.Tests.Raft;

/// <summary>Raft refines the replicated log: RaftSpec implies it (Z3), and the implementation refines it online with a state mapping.</summary>
public class RaftRefinementTests(ITestOutputHelper output)
{
    [Fact]
    public void RaftSpec_ImpliesTheReplicatedLog_ByInduction()
    {
        var spec = RaftRefinement.RefinesReplicatedLog(servers: 3, logLength: 2, terms: 2, commands: 2, assumeRaftSpec: true);
        var result = Prover.Prove(spec);
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Holds, result.Verdict);
        Assert.Contains("ReplicatedLog.AppliedInOrder", result.ToString());
    }

    [Fact]
    public void AMappingOffByOne_IsRefuted_WithTheConcreteStepAndTheAbstractObligation()
    {
        var raft = RaftSpec.Create(servers: 3, logLength: 2, terms: 2, commands: 2);
        var log = ReplicatedLogSpec.Create(slots: 2, commands: 2, replicas: 3);
        // Log indices are 1-based, slots 0-based: mapping index i to slot i skips slot 0.
        var wrong = Refinement.Of(raft, log).MapEvents(e => e
            .When((CommandSubmitted s) => (LogEvent?)new Submitted(s.Client, s.Command))
            .When((EntryCommitted c) => new Committed(c.Server, c.Index, c.Command))
            .When((EntryApplied a) => new Applied(a.Server, a.Index, a.Command, a.Executed))
            .Else(null)).AssumingConcreteProperties().Build();
        var result = Prover.BoundedCheck(wrong, depth: 3);
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Violated, result.Verdict);
        Assert.StartsWith("ReplicatedLog.", result.Counterexample!.Property);
        Assert.Contains("EntryCommitted(Server:", result.ToString());
    }

    [Fact]
    public void TheImplementation_RefinesTheLog_UnderTheFullFaultModel()
    {
        var system = RaftNode.System(new RaftConfig { RefinesReplicatedLog = true });
        var result = system.Tester(new TestOptions { Seed = 5, Iterations = 1500, MaxSteps = 300, CheckLiveness = false, Faults = FaultModel.Full(f: 1, losses: 3, duplicates: 2, partitions: 1) }).Run();
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Holds, result.Verdict);
        Assert.True(result.Coverage.Runs >= 1500);
    }
}
