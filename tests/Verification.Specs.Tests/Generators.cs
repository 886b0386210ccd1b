using FsCheck;
using FsCheck.Fluent;

namespace Verification.Specs.Tests;

/// <summary>FsCheck generators for any event alphabet, derived from its cases and field types.</summary>
internal static class Generators
{
    /// <summary>Fixed seed: the suite is deterministic; change it locally to explore.</summary>
    public static Config Config(int maxTests = 200) => FsCheck.Config.QuickThrowOnFailure.WithMaxTest(maxTests).WithReplay(20261122UL, 1UL).WithQuietOnSuccess(true);

    public static Gen<TEvent> Event<TEvent>(int maxInteger = 3) where TEvent : class =>
        Event(Alphabet.Of<TEvent>(), maxInteger).Select(e => (TEvent)e);

    public static Gen<object> Event(Alphabet alphabet, int maxInteger)
    {
        var cases = alphabet.Cases.Select(c =>
            c.Fields.Count == 0
                ? Gen.Constant(c.Create([]))
                : c.Fields.Select(f => Value(f.Type, maxInteger)).ToList().Aggregate(
                    Gen.Constant(new List<object?>()),
                    (acc, field) => acc.SelectMany(list => field.Select(v => new List<object?>(list) { v })))
                  .Select(values => c.Create(values)));
        return Gen.OneOf(cases);
    }

    private static Gen<object?> Value(Type type, int maxInteger) =>
        type == typeof(int) ? Gen.Choose(0, maxInteger).Select(i => (object?)i)
        : type == typeof(long) ? Gen.Choose(0, maxInteger).Select(i => (object?)(long)i)
        : type == typeof(bool) ? Gen.Elements(true, false).Select(b => (object?)b)
        : type == typeof(string) ? Gen.Elements("a", "b").Select(s => (object?)s)
        : type.IsEnum ? Gen.Elements(Enum.GetValues(type).Cast<object>().ToArray()).Select(v => (object?)v)
        : Event(Alphabet.Of(type.IsAbstract ? type : type.BaseType!), maxInteger).Select(e => (object?)e);

    public static Arbitrary<List<TEvent>> Histories<TEvent>(int maxInteger = 3, int maxLength = 40) where TEvent : class =>
        Gen.Choose(0, maxLength).SelectMany(n => Event<TEvent>(maxInteger).ListOf(n)).Select(l => l.ToList()).ToArbitrary();
}
