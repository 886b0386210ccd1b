namespace Verification.Specs.Examples;

/// <summary>The composite's alphabet: shift x in from the left end or from the right end.</summary>
public abstract record ShiftEvent;

/// <summary>The seed's Right_x: x enters cell 0 and every value moves one cell up.</summary>
/// <param name="X">The value shifted in.</param>
public sealed record Right(int X) : ShiftEvent;

/// <summary>The seed's Left_x: x enters the last cell and every value moves one cell down.</summary>
/// <param name="X">The value shifted in.</param>
public sealed record Left(int X) : ShiftEvent;

/// <summary>What a cell sees: a value stored into it.</summary>
public abstract record CellInput;

/// <summary><paramref name="Value"/> is stored into the cell; a cell's history u_i is a sequence of these.</summary>
/// <param name="Value">The value stored.</param>
public sealed record Stored(int Value) : CellInput;

/// <summary>
/// The seed's shift register, composed from n instances of L: L_i = L(u_i), u_i(Nil) = Nil, and
/// u_i(σe) = u_i·x if (i = 0 and e = Right_x) or (i = n−1 and e = Left_x); u_i·L_(i−1) if i &gt; 0 and e = Right_x;
/// u_i·L_(i+1) if i &lt; n−1 and e = Left_x. A neighbour that holds nothing yet passes nothing (the seed leaves
/// L(Nil) undefined), so the cell keeps its value.
/// </summary>
public static class ShiftRegister
{
    /// <summary>The spec's name, as the CLI takes it and reports show it.</summary>
    public const string Name = "ShiftRegister";

    /// <summary>The name of the component family u, whose i-th member is cell i's history.</summary>
    public const string CellsName = "u";

    /// <summary>Builds a register of <paramref name="cells"/> cells, each an instance of L.</summary>
    /// <param name="cells">How many cells; values enter at cell 0 (Right) or at the last cell (Left).</param>
    public static Spec<ShiftEvent> Create(int cells = 4)
    {
        var spec = new SpecBuilder<ShiftEvent>(Name);
        var cell = LastEvent.Create<CellInput>();
        var last = cell.Variable<Var<CellInput>>(LastEvent.VariableName);
        var u = spec.Components(CellsName, cell, cells);
        var n = cells;
        spec.Feed(u, (e, i) => e
            .When((Right r) => i == 0 ? new Stored(r.X) : u.IsDefined(i - 1, last) ? u.Now(i - 1, last) : null)
            .When((Left l) => i == n - 1 ? new Stored(l.X) : u.IsDefined(i + 1, last) ? u.Now(i + 1, last) : null)
            .Else(null));
        // A cell receives a value only from an end or from a filled neighbour, so from the Right end the filled
        // cells are those of a prefix, and from the Left end those of a suffix, until the two meet.
        spec.StepProperty("RightFillsCellZero", e => e.IfIs((Right r) => u.IsDefinedNext(0, last) && u.Next(0, last) == new Stored(r.X)));
        spec.StepProperty("LeftFillsLastCell", e => e.IfIs((Left l) => u.IsDefinedNext(n - 1, last) && u.Next(n - 1, last) == new Stored(l.X)));
        return spec.Build();
    }

    /// <summary>The value cell <paramref name="index"/> holds, or null when it has never been filled.</summary>
    public static int? Cell(Evaluator<ShiftEvent> evaluator, int index)
    {
        var u = evaluator.Spec.Variable<Component<CellInput>>(CellsName);
        var last = u.SubSpec.Variable<Var<CellInput>>(LastEvent.VariableName);
        return evaluator.IsDefined(u, index, last) ? ((Stored)evaluator.Value(u, index, last)).Value : null;
    }
}

/// <summary>
/// The same shift register defined directly, without components: per cell whether it holds a value and which. A
/// value shifted in at one end enters the end cell, and every cell takes its neighbour's value when the neighbour
/// holds one (the seed's composition, written out). The spec comparison of the checkers shows the two agree on every history.
/// </summary>
public static class DirectShiftRegister
{
    /// <summary>The spec's name.</summary>
    public const string Name = "DirectShiftRegister";

    /// <summary>Builds a register of <paramref name="cells"/> cells.</summary>
    /// <param name="cells">How many cells.</param>
    /// <param name="leftShiftsTheWrongWay">A planted mistake: a Left shift moves values up, as a Right shift does.</param>
    public static Spec<ShiftEvent> Create(int cells = 4, bool leftShiftsTheWrongWay = false)
    {
        var n = cells;
        var spec = new SpecBuilder<ShiftEvent>(leftShiftsTheWrongWay ? Name + "LeftWrongWay" : Name);
        var filled = spec.Family<bool>("filled", n);
        var value = spec.Family<int>("value", n);
        // Where a cell takes its value from on a Left shift: its upper neighbour (or, planted, its lower one).
        var from = leftShiftsTheWrongWay ? -1 : 1;
        spec.Define(filled, i => false, (e, i) => filled.Now(i) || e
            .When((Right r) => i == 0 || filled.Now(i - 1))
            .When((Left l) => i == n - 1 || (i + from >= 0 && i + from < n && filled.Now(i + from)))
            .Else(false));
        spec.Define(value, i => 0, (e, i) => e
            .When((Right r) => i == 0 ? r.X : filled.Now(i - 1) ? value.Now(i - 1) : value.Now(i))
            .When((Left l) => i == n - 1 ? l.X : i + from >= 0 && i + from < n && filled.Now(i + from) ? value.Now(i + from) : value.Now(i))
            .Else(value.Now(i)));
        return spec.Build();
    }

    /// <summary>
    /// How the composed register's cells realise a direct one's state: cell i is filled when L(u_i) is defined, and
    /// holds the value L(u_i) stored — the state mapping under which the two are compared.
    /// </summary>
    public static Func<RefinementBuilder<ShiftEvent, ShiftEvent>, RefinementBuilder<ShiftEvent, ShiftEvent>> CellsOf(Spec<ShiftEvent> composed, Spec<ShiftEvent> direct)
    {
        var u = composed.Variable<Component<CellInput>>(ShiftRegister.CellsName);
        var last = u.SubSpec.Variable<Var<CellInput>>(LastEvent.VariableName);
        return builder => builder
            .MapState(direct.Variable<Family<bool>>("filled"), i => u.IsDefined(i, last))
            .MapState(direct.Variable<Family<int>>("value"), i => u.IsDefined(i, last) ? ((Stored)u.Now(i, last)).Value : 0);
    }
}
