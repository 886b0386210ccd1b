using System.Text;
using System.Text.Json;

namespace Verification.Specs;

/// <summary>
/// Histories as files, for checking a log recorded elsewhere (trace validation). The format is JSON Lines: one event
/// per line, an object whose "event" member names the case and whose other members are the case's fields by name;
/// blank lines are skipped. For example:
/// <code>
/// {"event": "Tick"}
/// {"event": "Right", "X": 3}
/// {"event": "Dispatch", "Process": 1}
/// </code>
/// Enum fields are written as their names, event-valued fields as nested objects of the same form. Anything else —
/// an unknown case or member, a missing field, a value of the wrong type — is an error naming the file and line.
/// </summary>
public static class HistoryFile
{
    public const string EventMember = "event";

    public static IEnumerable<TEvent> Read<TEvent>(string path) where TEvent : class
    {
        if (!File.Exists(path)) throw new SpecException($"{path}: history file not found");
        return ReadLines<TEvent>(path);
    }

    private static IEnumerable<TEvent> ReadLines<TEvent>(string path) where TEvent : class
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        foreach (var evt in Read<TEvent>(reader, path)) yield return evt;
    }

    /// <summary>Reads events lazily, so a long log is checked in constant memory.</summary>
    public static IEnumerable<TEvent> Read<TEvent>(TextReader reader, string source) where TEvent : class
    {
        var alphabet = Alphabet.Of<TEvent>();
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException ex)
            {
                throw new SpecException($"{source}:{lineNumber}: not valid JSON ({ex.Message.Split(" Path:")[0].Split(" LineNumber:")[0]})");
            }
            using (document)
                yield return (TEvent)ParseEvent(alphabet, document.RootElement, $"{source}:{lineNumber}");
        }
    }

    public static IReadOnlyList<TEvent> Parse<TEvent>(string text, string source = "<text>") where TEvent : class =>
        Read<TEvent>(new StringReader(text), source).ToList();

    public static void Write<TEvent>(IEnumerable<TEvent> events, TextWriter writer) where TEvent : class
    {
        foreach (var evt in events)
        {
            writer.WriteLine(JsonSerializer.Serialize(ToJson(evt)));
        }
    }

    public static string Format<TEvent>(IEnumerable<TEvent> events) where TEvent : class
    {
        var writer = new StringWriter();
        Write(events, writer);
        return writer.ToString();
    }

    private static Dictionary<string, object?> ToJson(object evt)
    {
        var alphabet = Alphabet.Of(evt.GetType().BaseType!);
        var eventCase = alphabet.CaseOf(evt);
        var json = new Dictionary<string, object?> { [EventMember] = eventCase.Name };
        foreach (var field in eventCase.Fields)
        {
            var value = field.Property.GetValue(evt);
            json[field.Name] = value switch
            {
                Enum e => e.ToString(),
                not null when Alphabet.IsEvent(value.GetType()) => ToJson(value),
                _ => value,
            };
        }
        return json;
    }

    private static object ParseEvent(Alphabet alphabet, JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new SpecException($"{where}: expected an object like {{\"{EventMember}\": \"{alphabet.Cases[0].Name}\", ...}}, found {element.ValueKind.ToString().ToLowerInvariant()}");
        if (!element.TryGetProperty(EventMember, out var name) || name.ValueKind != JsonValueKind.String)
            throw new SpecException($"{where}: missing the \"{EventMember}\" member naming the event case (one of {CaseList(alphabet)})");
        if (!alphabet.TryGetCase(name.GetString()!, out var eventCase))
            throw new SpecException($"{where}: event \"{name.GetString()}\" is not in the alphabet {alphabet.Name} (cases: {CaseList(alphabet)})");
        var values = new object?[eventCase.Fields.Count];
        var seen = new bool[eventCase.Fields.Count];
        foreach (var member in element.EnumerateObject())
        {
            if (member.Name == EventMember) continue;
            var fieldIndex = FindField(eventCase, member.Name);
            if (fieldIndex < 0)
                throw new SpecException($"{where}: event {eventCase.Name} has no field \"{member.Name}\" ({FieldList(eventCase)})");
            var field = eventCase.Fields[fieldIndex];
            values[fieldIndex] = ParseValue(field.Type, member.Value, $"{where}: field \"{member.Name}\" of {eventCase.Name}");
            seen[fieldIndex] = true;
        }
        var missing = eventCase.Fields.Where((_, i) => !seen[i]).Select(f => f.Name).ToList();
        if (missing.Count > 0)
            throw new SpecException($"{where}: event {eventCase.Name} is missing field{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing.Select(m => $"\"{m}\""))}");
        return eventCase.Create(values);
    }

    private static int FindField(EventCase eventCase, string name)
    {
        for (var i = 0; i < eventCase.Fields.Count; i++)
            if (eventCase.Fields[i].Name == name) return i;
        for (var i = 0; i < eventCase.Fields.Count; i++)
            if (string.Equals(eventCase.Fields[i].Name, name, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    private static object? ParseValue(Type type, JsonElement value, string where)
    {
        try
        {
            if (type == typeof(int) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var i)) return i;
            if (type == typeof(long) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var l)) return l;
            if (type == typeof(bool) && value.ValueKind is JsonValueKind.True or JsonValueKind.False) return value.GetBoolean();
            if (type == typeof(string) && value.ValueKind == JsonValueKind.String) return value.GetString();
            if (type.IsEnum && value.ValueKind == JsonValueKind.String)
            {
                if (Enum.TryParse(type, value.GetString(), ignoreCase: false, out var parsed) && Enum.IsDefined(type, parsed!)) return parsed;
                throw new SpecException($"{where}: \"{value.GetString()}\" is not a {type.Name} (one of {string.Join(", ", Enum.GetNames(type))})");
            }
            if (Alphabet.IsEvent(type) && value.ValueKind == JsonValueKind.Object)
                return ParseEvent(Alphabet.Of(type.IsAbstract ? type : type.BaseType!), value, where);
        }
        catch (FormatException) { }
        throw new SpecException($"{where}: expected {Describe(type)}, found {value.GetRawText()}");
    }

    private static string Describe(Type type) =>
        type == typeof(int) ? "a 32-bit integer" : type == typeof(long) ? "a 64-bit integer" : type == typeof(bool) ? "true or false"
        : type == typeof(string) ? "a string" : type.IsEnum ? $"a {type.Name} name" : $"a {type.Name} event object";

    private static string CaseList(Alphabet alphabet) => string.Join(", ", alphabet.Cases.Select(c => c.Name));

    private static string FieldList(EventCase eventCase) =>
        eventCase.Fields.Count == 0 ? "it has none" : "fields: " + string.Join(", ", eventCase.Fields.Select(f => f.Name));
}
