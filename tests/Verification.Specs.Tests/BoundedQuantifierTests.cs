using Verification.Specs.Consensus;
using Verification.Specs.Examples;

namespace Verification.Specs.Tests;

/// <summary>Bounded.Any/All/Count inside equations: expanded when the spec is built, with the meaning of the loop.</summary>
public class BoundedQuantifierTests
{
    /// <summary>waiting[p] for 4 processes (set by SetPriority, cleared by Dispatch), with "some", "every" and "how many" waiting as variables.</summary>
    private static (Spec<SchedulerEvent> Spec, int Processes) Waiting()
    {
        const int processes = 4;
        var spec = new SpecBuilder<SchedulerEvent>("Waiting");
        var waiting = spec.Family<bool>("waiting", processes, p => $"p{p}");
        var some = spec.Variable<bool>("someWaiting");
        var every = spec.Variable<bool>("allWaiting");
        var count = spec.Variable<int>("howManyWaiting");
        spec.Define(waiting, p => false, (e, p) => e is SetPriority && ((SetPriority)e).Process == p ? true
            : e is Dispatch && ((Dispatch)e).Process == p ? false : waiting.Now(p));
        spec.Define(some, false, e => Bounded.Any(processes, p => waiting.Next(p)));
        spec.Define(every, false, e => Bounded.All(processes, p => waiting.Next(p)));
        spec.Define(count, 0, e => Bounded.Count(processes, p => waiting.Next(p)));
        spec.Invariant("CountMatches", () => (count.Now > 0) == some.Now && (count.Now == processes) == every.Now);
        return (spec.Build(), processes);
    }

    [Fact]
    public void Quantifiers_HaveTheMeaningOfTheLoop()
    {
        var (spec, processes) = Waiting();
        var random = new Random(7);
        var evaluator = spec.NewEvaluator();
        var waiting = new bool[processes];
        for (var i = 0; i < 500; i++)
        {
            var p = random.Next(processes);
            SchedulerEvent e = random.Next(2) == 0 ? new SetPriority(p, 1) : new Dispatch(p);
            waiting[p] = e is SetPriority;
            evaluator.Step(e);
            var values = evaluator.Snapshot().ToDictionary(v => v.Name, v => v.Value);
            Assert.Equal(waiting.Any(w => w), values["someWaiting"]);
            Assert.Equal(waiting.All(w => w), values["allWaiting"]);
            Assert.Equal(waiting.Count(w => w), values["howManyWaiting"]);
            Assert.Equal(waiting[2], values["waiting[p2]"]);
        }
        Assert.Null(History.Check(spec, []).Violation);
    }

    [Fact]
    public void Quantifiers_ArePrintedAsWritten_AndExpandedWithClosedPartsFoldedForEvaluation()
    {
        var quorums = QuorumSystem.Majority(3);
        var spec = new SpecBuilder<SchedulerEvent>("Quorum");
        var up = spec.Family<bool>("up", 3);
        spec.Define(up, p => true, (e, p) => e is Dispatch && ((Dispatch)e).Process == p ? false : up.Now(p));
        spec.Invariant("SomeQuorumUp", () => Bounded.Any(quorums.MinimalQuorums.Count, q => Bounded.All(3, a => !quorums.IsMember(q, a) || up.Now(a))));
        var built = spec.Build();
        Assert.Contains("invariant SomeQuorumUp: ∃q ∈ 0..2: ∀a ∈ 0..2: ¬IsMember(q, a) ∨ up_a", EquationPrinter.Print(built));
        // What back ends read: majorities of 3 are {0,1}, {0,2}, {1,2}; membership folded away, so only the members' reads remain.
        var staged = EquationPrinter.Print(built.Property("SomeQuorumUp").Body);
        Assert.Equal("up_0 ∧ up_1 ∨ up_0 ∧ up_2 ∨ up_1 ∧ up_2", staged);
        Assert.Null(History.Check(built, [new Dispatch(0)]).Violation);
        Assert.Equal("SomeQuorumUp", History.Check(built, [new Dispatch(0), new Dispatch(2)]).Violation!.Instance);
    }

    [Fact]
    public void NonConstantBound_IsRejectedWithTheVariableAndTheCall()
    {
        var spec = new SpecBuilder<SchedulerEvent>("Bad");
        var n = spec.Variable<int>("n");
        var error = Assert.Throws<SpecException>(() => spec.Define(n, 0, e => Bounded.Count(n.Now, i => i > 0)));
        Assert.Contains("variable 'n'", error.Message);
        Assert.Contains("must be a constant", error.Message);
    }

    [Fact]
    public void HugeBound_IsRejected()
    {
        var spec = new SpecBuilder<SchedulerEvent>("Bad");
        var n = spec.Variable<int>("n");
        var error = Assert.Throws<SpecException>(() => spec.Define(n, 0, e => Bounded.Count(1_000_000, i => i > 0)));
        Assert.Contains("0..4096", error.Message);
    }

    [Fact]
    public void QuorumSystems_EnumerateTheirMinimalQuorums()
    {
        Assert.Equal([0b011u, 0b101u, 0b110u], QuorumSystem.Majority(3).MinimalQuorums);
        Assert.Equal(10, QuorumSystem.Majority(5).MinimalQuorums.Count);
        Assert.Equal([0b0011u, 0b1100u], QuorumSystem.Explicit(4, [[0, 1], [2, 3], [0, 1, 2]]).MinimalQuorums);
    }

    [Fact]
    public void QuorumMembership_OfSomethingThatIsNotANode_IsAnError_NotAWrappedBit()
    {
        var majority = QuorumSystem.Majority(3);
        Assert.True(majority.IsQuorum([0, 2]));
        Assert.Contains("33 is not a node (0..2)", Assert.Throws<SpecException>(() => majority.IsQuorum([0, 33])).Message); // 1u << 33 was bit 1
        Assert.Throws<SpecException>(() => majority.IsQuorum([-1, 0]));
    }
}
