namespace Verification.Specs.Tests;

public abstract record ShopEvent;

public sealed record Ordered(int Item, int Quantity) : ShopEvent;

public sealed record Shipped(int Item) : ShopEvent;

public sealed record Cancelled(int Item) : ShopEvent;

/// <summary>Typed event cases (e.Is, e.IfIs, e.When(…).Else) in equations: the same definition as the cast form, in every use.</summary>
public class EventCasesTests
{
    private static Spec<ShopEvent> Typed()
    {
        var spec = new SpecBuilder<ShopEvent>("Shop");
        var open = spec.Family<int>("open", 3);
        var shipped = spec.Variable<int>("shipped");
        spec.Define(open, i => 0, (e, i) => e
            .When((Ordered o) => o.Item == i ? open.Now(i) + o.Quantity : open.Now(i))
            .When((Shipped s) => s.Item == i ? 0 : open.Now(i))
            .When((Cancelled c) => c.Item == i ? 0 : open.Now(i))
            .Else(open.Now(i)));
        spec.Define(shipped, 0, e => e.Is((Shipped s) => s.Item >= 0) ? shipped.Now + 1 : shipped.Now);
        spec.Guard("ShipsOnlyWhatIsOpen", e => e.IfIs((Shipped s) => Bounded.Any(3, i => i == s.Item && open.Now(i) > 0)));
        spec.StepProperty("QuantitiesPositive", e => e.IfIs((Ordered o) => o.Quantity > 0));
        return spec.Build();
    }

    private static Spec<ShopEvent> Cast()
    {
        var spec = new SpecBuilder<ShopEvent>("Shop");
        var open = spec.Family<int>("open", 3);
        var shipped = spec.Variable<int>("shipped");
        spec.Define(open, i => 0, (e, i) =>
            e is Ordered ? (((Ordered)e).Item == i ? open.Now(i) + ((Ordered)e).Quantity : open.Now(i))
            : e is Shipped ? (((Shipped)e).Item == i ? 0 : open.Now(i))
            : e is Cancelled ? (((Cancelled)e).Item == i ? 0 : open.Now(i))
            : open.Now(i));
        spec.Define(shipped, 0, e => e is Shipped && ((Shipped)e).Item >= 0 ? shipped.Now + 1 : shipped.Now);
        spec.Guard("ShipsOnlyWhatIsOpen", e => !(e is Shipped) || Bounded.Any(3, i => i == ((Shipped)e).Item && open.Now(i) > 0));
        spec.StepProperty("QuantitiesPositive", e => !(e is Ordered) || ((Ordered)e).Quantity > 0);
        return spec.Build();
    }

    [Fact]
    public void TypedCases_StageToExactlyTheCastForm_SoTheyPrintTheSame()
    {
        Assert.Equal(Cast().Print(), Typed().Print());
        Assert.Contains("open_i(σe) = if e is Ordered then if e.Item = i then open_i + e.Quantity else open_i else if e is Shipped", Typed().Print());
    }

    [Fact]
    public void TypedCases_EvaluateLikeTheCastForm_CompiledAndByReference()
    {
        ShopEvent[] history = [new Ordered(1, 2), new Ordered(1, 3), new Shipped(1), new Ordered(2, 1), new Cancelled(2), new Ordered(0, -1)];
        var typed = History.Check(Typed(), history);
        var cast = History.Check(Cast(), history);
        Assert.Equal(Verdict.Violated, typed.Verdict);
        var typedViolation = typed.Violation!;
        var castViolation = cast.Violation!;
        Assert.Equal(castViolation.Instance, typedViolation.Instance);
        Assert.Equal(6, typedViolation.PrefixLength);
        Assert.Equal(castViolation.Values, typedViolation.Values);
        Assert.Equal(Verdict.Violated, ReferenceEvaluator.Check(Typed(), history).Verdict);
    }

    [Fact]
    public void TheFirstMatchingCaseWins_AsInASwitch()
    {
        var spec = new SpecBuilder<ShopEvent>("FirstWins");
        var x = spec.Variable<int>("x");
        spec.Define(x, 0, e => e.When((Ordered o) => 1).When((ShopEvent any) => 2).Else(3));
        var built = spec.Build();
        Assert.Equal(Verdict.Holds, History.Check(built, [new Ordered(0, 1)]).Verdict);
        var evaluator = built.NewEvaluator();
        evaluator.Step(new Ordered(0, 1));
        Assert.Equal(1, evaluator.Snapshot().Single(v => v.Name == "x").Value);
        evaluator.Step(new Shipped(0));
        Assert.Equal(2, evaluator.Snapshot().Single(v => v.Name == "x").Value);
    }

    [Fact]
    public void ACaseAnalysisWithoutElse_IsAOneLineError_NamingTheVariable()
    {
        var spec = new SpecBuilder<ShopEvent>("NoElse");
        var x = spec.Variable<bool>("x");
        // Where the variable's type is the case's value the compiler already demands .Else; here the chain is used as an object.
        var error = Assert.Throws<SpecException>(() => spec.Define(x, false, e => e.When((Ordered o) => o.Item) != null));
        Assert.Contains("must end with '.Else(value)'", error.Message);
        Assert.DoesNotContain("\n", error.Message);
    }

    [Fact]
    public void ACaseWhoseBodyIsNotALambda_IsAnError()
    {
        Func<Ordered, bool> predicate = o => o.Item > 0;
        var spec = new SpecBuilder<ShopEvent>("NotALambda");
        var x = spec.Variable<bool>("x");
        var error = Assert.Throws<SpecException>(() => spec.Define(x, false, e => e.Is(predicate)));
        Assert.Contains("variable 'x'", error.Message);
        Assert.Contains("typed parameter", error.Message);
    }

    [Fact]
    public void OutsideASpec_TheMethodsMeanTheSame()
    {
        object ordered = new Ordered(4, 2);
        Assert.True(ordered.Is((Ordered o) => o.Quantity == 2));
        Assert.False(ordered.Is((Shipped s) => true));
        Assert.True(ordered.IfIs((Shipped s) => false));
        Assert.False(ordered.IfIs((Ordered o) => o.Item == 0));
        Assert.Equal(4, ordered.When((Shipped s) => 0).When((Ordered o) => o.Item).Else(-1));
        Assert.Equal(-1, new Cancelled(1).When((Ordered o) => o.Item).Else(-1));
    }
}
