namespace Verification.Specs.Tests;

/// <summary>Named helpers: defined once, applied in several equations and properties, inlined by staging, printed by name.</summary>
public class HelperTests
{
    /// <summary>A shop over items 0..2: an item is open while ordered and not yet shipped or cancelled.</summary>
    public static Spec<ShopEvent> WithHelpers()
    {
        var spec = new SpecBuilder<ShopEvent>("ShopWithHelpers");
        var open = spec.Family<int>("open", 3);
        var shipped = spec.Variable<int>("shipped");
        var isOpen = spec.Helper("IsOpen", (int item) => Bounded.Any(3, i => i == item && open.Now(i) > 0));
        var closes = spec.Helper("Closes", (ShopEvent e, int item) => e.Is((Shipped s) => s.Item == item) || e.Is((Cancelled c) => c.Item == item));
        spec.Define(open, i => 0, (e, i) => closes(e, i) ? 0 : e.When((Ordered o) => o.Item == i ? open.Now(i) + o.Quantity : open.Now(i)).Else(open.Now(i)));
        spec.Define(shipped, 0, e => e.Is((Shipped s) => isOpen(s.Item)) ? shipped.Now + 1 : shipped.Now);
        spec.Guard("ShipsOnlyWhatIsOpen", e => e.IfIs((Shipped s) => isOpen(s.Item)));
        spec.Invariant("ShippedNonNegative", () => shipped.Now >= 0);
        return spec.Build();
    }

    /// <summary>The same spec with each helper written out where it is applied.</summary>
    private static Spec<ShopEvent> Inlined()
    {
        var spec = new SpecBuilder<ShopEvent>("ShopWithHelpers");
        var open = spec.Family<int>("open", 3);
        var shipped = spec.Variable<int>("shipped");
        spec.Define(open, i => 0, (e, i) => e.Is((Shipped s) => s.Item == i) || e.Is((Cancelled c) => c.Item == i)
            ? 0 : e.When((Ordered o) => o.Item == i ? open.Now(i) + o.Quantity : open.Now(i)).Else(open.Now(i)));
        spec.Define(shipped, 0, e => e.Is((Shipped s) => Bounded.Any(3, i => i == s.Item && open.Now(i) > 0)) ? shipped.Now + 1 : shipped.Now);
        spec.Guard("ShipsOnlyWhatIsOpen", e => e.IfIs((Shipped s) => Bounded.Any(3, i => i == s.Item && open.Now(i) > 0)));
        spec.Invariant("ShippedNonNegative", () => shipped.Now >= 0);
        return spec.Build();
    }

    [Fact]
    public void TheStagedBodies_AreThoseOfTheInlinedSpec()
    {
        var withHelpers = WithHelpers().Staged;
        var inlined = Inlined().Staged;
        for (var v = 0; v < inlined.Variables.Count; v++)
            Assert.Equal(EquationPrinter.Print(inlined.Variables[v].Body), EquationPrinter.Print(withHelpers.Variables[v].Body));
        for (var p = 0; p < inlined.Properties.Count; p++)
            Assert.Equal(EquationPrinter.Print(inlined.Properties[p].Body), EquationPrinter.Print(withHelpers.Properties[p].Body));
    }

    [Fact]
    public void ThePrinter_ShowsEachHelperByName_WithItsDefinitionOnce()
    {
        var printed = WithHelpers().Print();
        Assert.Contains("helper IsOpen(item) = ∃i ∈ 0..2: i = item ∧ open_i > 0", printed);
        Assert.Contains("helper Closes(e, item) = e is Shipped ∧ e.Item = item ∨ e is Cancelled ∧ e.Item = item", printed);
        Assert.Contains("open_i(σe) = if Closes(e, i) then 0 else", printed);
        Assert.Contains("shipped(σe) = if e is Shipped ∧ IsOpen(e.Item) then shipped + 1 else shipped", printed);
        Assert.Contains("guard ShipsOnlyWhatIsOpen: ¬(e is Shipped) ∨ IsOpen(e.Item)", printed);
        Assert.Equal(1, printed.Split('\n').Count(line => line.Contains("helper IsOpen")));
    }

    [Fact]
    public void Evaluation_IsThatOfTheInlinedSpec_CompiledAndByReference()
    {
        ShopEvent[] history = [new Ordered(1, 2), new Shipped(1), new Ordered(2, 1), new Cancelled(2), new Shipped(2)];
        var withHelpers = History.Check(WithHelpers(), history);
        Assert.Equal(Verdict.Violated, withHelpers.Verdict);
        var violation = withHelpers.Violation!;
        Assert.Equal("ShipsOnlyWhatIsOpen", violation.Instance);
        Assert.Equal(5, violation.PrefixLength);
        Assert.Equal(History.Check(Inlined(), history).Violation!.Values, violation.Values);
        Assert.Equal(Verdict.Violated, ReferenceEvaluator.Check(WithHelpers(), history).Verdict);
        Assert.Equal(Verdict.Holds, History.Check(WithHelpers(), history.Take(4)).Verdict);
    }

    [Fact]
    public void AHelperOutsideTheLanguage_IsRejectedWithItsName_AndNamesAreUnique()
    {
        var spec = new SpecBuilder<ShopEvent>("Bad");
        var clock = Assert.Throws<SpecException>(() => spec.Helper("Stamp", (int x) => DateTime.Now.Ticks + x));
        Assert.Contains("helper 'Stamp'", clock.Message);
        spec.Helper("Twice", (int x) => 2 * x);
        Assert.Contains("defines helper 'Twice' twice", Assert.Throws<SpecException>(() => spec.Helper("Twice", (int x) => x + x)).Message);
    }

    [Fact]
    public void AHelper_IsAlsoAnOrdinaryFunctionOutsideTheSpec()
    {
        var spec = new SpecBuilder<ShopEvent>("Plain");
        var twice = spec.Helper("Twice", (int x) => 2 * x);
        Assert.Equal(14, twice(7));
    }

    [Fact]
    public void AHelperOfFourArguments_IsPrintedByName_AndEvaluatesAsWrittenOut()
    {
        // Multi-Paxos's ShowsSafeAt takes a quorum, a round, a slot and a value; here: is the quantity ordered of
        // an item within [low, high] and below a cap?
        var spec = new SpecBuilder<ShopEvent>("ShopWithFourArguments");
        var open = spec.Family<int>("open", 3);
        var within = spec.Helper("Within", (int item, int low, int high, int cap) => Bounded.Any(3, i => i == item && open.Now(i) >= low && open.Now(i) <= high && open.Now(i) < cap));
        spec.Define(open, i => 0, (e, i) => e.When((Ordered o) => o.Item == i ? open.Now(i) + o.Quantity : open.Now(i)).Else(open.Now(i)));
        spec.Guard("ShipsOnlyAModestOrder", e => e.IfIs((Shipped s) => within(s.Item, 1, 3, 5)));
        var built = spec.Build();
        Assert.Contains("helper Within(item, low, high, cap) = ", built.Print());
        Assert.Contains("guard ShipsOnlyAModestOrder: ¬(e is Shipped) ∨ Within(e.Item, 1, 3, 5)", built.Print());
        Assert.Null(History.Check(built, [new Ordered(0, 2), new Shipped(0)]).Violation);
        Assert.Equal("ShipsOnlyAModestOrder", History.Check(built, [new Ordered(0, 4), new Shipped(0)]).Violation?.Property.Name);
    }
}
