using Verification.Checkers;
using Verification.Cli.Catalog;

namespace Verification.Cli.Tests;

/// <summary>The default check proves Raft and Multi-Paxos four ways each, and `verify prove` reaches their models.</summary>
public class ProtocolProofCatalogTests
{
    [Theory]
    [InlineData("Multi-Paxos", "MultiPaxosProtocol")]
    [InlineData("Raft", "RaftProtocol")]
    public void TheDefaultCheck_ProvesTheProtocol_AndShowsWhatANeededInvariantIsFor(string protocol, string model)
    {
        var proofs = CheckCatalog.Default().Where(c => c.Kind == CheckKind.Proof && c.Name.StartsWith(protocol + ",", StringComparison.Ordinal)
            || c.Name.StartsWith(protocol + " for every N", StringComparison.Ordinal)).ToList();
        // Finite and for every N, each holding and each not inductive without the invariant it needs.
        Assert.Equal(4, proofs.Count);
        Assert.Equal(2, proofs.Count(c => c.Expected == Expectation.Holds));
        Assert.Equal(2, proofs.Count(c => c.Expected == Expectation.NotInductive));
        Assert.Equal(2, proofs.Count(c => c.Target is RelationalInduction));
        Assert.All(proofs.Where(c => c.Target is InductionOf), c => Assert.Equal(model, ((InductionOf)c.Target).Spec.Name));
        // Its random histories cross-check the model's three uses.
        Assert.Contains(CheckCatalog.Default(), c => c.Name == $"{model}: random histories, three uses agree" && c.Expected == Expectation.Holds);
    }

    [Fact]
    public void TheMultiPaxosProofs_HaveTheirExpectedVerdicts()
    {
        foreach (var check in CheckCatalog.Default().Where(c => c.Name.StartsWith("Multi-Paxos,", StringComparison.Ordinal) || c.Name.StartsWith("Multi-Paxos for every N", StringComparison.Ordinal)))
        {
            var result = CheckCatalog.Run(check, seed: 1);
            Assert.True(result.Verdict == check.Expected.Verdict && result.Why == check.Expected.Why, $"{check.Name}: {result.Summary}");
        }
    }

    [Fact]
    public void TheQuorumAndFlexiblePaxosChecks_HaveTheirExpectedVerdicts()
    {
        var checks = CheckCatalog.Default().Where(c => c.Name.StartsWith("Quorums:", StringComparison.Ordinal) || c.Name.StartsWith("Flexible Paxos", StringComparison.Ordinal)).ToList();
        // Majority, weighted, grid and Flexible Paxos, each sound and each mistaken; the flexible spec proved and its mutation not inductive.
        Assert.Equal(10, checks.Count);
        foreach (var check in checks)
        {
            var result = CheckCatalog.Run(check, seed: 1);
            Assert.True(check.Expected.Matches(result), $"{check.Name}: expected {check.Expected}, {result.Summary}");
            Assert.False(result.Coverage.IsEmpty);
        }
    }

    [Fact]
    public void Prove_NamesTheProtocolModels()
    {
        var output = new StringWriter();
        var exit = Program.Run(["prove", "MultiPaxosParametric"], output, new StringWriter());
        Assert.Equal(0, exit);
        Assert.Contains("MultiPaxosParametric: ", output.ToString());
        Assert.Contains("holds", output.ToString());

        var list = new StringWriter();
        Program.Run(["list"], list, new StringWriter());
        Assert.Contains("model  RaftParametric", list.ToString());
        Assert.Contains("spec   RaftProtocol", list.ToString());
        Assert.Contains("model  FlexiblePaxosParametric", list.ToString());
    }
}
