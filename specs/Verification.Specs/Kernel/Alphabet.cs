using System.Collections.Concurrent;
using System.Reflection;

namespace Verification.Specs;

/// <summary>One field of an event case: a positional parameter of the case's record.</summary>
/// <param name="Name">The field's name, as a history file's member names it.</param>
/// <param name="Type">The field's type.</param>
/// <param name="Property">The record property that holds the field's value.</param>
public sealed record EventField(string Name, Type Type, PropertyInfo Property);

/// <summary>One case of an event alphabet, e.g. <c>Right(int X)</c>.</summary>
/// <param name="Name">The case's name: its record's name, as a history file's "event" member gives it.</param>
/// <param name="Type">The case's record type.</param>
/// <param name="Fields">The fields, in the order of the record's positional parameters.</param>
/// <param name="Constructor">The record's constructor, taking the fields in that order.</param>
public sealed record EventCase(string Name, Type Type, IReadOnlyList<EventField> Fields, ConstructorInfo Constructor)
{
    /// <summary>An event of this case built from <paramref name="fieldValues"/>, given in the order of <see cref="Fields"/>.</summary>
    public object Create(IReadOnlyList<object?> fieldValues) => Constructor.Invoke(fieldValues.ToArray());
}

/// <summary>
/// The event alphabet E of a spec: an abstract record type and its non-abstract subtypes declared in the same
/// assembly. Each subtype is one case; its record's positional parameters are the case's fields.
/// Field types are those the equation language supports: int, long, bool, string, enums, and events.
/// </summary>
public sealed class Alphabet
{
    private static readonly ConcurrentDictionary<Type, Alphabet> Cache = new();
    private readonly Dictionary<Type, EventCase> byType;
    private readonly Type[] caseTypes;
    private readonly Dictionary<string, EventCase> byName;

    private Alphabet(Type eventType, IReadOnlyList<EventCase> cases)
    {
        EventType = eventType;
        Cases = cases;
        byType = cases.ToDictionary(c => c.Type);
        caseTypes = cases.Select(c => c.Type).ToArray();
        byName = cases.ToDictionary(c => c.Name, StringComparer.Ordinal);
    }

    /// <summary>The alphabet's abstract record type, from which every case derives.</summary>
    public Type EventType { get; }

    /// <summary>The name of <see cref="EventType"/>, as reports and error messages show the alphabet.</summary>
    public string Name => EventType.Name;

    /// <summary>The cases in the order their records are declared.</summary>
    public IReadOnlyList<EventCase> Cases { get; }

    /// <summary>The alphabet of <typeparamref name="TEvent"/>, built once per type; a type that is not an abstract record with sealed record cases throws <see cref="SpecException"/> saying what is wrong.</summary>
    public static Alphabet Of<TEvent>() => Of(typeof(TEvent));

    /// <summary>The alphabet whose abstract record type is <paramref name="eventType"/> (see <see cref="Of{TEvent}"/>).</summary>
    public static Alphabet Of(Type eventType) => Cache.GetOrAdd(eventType, Build);

    /// <summary>Finds the case named <paramref name="name"/> (case-sensitive, as a history file's "event" member names it).</summary>
    public bool TryGetCase(string name, out EventCase eventCase) => byName.TryGetValue(name, out eventCase!);

    /// <summary>The case <paramref name="evt"/> belongs to; an event outside the alphabet throws <see cref="SpecException"/> naming it and the cases.</summary>
    public EventCase CaseOf(object evt) =>
        evt is not null && byType.TryGetValue(evt.GetType(), out var c)
            ? c
            : throw new SpecException($"event {Describe(evt)} is not in the alphabet {Name} (cases: {string.Join(", ", Cases.Select(k => k.Name))})");

    /// <summary>Whether a type is one of the cases; a scan of a few references, cheaper than hashing on the monitor's hot path.</summary>
    public bool IsCase(Type type)
    {
        foreach (var caseType in caseTypes)
            if (ReferenceEquals(caseType, type)) return true;
        return false;
    }

    /// <summary>Readable form of an event, <c>Right(X: 3)</c>, used in counterexamples.</summary>
    public static string Describe(object? evt)
    {
        if (evt is null) return "null";
        var type = evt.GetType();
        var alphabetType = type.BaseType;
        if (alphabetType is null || !alphabetType.IsAbstract) return evt.ToString() ?? type.Name;
        var eventCase = Of(alphabetType).byType.GetValueOrDefault(type);
        if (eventCase is null) return type.Name;
        if (eventCase.Fields.Count == 0) return eventCase.Name;
        return $"{eventCase.Name}({string.Join(", ", eventCase.Fields.Select(f => $"{f.Name}: {FormatValue(f.Property.GetValue(evt))}"))})";
    }

    /// <summary>A field or variable value as reports show it: "undefined" for null, strings quoted, events as <see cref="Describe"/> writes them.</summary>
    public static string FormatValue(object? value) => value switch
    {
        null => "undefined",
        bool b => b ? "true" : "false",
        string s => $"\"{s}\"",
        _ when value.GetType().IsClass && IsEvent(value.GetType()) => Describe(value),
        _ => value.ToString() ?? "",
    };

    /// <summary>
    /// Whether <paramref name="type"/> is an event type: an alphabet (an abstract record) or one of its cases (a
    /// record deriving directly from one). Such values are events: state variables, fields and constants may hold them.
    /// </summary>
    public static bool IsEvent(Type type) =>
        type.IsClass && (type.IsAbstract ? IsRecord(type) : type.BaseType is { IsAbstract: true } b && IsRecord(b));

    private static bool IsRecord(Type type) => type.GetMethod("<Clone>$") is not null || type.GetProperty("EqualityContract", BindingFlags.NonPublic | BindingFlags.Instance) is not null;

    private static Alphabet Build(Type eventType)
    {
        if (!eventType.IsClass || !eventType.IsAbstract)
            throw new SpecException($"event alphabet {eventType.Name} must be an abstract record with one sealed record per event case");
        var cases = new List<EventCase>();
        foreach (var type in eventType.Assembly.GetTypes().Where(t => !t.IsAbstract && t.IsSubclassOf(eventType)).OrderBy(t => t.MetadataToken))
        {
            if (type.BaseType != eventType)
                throw new SpecException($"event case {type.Name} must derive directly from {eventType.Name}");
            var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault()
                ?? throw new SpecException($"event case {type.Name} has no public constructor");
            var fields = new List<EventField>();
            foreach (var parameter in constructor.GetParameters())
            {
                var property = type.GetProperty(parameter.Name!, BindingFlags.Public | BindingFlags.Instance)
                    ?? throw new SpecException($"event case {type.Name}: constructor parameter '{parameter.Name}' has no matching property (declare cases as positional records)");
                if (!EquationLanguage.IsValueType(parameter.ParameterType))
                    throw new SpecException($"event case {type.Name}: field '{parameter.Name}' has type {parameter.ParameterType.Name}; supported field types are int, long, bool, string, enums and events");
                fields.Add(new EventField(parameter.Name!, parameter.ParameterType, property));
            }
            cases.Add(new EventCase(type.Name, type, fields, constructor));
        }
        if (cases.Count == 0)
            throw new SpecException($"event alphabet {eventType.Name} has no cases: declare sealed records deriving from it in {eventType.Assembly.GetName().Name}");
        return new Alphabet(eventType, cases);
    }
}
