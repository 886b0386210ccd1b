namespace Verification.Specs;

/// <summary>
/// Seeded random events of an alphabet, for exploring a spec on many histories (CLI checks, benchmarks). Integers
/// are drawn from a small range so that equalities between events and indices actually happen.
/// </summary>
/// <param name="seed">The seed: the same seed gives the same events.</param>
/// <param name="minInteger">The least value drawn for an int or long field.</param>
/// <param name="maxInteger">The greatest value drawn for an int or long field.</param>
public sealed class RandomHistories(int seed, int minInteger = 0, int maxInteger = 3)
{
    private readonly Random random = new(seed);
    private static readonly string[] Strings = ["a", "b", "c"];

    /// <summary>A random event of <typeparamref name="TEvent"/>'s alphabet: a case chosen uniformly, then each field drawn (integers in the constructor's range, strings "a" to "c").</summary>
    public TEvent Next<TEvent>() where TEvent : class => (TEvent)Next(Alphabet.Of<TEvent>());

    /// <summary>A random history of <paramref name="length"/> events (see <see cref="Next{TEvent}"/>).</summary>
    public List<TEvent> History<TEvent>(int length) where TEvent : class =>
        Enumerable.Range(0, length).Select(_ => Next<TEvent>()).ToList();

    /// <summary>A random event of <paramref name="alphabet"/> (see <see cref="Next{TEvent}"/>).</summary>
    public object Next(Alphabet alphabet)
    {
        var eventCase = alphabet.Cases[random.Next(alphabet.Cases.Count)];
        return eventCase.Create(eventCase.Fields.Select(f => Value(f.Type)).ToList());
    }

    private object? Value(Type type) =>
        type == typeof(int) ? random.Next(minInteger, maxInteger + 1)
        : type == typeof(long) ? (long)random.Next(minInteger, maxInteger + 1)
        : type == typeof(bool) ? random.Next(2) == 1
        : type == typeof(string) ? Strings[random.Next(Strings.Length)]
        : type.IsEnum ? Enum.GetValues(type).GetValue(random.Next(Enum.GetValues(type).Length))
        : Next(Alphabet.Of(type.IsAbstract ? type : type.BaseType!));
}
