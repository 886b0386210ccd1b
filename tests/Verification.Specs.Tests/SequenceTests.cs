namespace Verification.Specs.Tests;

public abstract record ListEvent;

public sealed record Pushed(int Log, int Value) : ListEvent;

public sealed record Cut(int Log, int Length) : ListEvent;

/// <summary>Log <see cref="To"/> copies the entry of log <see cref="From"/> at its own next position.</summary>
public sealed record CopiedNext(int From, int To) : ListEvent;

/// <summary>Sequence variables: bounded, stored as lengths and slots, every operation the same in evaluation, by reference and as C#'s <see cref="Seq{T}"/>.</summary>
public class SequenceTests
{
    private const int Bound = 3;

    private sealed record Logs(
        Spec<ListEvent> Spec, SeqFamily<int> Sequences, Var<int> CountBig, Var<int> Last1, Var<bool> Prefix, Var<bool> Same,
        Var<bool> HasSeven, Var<int> At1, Var<bool> AllSmall, Var<bool> AnyBig);

    private static Logs Create()
    {
        var spec = new SpecBuilder<ListEvent>("Logs");
        var logs = spec.Sequences<int>("log", count: 2, bound: Bound);
        var countBig = spec.Variable<int>("countBig");
        var last1 = spec.Variable<int>("last1");
        var prefix = spec.Variable<bool>("prefix");
        var same = spec.Variable<bool>("same");
        var hasSeven = spec.Variable<bool>("hasSeven");
        var at1 = spec.Variable<int>("at1");
        var allSmall = spec.Variable<bool>("allSmall");
        var anyBig = spec.Variable<bool>("anyBig");
        spec.Define(logs, (e, s) => e
            .When((Pushed a) => a.Log == s ? logs.Now(s).Append(a.Value) : logs.Now(s))
            .When((Cut t) => t.Log == s ? logs.Now(s).Take(t.Length) : logs.Now(s))
            .When((CopiedNext c) => c.To == s ? logs.Now(s).Append(logs.Now(c.From).At(logs.Now(s).Length)) : logs.Now(s))
            .Else(logs.Now(s)));
        spec.Define(countBig, 0, e => logs.Next(0).Count(v => v > 5));
        spec.Define(last1, 0, e => logs.Next(1).Last);
        spec.Define(prefix, true, e => logs.Next(1).IsPrefixOf(logs.Next(0)));
        spec.Define(same, true, e => logs.Next(0) == logs.Next(1));
        spec.Define(hasSeven, false, e => logs.Next(0).Contains(7));
        spec.Define(at1, 0, e => logs.Next(0).At(1));
        spec.Define(allSmall, true, e => logs.Next(1).All(v => v < 9));
        spec.Define(anyBig, false, e => logs.Next(1).Any(v => v > 5));
        spec.Invariant("NotBothLong", () => logs.Now(0).Length + logs.Now(1).Length <= 2 * Bound);
        return new Logs(spec.Build(), logs, countBig, last1, prefix, same, hasSeven, at1, allSmall, anyBig);
    }

    private static ListEvent RandomEvent(Random random) => random.Next(3) switch
    {
        0 => new Pushed(random.Next(2), random.Next(4, 10)),
        1 => new Cut(random.Next(2), random.Next(-1, 4)),
        _ => new CopiedNext(random.Next(2), random.Next(2)),
    };

    private static Seq<int> Apply(Seq<int>[] model, int s, ListEvent e) => e switch
    {
        Pushed a when a.Log == s => model[s].Append(a.Value),
        Cut t when t.Log == s => model[s].Take(t.Length),
        CopiedNext c when c.To == s => model[s].Append(model[c.From].At(model[s].Length)),
        _ => model[s],
    };

