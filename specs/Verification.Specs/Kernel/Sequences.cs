using System.Collections;
using System.Linq.Expressions;
using System.Reflection;

namespace Verification.Specs;

/// <summary>
/// A finite sequence of values, immutable: what a sequence variable holds (<see cref="SeqVar{T}"/>,
/// <see cref="SeqFamily{T}"/>). Inside equations and properties its members are the spec language's sequence
/// operations — staging expands each into formulas over the variable's length and its bounded slots, so compiled
/// evaluation allocates nothing per event and the SMT translation sees plain constants; outside a spec they are
/// ordinary methods with the same meaning. Reading outside 0..Length−1 gives default(T) (0, false, "") rather than
/// an error, so every operation is total in all three uses.
/// </summary>
[SpecConstant]
public sealed class Seq<T> : IEquatable<Seq<T>>, IReadOnlyList<T>, ISequenceValue
{
    private readonly T[] items;

    private Seq(T[] items) => this.items = items;

    /// <summary>⟨⟩, the empty sequence.</summary>
    public static Seq<T> Empty { get; } = new([]);

    /// <summary>The sequence of <paramref name="values"/>, in order.</summary>
    public static Seq<T> Of(IEnumerable<T> values) => new(values.ToArray());

    /// <summary>|s|: the number of values.</summary>
    public int Length => items.Length;

    /// <summary>s[i], or default(T) when i is outside 0..Length−1.</summary>
    public T At(int index) => index >= 0 && index < items.Length ? items[index] : Seq.DefaultOf<T>();

    /// <summary>The last value, or default(T) for the empty sequence.</summary>
    public T Last => At(items.Length - 1);

    /// <summary>s · v: the sequence with <paramref name="value"/> appended.</summary>
    public Seq<T> Append(T value) => new([.. items, value]);

    /// <summary>The first <paramref name="count"/> values (all of them when there are fewer; none for a negative count).</summary>
    public Seq<T> Take(int count) => count >= items.Length ? this : new(items[..Math.Max(count, 0)]);

    /// <summary>s ⊑ t: every value of this sequence is at the same place in <paramref name="other"/>, which is at least as long.</summary>
    public bool IsPrefixOf(Seq<T> other) =>
        items.Length <= other.items.Length && items.AsSpan().SequenceEqual(other.items.AsSpan(0, items.Length));

    /// <summary>v ∈ s.</summary>
    public bool Contains(T value) => Array.IndexOf(items, value) >= 0;

    /// <summary>How many values satisfy <paramref name="holds"/>.</summary>
    public int Count(Func<T, bool> holds) => items.Count(holds);

    /// <summary>∃ v ∈ s: holds(v).</summary>
    public bool Any(Func<T, bool> holds) => items.Any(holds);

    /// <summary>∀ v ∈ s: holds(v).</summary>
    public bool All(Func<T, bool> holds) => items.All(holds);

    /// <summary>Value i (for code outside a spec; inside one, use <see cref="At"/>).</summary>
    public T this[int index] => items[index];

    int IReadOnlyCollection<T>.Count => items.Length;

    object? ISequenceValue.BoxedAt(int index) => At(index);

    /// <inheritdoc/>
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => items.GetEnumerator();

    /// <summary>Same length, same values in the same places.</summary>
    public bool Equals(Seq<T>? other) => other is not null && items.AsSpan().SequenceEqual(other.items);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Seq<T>);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in items) hash.Add(item);
        return hash.ToHashCode();
    }

    /// <summary>Value equality (also in equations: same length and values).</summary>
    public static bool operator ==(Seq<T>? left, Seq<T>? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(Seq<T>? left, Seq<T>? right) => !(left == right);

    /// <summary>⟨a, b, c⟩.</summary>
    public override string ToString() => $"⟨{string.Join(", ", items.Select(v => Alphabet.FormatValue(v)))}⟩";
}

/// <summary>A sequence seen without its element type.</summary>
internal interface ISequenceValue
{
    int Length { get; }

    object? BoxedAt(int index);
}

/// <summary>Making sequences: <c>Seq.Of(1, 2)</c>, <c>Seq.Empty&lt;int&gt;()</c>.</summary>
[SpecConstant]
public static class Seq
{
    /// <summary>The sequence of the given values.</summary>
    public static Seq<T> Of<T>(params T[] values) => Seq<T>.Of(values);

    /// <summary>⟨⟩.</summary>
    public static Seq<T> Empty<T>() => Seq<T>.Empty;

    /// <summary>The value of an unused slot: 0, false, the first enum value's zero, or "" for strings (never null, which SMT has no term for).</summary>
    internal static T DefaultOf<T>() => typeof(T) == typeof(string) ? (T)(object)"" : default!;

    internal static object DefaultOf(Type type) => type == typeof(string) ? "" : Activator.CreateInstance(type)!;

    /// <summary>Element types a sequence variable may hold: those with an SMT sort and a non-null default.</summary>
    internal static bool IsElementType(Type type) =>
        type == typeof(int) || type == typeof(long) || type == typeof(bool) || type == typeof(string) || type.IsEnum;
}