    [Fact]
    public void EveryOperation_EvaluatesAsSeqDoes_CompiledAndByReference_UntilTheBoundIsPassed()
    {
        var logs = Create();
        var random = new Random(12);
        var overflows = 0;
        for (var run = 0; run < 400; run++)
        {
            var evaluator = logs.Spec.NewEvaluator();
            Seq<int>[] model = [Seq<int>.Empty, Seq<int>.Empty];
            var history = new List<ListEvent>();
            for (var step = 0; step < 12; step++)
            {
                var e = RandomEvent(random);
                history.Add(e);
                model = [Apply(model, 0, e), Apply(model, 1, e)];
                evaluator.Step(e);
                if (model.Any(m => m.Length > Bound))
                {
                    // Past the bound the stored sequence has lost a value: the check says so at this very event.
                    var result = History.Check(logs.Spec, history);
                    Assert.Equal(Verdict.Violated, result.Verdict);
                    Assert.StartsWith("logWithinBound", result.Violation!.Instance);
                    Assert.Equal(history.Count, result.Violation!.PrefixLength);
                    Assert.Equal(Verdict.Violated, ReferenceEvaluator.Check(logs.Spec, history).Verdict);
                    overflows++;
                    break;
                }
                Assert.Equal(model[0], evaluator.Value(logs.Sequences, 0));
                Assert.Equal(model[1], evaluator.Value(logs.Sequences, 1));
                Assert.Equal(model[0].Count(v => v > 5), evaluator.Value(logs.CountBig));
                Assert.Equal(model[1].Last, evaluator.Value(logs.Last1));
                Assert.Equal(model[1].IsPrefixOf(model[0]), evaluator.Value(logs.Prefix));
                Assert.Equal(model[0] == model[1], evaluator.Value(logs.Same));
                Assert.Equal(model[0].Contains(7), evaluator.Value(logs.HasSeven));
                Assert.Equal(model[0].At(1), evaluator.Value(logs.At1));
                Assert.Equal(model[1].All(v => v < 9), evaluator.Value(logs.AllSmall));
                Assert.Equal(model[1].Any(v => v > 5), evaluator.Value(logs.AnyBig));
            }
            if (!model.Any(m => m.Length > Bound))
            {
                Assert.Equal(Verdict.Holds, History.Check(logs.Spec, history).Verdict);
                var compiled = logs.Spec.NewEvaluator();
                foreach (var e in history) compiled.Step(e);
                Assert.Equal(ReferenceEvaluator.Evaluate(logs.Spec, history), compiled.Snapshot());
            }
        }
        Assert.InRange(overflows, 20, 380); // both endings were exercised
    }

    [Fact]
    public void ThePrinter_ShowsTheSequenceEquation_AsWritten()
    {
        var printed = Create().Spec.Print();
        Assert.Contains("log_s(Nil) = ⟨⟩    (s ∈ 0..1; a sequence of Int32, at most 3 long)", printed);
        Assert.Contains("log_s(σe) = if e is Pushed then if e.Log = s then log_s · e.Value else log_s", printed);
        Assert.Contains("log_s · log_(e.From)[|log_s|]", printed);
        Assert.Contains("take(log_s, e.Length)", printed);
        Assert.Contains("countBig(σe) = count(v ∈ log_0(σe): v > 5)", printed);
        Assert.Contains("prefix(σe) = log_1(σe) ⊑ log_0(σe)", printed);
        Assert.Contains("last1(σe) = last(log_1(σe))", printed);
        Assert.Contains("invariant logWithinBound (for each i ∈ 0..1): |log_i| ≤ 3", printed);
        Assert.DoesNotContain("log.Length", printed); // the stored parts are not shown as equations of their own
    }

    [Fact]
    public void SequencesStartAsGiven_AndAScalarSequencePrintsWithoutIndex()
    {
        var spec = new SpecBuilder<ListEvent>("One");
        var log = spec.Sequence<int>("log", bound: 4);
        spec.Define(log, Seq.Of(1, 2), e => e.When((Pushed a) => log.Now.Append(a.Value)).Else(log.Now));
        var built = spec.Build();
        var evaluator = built.NewEvaluator();
        Assert.Equal(Seq.Of(1, 2), evaluator.Value(log));
        evaluator.Step(new Pushed(0, 5));
        Assert.Equal(Seq.Of(1, 2, 5), evaluator.Value(log));
        Assert.Contains("log(Nil) = ⟨1, 2⟩", built.Print());
        Assert.Contains("log(σe) = if e is Pushed then log · e.Value else log", built.Print());
    }

    [Fact]
    public void Misuse_IsASpecException_NamingTheSequence()
    {
        var spec = new SpecBuilder<ListEvent>("Bad");
        Assert.Contains("sequence 'events' holds ListEvent", Assert.Throws<SpecException>(() => spec.Sequence<ListEvent>("events", 2)).Message);
        Assert.Contains("bound 0", Assert.Throws<SpecException>(() => spec.Sequence<int>("none", 0)).Message);
        var log = spec.Sequence<int>("log", 2);
        var flag = spec.Variable<bool>("flag");
        Assert.Contains("'log.Now' is a whole sequence where one value is needed",
            Assert.Throws<SpecException>(() => spec.Define(flag, false, e => Equals(log.Now, log.Next))).Message);
        Assert.Contains("starts 3 long, past its bound 2", Assert.Throws<SpecException>(() => spec.Define(log, Seq.Of(1, 2, 3), e => log.Now)).Message);
        Assert.Contains("no equation for 'log'", Assert.Throws<SpecException>(() => spec.Build()).Message);
        spec.Define(flag, false, e => log.Now.Append(1).Take(1) == log.Now);
        spec.Define(log, e => log.Now);
        Assert.Contains("defined twice", Assert.Throws<SpecException>(() => spec.Define(log, e => log.Now)).Message);
        var other = new SpecBuilder<ListEvent>("Other");
        var foreign = other.Variable<int>("foreign");
        Assert.Contains("belongs to another spec", Assert.Throws<SpecException>(() => other.Define(foreign, 0, e => log.Now.Length)).Message);
        Assert.Throws<InvalidOperationException>(() => log.Now);
    }
}