/// <summary>
/// A sequence variable, or a family of them (hist_s for servers s), with a length bound declared up front. It is
/// stored as two ordinary families — the lengths and the slots 0..Bound−1 of each sequence — defined from the one
/// sequence equation the user writes; what a step appends past the bound is lost, and the invariant
/// <c>{Name}WithinBound</c>, added when the sequence is declared, reports it. Unused slots hold default(T), so two
/// states with equal sequences are equal states.
/// </summary>
public abstract class SequenceVariable
{
    private protected SequenceVariable(string name, Type elementType, int count, int bound, bool isFamily)
    {
        IsFamily = isFamily;
        Name = name;
        ElementType = elementType;
        Count = count;
        Bound = bound;
    }

    /// <summary>The name the user declared (<c>hist</c>); the stored parts are <c>{Name}.Length</c> and <c>{Name}</c>.</summary>
    public string Name { get; }

    /// <summary>The type of one value.</summary>
    public Type ElementType { get; }

    /// <summary>How many sequences: 1 for a <see cref="SeqVar{T}"/>, the index range for a <see cref="SeqFamily{T}"/>.</summary>
    public int Count { get; }

    /// <summary>The longest a sequence may grow.</summary>
    public int Bound { get; }

    /// <summary>The stored lengths, one per sequence (member s).</summary>
    public Variable Lengths { get; private set; } = null!;

    /// <summary>The stored slots: member s·Bound + k is value k of sequence s.</summary>
    public Variable Slots { get; private set; } = null!;

    /// <summary>Whether it was declared as a family (hist_s) rather than one sequence.</summary>
    public bool IsFamily { get; }

    internal void Store(Variable lengths, Variable slots)
    {
        Lengths = lengths;
        Slots = slots;
        lengths.PartOf = slots.PartOf = this;
    }

    /// <summary>The sequence equation as written, in its named form (sequence operations kept), for the printer.</summary>
    internal Expression? NamedEquation { get; set; }

    /// <summary>The index parameter of a family's equation, for the printer.</summary>
    internal ParameterExpression? IndexParameter { get; set; }

    /// <summary>The sequences at Nil (empty unless given).</summary>
    internal IReadOnlyList<object?> Initial { get; set; } = [];

    /// <summary>Returns <see cref="Name"/>.</summary>
    public override string ToString() => Name;

    private protected static InvalidOperationException OnlyInEquations(string name) =>
        new($"'{name}' is a sequence-variable handle: read it only inside an equation or property, which the spec evaluates for you");
}

/// <summary>One sequence variable: <c>log.Now</c> is its value before the event, <c>log.Next</c> after it.</summary>
public sealed class SeqVar<T> : SequenceVariable
{
    internal SeqVar(string name, int bound) : base(name, typeof(T), 1, bound, isFamily: false) { }

    /// <summary>y(σ): the sequence before the event (in an invariant: its current value).</summary>
    public Seq<T> Now => throw OnlyInEquations(Name);

    /// <summary>y(σe): the sequence after the event.</summary>
    public Seq<T> Next => throw OnlyInEquations(Name);
}

/// <summary>A family of sequence variables indexed by 0..Count−1: <c>hist.Now(s)</c>, <c>hist.Next(s)</c>.</summary>
public sealed class SeqFamily<T> : SequenceVariable
{
    internal SeqFamily(string name, int count, int bound) : base(name, typeof(T), count, bound, isFamily: true) { }

    /// <summary>Sequence <paramref name="index"/> before the event (in an invariant: its current value).</summary>
    public Seq<T> Now(int index) => throw OnlyInEquations(Name);

    /// <summary>Sequence <paramref name="index"/> after the event.</summary>
    public Seq<T> Next(int index) => throw OnlyInEquations(Name);
}

/// <summary>
/// How a read of a sequence variable appears in the named form of a staged body (what the printer shows): a call of
/// <see cref="Read{T}"/> with the handle, the index and whether it is the value after the event, inside the sequence
/// operations as written. The bodies back ends evaluate hold no such call: there every sequence operation is expanded
/// into reads of <see cref="SequenceVariable.Lengths"/> and <see cref="SequenceVariable.Slots"/>.
/// </summary>
public static class StagedSequence
{
    private static readonly MethodInfo ReadMethod = typeof(StagedSequence).GetMethod(nameof(Read))!;

    /// <summary>The marker; never executed.</summary>
    public static Seq<T> Read<T>(SequenceVariable sequence, int index, bool next) =>
        throw new InvalidOperationException("sequence-read markers are only printed, never evaluated");

    /// <summary>Whether <paramref name="node"/> is a sequence read, and if so of which sequence, at which index, before or after the event.</summary>
    public static bool TryDecode(Expression node, out SequenceVariable sequence, out Expression index, out bool next)
    {
        if (node is MethodCallExpression { Method.IsGenericMethod: true } call && call.Method.GetGenericMethodDefinition() == ReadMethod
            && call.Arguments[0] is ConstantExpression { Value: SequenceVariable variable } && call.Arguments[2] is ConstantExpression { Value: bool after })
        {
            sequence = variable;
            index = call.Arguments[1];
            next = after;
            return true;
        }
        sequence = null!;
        index = null!;
        next = false;
        return false;
    }

    internal static Expression Make(SequenceVariable sequence, Expression index, bool next) =>
        Expression.Call(ReadMethod.MakeGenericMethod(sequence.ElementType), Expression.Constant(sequence, typeof(SequenceVariable)), index, Expression.Constant(next));
}
