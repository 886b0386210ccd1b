using System.Buffers;
using System.Collections.Concurrent;
using System.Linq.Expressions;
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
/// an unknown case or member, a member given twice, a missing field, a value of the wrong type, a line longer than
/// <see cref="MaxLineBytes"/> — is an error naming the file and line.
/// </summary>
/// <remarks>
/// Reading works on UTF-8 bytes: lines are found in pooled buffers and parsed in place with <see cref="Utf8JsonReader"/>,
/// cases and fields are matched on their UTF-8 names, and each event is built by a compiled constructor call, so the
/// only allocations per line are the event itself and its string fields.
/// </remarks>
public static class HistoryFile
{
    /// <summary>The JSON member that names an event's case.</summary>
    public const string EventMember = "event";

    /// <summary>The longest line accepted, in bytes (1 MiB); reading stops there rather than buffering a runaway line.</summary>
    public const int MaxLineBytes = 1 << 20;

    /// <summary>
    /// The events of the history file at <paramref name="path"/>, read lazily, so a long log is checked in constant
    /// memory. A missing file throws <see cref="SpecException"/> at once; an unreadable file or a bad line throws it during enumeration, naming the file and line.
    /// </summary>
    public static IEnumerable<TEvent> Read<TEvent>(string path) where TEvent : class
    {
        if (!File.Exists(path)) throw new SpecException($"{path}: history file not found");
        return ReadStream<TEvent>(() => OpenFile(path), path);
    }

    private static Stream OpenFile(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SpecException($"{path}: cannot read the history file ({ex.Message})");
        }
    }

    /// <summary>Reads events lazily, so a long log is checked in constant memory.</summary>
    public static IEnumerable<TEvent> Read<TEvent>(TextReader reader, string source) where TEvent : class =>
        ReadStream<TEvent>(() => new Utf8TextStream(reader), source);

    /// <summary>The events of a history given as JSON Lines text, all parsed at once; errors name <paramref name="source"/> where a file's would name its path.</summary>
    public static IReadOnlyList<TEvent> Parse<TEvent>(string text, string source = "<text>") where TEvent : class =>
        ReadStream<TEvent>(() => new MemoryStream(Encoding.UTF8.GetBytes(text)), source).ToList();

    /// <summary>The events of a stream opened on the first MoveNext (so a file is opened only when read, and closed when the enumeration ends).</summary>
    private static IEnumerable<TEvent> ReadStream<TEvent>(Func<Stream> open, string source) where TEvent : class
    {
        var plan = AlphabetPlan.Of(Alphabet.Of<TEvent>());
        var scratch = new Scratch(plan.MaxFields);
        var lines = new LineReader(open(), source);
        try
        {
            while (lines.MoveNext())
            {
                if (lines.IsBlank()) continue;
                yield return (TEvent)ParseLine(plan, lines.Buffer, lines.LineStart, lines.LineLength, new Where(source, lines.LineNumber, null), scratch);
            }
        }
        finally
        {
            lines.Dispose();
        }
    }

    /// <summary>Writes <paramref name="events"/> as JSON Lines, one event per line, in the format the readers read back.</summary>
    public static void Write<TEvent>(IEnumerable<TEvent> events, TextWriter writer) where TEvent : class
    {
        foreach (var evt in events)
        {
            writer.WriteLine(JsonSerializer.Serialize(ToJson(evt)));
        }
    }

    /// <summary>The events as JSON Lines text (see <see cref="Write{TEvent}"/>).</summary>
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

    /// <summary>Where a value is: the file and line, and for a nested event the field path ("field \"E\" of Outer").</summary>
    private readonly record struct Where(string Source, long Line, string? Path)
    {
        public Where Field(string field, string eventCase) => this with { Path = (Path is null ? "" : Path + ": ") + $"field \"{field}\" of {eventCase}" };

        public override string ToString() => Path is null ? $"{Source}:{Line}" : $"{Source}:{Line}: {Path}";
    }

    /// <summary>Reused slots for the fields of the top-level event of a line (numbers, bools and enums as numbers; the rest as references).</summary>
    private sealed class Scratch(int fields)
    {
        public readonly long[] Numbers = new long[fields];
        public readonly object?[] References = new object?[fields];
    }

    private static object ParseLine(AlphabetPlan plan, byte[] buffer, int start, int length, Where where, Scratch scratch)
    {
        var line = new ReadOnlySpan<byte>(buffer, start, length);
        try
        {
            var reader = new Utf8JsonReader(line, isFinalBlock: true, state: default);
            if (!reader.Read()) throw new SpecException($"{where}: not valid JSON (no value)");
            var evt = ParseEvent(ref reader, plan, line, where, scratch);
            reader.Read(); // throws when something other than white space follows the object
            return evt;
        }
        catch (JsonException ex)
        {
            throw NotJson(where, ex);
        }
        catch (SpecException) when (FirstJsonError(line) is { } jsonError)
        {
            // A line that is not JSON is reported as such, whatever was found wrong before the syntax error.
            throw NotJson(where, jsonError);
        }
        catch (InvalidOperationException ex) when (ex.InnerException is DecoderFallbackException)
        {
            throw new SpecException($"{where}: not valid UTF-8 text in a string ({ex.Message})");
        }
    }

    private static SpecException NotJson(Where where, JsonException ex) =>
        new($"{where}: not valid JSON ({ex.Message.Split(" Path:")[0].Split(" LineNumber:")[0]})");

    private static JsonException? FirstJsonError(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line, isFinalBlock: true, state: default);
        try
        {
            while (reader.Read()) { }
            return null;
        }
        catch (JsonException ex)
        {
            return ex;
        }
    }

    /// <summary>Parses the object the reader is on into an event; leaves the reader on its closing brace.</summary>
    private static object ParseEvent(ref Utf8JsonReader reader, AlphabetPlan plan, ReadOnlySpan<byte> line, Where where, Scratch scratch)
    {
        var alphabet = plan.Alphabet;
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new SpecException($"{where}: expected an object like {{\"{EventMember}\": \"{alphabet.Cases[0].Name}\", ...}}, found {KindName(reader.TokenType)}");
        var objectStart = (int)reader.TokenStartIndex;
        reader.Read();
        CasePlan eventCase;
        var eventMembers = 0;
        if (reader.TokenType == JsonTokenType.PropertyName && IsEventMember(ref reader))
        {
            // The usual layout, "event" first: one pass.
            reader.Read();
            eventCase = ResolveCase(ref reader, plan, where);
            eventMembers = 1;
            reader.Read();
        }
        else
        {
            eventCase = FindCase(line[objectStart..], plan, where);
        }

        var fields = eventCase.Fields;
        var seen = 0UL; // which fields were given (a bit each; an array for cases of more than 64 fields)
        var seenMany = fields.Length <= 64 ? null : new bool[fields.Length];
        var found = 0;
        while (reader.TokenType == JsonTokenType.PropertyName)
        {
            if (IsEventMember(ref reader))
            {
                if (++eventMembers > 1) throw Duplicate(where, EventMember);
                reader.Read();
                reader.Skip();
                reader.Read();
                continue;
            }
            var (index, writtenName) = eventCase.FindField(ref reader, found);
            if (index < 0)
                throw new SpecException($"{where}: event {eventCase.Name} has no field \"{writtenName}\" ({eventCase.FieldList})");
            var fieldName = writtenName ?? fields[index].Name;
            var already = seenMany is null ? ((seen >> index) & 1) == 1 : seenMany[index];
            if (already) throw Duplicate(where, fieldName);
            if (seenMany is null) seen |= 1UL << index;
            else seenMany[index] = true;
            found++;
            reader.Read();
            ParseValue(ref reader, fields[index], line, where, fieldName, eventCase.Name, index, scratch);
            reader.Read();
        }
        if (found < fields.Length) throw Missing(eventCase, seen, seenMany, where);
        return eventCase.Create(scratch.Numbers, scratch.References);
    }

    /// <summary>A method of its own: a lambda over the caller's locals would allocate its closure on every event.</summary>
    private static SpecException Missing(CasePlan eventCase, ulong seen, bool[]? seenMany, Where where)
    {
        var missing = eventCase.Fields.Where((_, i) => seenMany is null ? ((seen >> i) & 1) == 0 : !seenMany[i]).Select(f => f.Name).ToList();
        return new SpecException($"{where}: event {eventCase.Name} is missing field{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing.Select(m => $"\"{m}\""))}");
    }

    private static ReadOnlySpan<byte> EventMemberUtf8 => "event"u8;

    private static bool IsEventMember(ref Utf8JsonReader reader) =>
        reader.ValueIsEscaped ? reader.ValueTextEquals(EventMemberUtf8) : reader.ValueSpan.SequenceEqual(EventMemberUtf8);

    private static SpecException Duplicate(Where where, string name) =>
        new($"{where}: duplicate key \"{name}\" in the event object (each member may appear once)");

    /// <summary>"event" is not the first member: scan the object (the text from its opening brace on) for it with a reader of its own.</summary>
    private static CasePlan FindCase(ReadOnlySpan<byte> objectText, AlphabetPlan plan, Where where)
    {
        var scan = new Utf8JsonReader(objectText, isFinalBlock: true, state: default);
        scan.Read();
        scan.Read();
        while (scan.TokenType == JsonTokenType.PropertyName)
        {
            var isEvent = IsEventMember(ref scan);
            scan.Read();
            if (isEvent) return ResolveCase(ref scan, plan, where);
            scan.Skip();
            scan.Read();
        }
        throw MissingEventMember(plan.Alphabet, where);
    }

    private static SpecException MissingEventMember(Alphabet alphabet, Where where) =>
        new($"{where}: missing the \"{EventMember}\" member naming the event case (one of {CaseList(alphabet)})");

    /// <summary>The case named by the string value the reader is on.</summary>
    private static CasePlan ResolveCase(ref Utf8JsonReader reader, AlphabetPlan plan, Where where)
    {
        if (reader.TokenType != JsonTokenType.String) throw MissingEventMember(plan.Alphabet, where);
        if (!reader.ValueIsEscaped)
        {
            foreach (var candidate in plan.Cases)
                if (reader.ValueSpan.SequenceEqual(candidate.NameUtf8)) return candidate;
        }
        var name = reader.GetString()!;
        foreach (var candidate in plan.Cases)
            if (candidate.Name == name) return candidate;
        throw new SpecException($"{where}: event \"{name}\" is not in the alphabet {plan.Alphabet.Name} (cases: {CaseList(plan.Alphabet)})");
    }

    private static void ParseValue(ref Utf8JsonReader reader, FieldPlan field, ReadOnlySpan<byte> line, Where where, string fieldName, string caseName, int slot, Scratch scratch)
    {
        switch (field.Kind)
        {
            case FieldKind.Int when reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var i):
                scratch.Numbers[slot] = i;
                return;
            case FieldKind.Long when reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var l):
                scratch.Numbers[slot] = l;
                return;
            case FieldKind.Bool when reader.TokenType is JsonTokenType.True or JsonTokenType.False:
                scratch.Numbers[slot] = reader.TokenType == JsonTokenType.True ? 1 : 0;
                return;
            case FieldKind.String when reader.TokenType == JsonTokenType.String:
                scratch.References[slot] = reader.GetString();
                return;
            case FieldKind.Enum when reader.TokenType == JsonTokenType.String:
                var text = reader.GetString()!;
                if (Enum.TryParse(field.Type, text, ignoreCase: false, out var parsed) && Enum.IsDefined(field.Type, parsed!))
                {
                    scratch.Numbers[slot] = Convert.ToInt64(parsed);
                    return;
                }
                throw new SpecException($"{where.Field(fieldName, caseName)}: \"{text}\" is not a {field.Type.Name} (one of {string.Join(", ", Enum.GetNames(field.Type))})");
            case FieldKind.Event when reader.TokenType == JsonTokenType.StartObject:
                var nested = AlphabetPlan.Of(Alphabet.Of(field.Type.IsAbstract ? field.Type : field.Type.BaseType!));
                var value = ParseEvent(ref reader, nested, line, where.Field(fieldName, caseName), new Scratch(nested.MaxFields));
                if (!field.Type.IsInstanceOfType(value))
                    throw new SpecException($"{where.Field(fieldName, caseName)}: expected {Describe(field.Type)}, found {Alphabet.Describe(value)}");
                scratch.References[slot] = value;
                return;
        }
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        var raw = Encoding.UTF8.GetString(line[start..(int)reader.BytesConsumed]);
        throw new SpecException($"{where.Field(fieldName, caseName)}: expected {Describe(field.Type)}, found {raw}");
    }

    private static string KindName(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        _ => token.ToString().ToLowerInvariant(),
    };

    private static string Describe(Type type) =>
        type == typeof(int) ? "a 32-bit integer" : type == typeof(long) ? "a 64-bit integer" : type == typeof(bool) ? "true or false"
        : type == typeof(string) ? "a string" : type.IsEnum ? $"a {type.Name} name" : $"a {type.Name} event object";

    private static string CaseList(Alphabet alphabet) => string.Join(", ", alphabet.Cases.Select(c => c.Name));

    private enum FieldKind { Int, Long, Bool, String, Enum, Event }

    private sealed record FieldPlan(string Name, byte[] NameUtf8, Type Type, FieldKind Kind);

    /// <summary>An event case prepared for reading: UTF-8 names and a compiled constructor call over the scratch slots.</summary>
    private sealed class CasePlan
    {
        private readonly Func<long[], object?[], object> create;

        public CasePlan(EventCase eventCase)
        {
            Name = eventCase.Name;
            NameUtf8 = Encoding.UTF8.GetBytes(eventCase.Name);
            Fields = eventCase.Fields.Select(f => new FieldPlan(f.Name, Encoding.UTF8.GetBytes(f.Name), f.Type, KindOf(f.Type))).ToArray();
            FieldList = Fields.Length == 0 ? "it has none" : "fields: " + string.Join(", ", Fields.Select(f => f.Name));
            var numbers = Expression.Parameter(typeof(long[]), "numbers");
            var references = Expression.Parameter(typeof(object?[]), "references");
            var arguments = Fields.Select((f, i) =>
            {
                var slot = Expression.Constant(i);
                return f.Kind switch
                {
                    FieldKind.Long => Expression.ArrayIndex(numbers, slot),
                    FieldKind.Int or FieldKind.Enum => Expression.Convert(Expression.ArrayIndex(numbers, slot), f.Type),
                    FieldKind.Bool => Expression.NotEqual(Expression.ArrayIndex(numbers, slot), Expression.Constant(0L)),
                    _ => (Expression)Expression.Convert(Expression.ArrayIndex(references, slot), f.Type),
                };
            });
            var body = Expression.Convert(Expression.New(eventCase.Constructor, arguments), typeof(object));
            create = Expression.Lambda<Func<long[], object?[], object>>(body, numbers, references).Compile();
        }

        public string Name { get; }
        public byte[] NameUtf8 { get; }
        public FieldPlan[] Fields { get; }
        public string FieldList { get; }

        public object Create(long[] numbers, object?[] references) => create(numbers, references);

        /// <summary>
        /// The field the property name the reader is on names: exactly (trying first the field that usually comes
        /// next), else ignoring case. Returns the name as written when it differs from the field's (or names none).
        /// </summary>
        public (int Index, string? WrittenName) FindField(ref Utf8JsonReader reader, int expected)
        {
            if (!reader.ValueIsEscaped)
            {
                var name = reader.ValueSpan;
                if (expected < Fields.Length && name.SequenceEqual(Fields[expected].NameUtf8)) return (expected, null);
                for (var i = 0; i < Fields.Length; i++)
                    if (name.SequenceEqual(Fields[i].NameUtf8)) return (i, null);
            }
            var text = reader.GetString()!;
            for (var i = 0; i < Fields.Length; i++)
                if (Fields[i].Name == text) return (i, null);
            for (var i = 0; i < Fields.Length; i++)
                if (string.Equals(Fields[i].Name, text, StringComparison.OrdinalIgnoreCase)) return (i, text);
            return (-1, text);
        }

        private static FieldKind KindOf(Type type) =>
            type == typeof(int) ? FieldKind.Int : type == typeof(long) ? FieldKind.Long : type == typeof(bool) ? FieldKind.Bool
            : type == typeof(string) ? FieldKind.String : type.IsEnum ? FieldKind.Enum : FieldKind.Event;
    }

    private sealed class AlphabetPlan
    {
        private static readonly ConcurrentDictionary<Alphabet, AlphabetPlan> Cache = new();

        private AlphabetPlan(Alphabet alphabet)
        {
            Alphabet = alphabet;
            Cases = alphabet.Cases.Select(c => new CasePlan(c)).ToArray();
            MaxFields = Cases.Max(c => c.Fields.Length);
        }

        public Alphabet Alphabet { get; }
        public CasePlan[] Cases { get; }
        public int MaxFields { get; }

        public static AlphabetPlan Of(Alphabet alphabet) => Cache.GetOrAdd(alphabet, a => new AlphabetPlan(a));
    }

    /// <summary>
    /// Splits a UTF-8 stream into lines (ending in \n, \r\n or \r) in a pooled buffer, without copying them out. A
    /// line longer than <see cref="MaxLineBytes"/> is an error as soon as that many bytes were buffered.
    /// </summary>
    private sealed class LineReader(Stream stream, string source) : IDisposable
    {
        private const int InitialSize = 64 * 1024;
        private const int MaxSize = MaxLineBytes + 64; // a whole line of the limit, its terminator, and room to read into
        private const int MinimumRead = 16;

        private int dataStart, dataEnd, scanFrom;
        private bool endOfStream, checkedByteOrderMark;

        public byte[] Buffer { get; private set; } = ArrayPool<byte>.Shared.Rent(InitialSize);
        public int LineStart { get; private set; }
        public int LineLength { get; private set; }
        public long LineNumber { get; private set; }

        public bool MoveNext()
        {
            while (true)
            {
                var pending = Buffer.AsSpan(scanFrom, dataEnd - scanFrom);
                var found = pending.IndexOfAny((byte)'\n', (byte)'\r');
                if (found >= 0)
                {
                    var end = scanFrom + found;
                    if (Buffer[end] == '\r' && end + 1 == dataEnd && !endOfStream)
                    {
                        // A \r at the end of what was read: whether \n follows decides where the next line starts.
                        scanFrom = end;
                        Fill();
                        continue;
                    }
                    var next = Buffer[end] == '\r' && end + 1 < dataEnd && Buffer[end + 1] == '\n' ? end + 2 : end + 1;
                    return Take(end, next);
                }
                scanFrom = dataEnd;
                if (endOfStream) return dataStart < dataEnd && Take(dataEnd, dataEnd);
                if (dataEnd - dataStart > MaxLineBytes) throw TooLong(LineNumber + 1);
                Fill();
            }
        }

        private bool Take(int end, int next)
        {
            LineNumber++;
            LineStart = dataStart;
            LineLength = end - dataStart;
            if (LineLength > MaxLineBytes) throw TooLong(LineNumber);
            dataStart = scanFrom = next;
            return true;
        }

        private SpecException TooLong(long lineNumber) =>
            new($"{source}:{lineNumber}: line longer than {MaxLineBytes} bytes (HistoryFile.MaxLineBytes); a history file holds one event per line");

        /// <summary>Reads more bytes after the pending ones, moving them to the front or into a larger buffer first when needed.</summary>
        private void Fill()
        {
            if (Buffer.Length - dataEnd < MinimumRead)
            {
                var pending = dataEnd - dataStart;
                var target = Buffer;
                if (Buffer.Length - pending < MinimumRead)
                    target = ArrayPool<byte>.Shared.Rent(Math.Min(Math.Max(2 * Buffer.Length, pending + MinimumRead), MaxSize));
                Array.Copy(Buffer, dataStart, target, 0, pending);
                if (!ReferenceEquals(target, Buffer))
                {
                    ArrayPool<byte>.Shared.Return(Buffer);
                    Buffer = target;
                }
                scanFrom -= dataStart;
                dataStart = 0;
                dataEnd = pending;
                if (Buffer.Length - dataEnd < MinimumRead) throw TooLong(LineNumber + 1); // the buffer is at its largest
            }
            var read = stream.Read(Buffer, dataEnd, Buffer.Length - dataEnd);
            if (read == 0) endOfStream = true;
            dataEnd += read;
            if (!checkedByteOrderMark && (dataEnd >= 3 || endOfStream))
            {
                checkedByteOrderMark = true;
                if (dataEnd >= 3 && dataStart == 0 && Buffer[0] == 0xEF && Buffer[1] == 0xBB && Buffer[2] == 0xBF) dataStart = scanFrom = 3; // a UTF-8 byte order mark
            }
        }

        /// <summary>Whether the current line holds only white space (as <see cref="string.IsNullOrWhiteSpace"/> decides).</summary>
        public bool IsBlank()
        {
            var line = Buffer.AsSpan(LineStart, LineLength);
            var first = line.IndexOfAnyExcept(" \t\f\v"u8);
            if (first < 0) return true;
            if (line[first] < 0x80) return false;
            return string.IsNullOrWhiteSpace(Encoding.UTF8.GetString(line)); // non-ASCII: rare, so decoding is fine
        }

        public void Dispose()
        {
            ArrayPool<byte>.Shared.Return(Buffer);
            Buffer = [];
            stream.Dispose();
        }
    }

    /// <summary>A <see cref="TextReader"/> seen as a stream of UTF-8 bytes, for the byte-based reader.</summary>
    private sealed class Utf8TextStream(TextReader reader) : Stream
    {
        private readonly Encoder encoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetEncoder();
        private readonly char[] chars = new char[4096];
        private int charStart, charEnd;
        private bool endOfText;

        public override int Read(byte[] buffer, int offset, int count)
        {
            while (true)
            {
                if (charStart == charEnd && !endOfText)
                {
                    charEnd = reader.Read(chars, 0, chars.Length);
                    charStart = 0;
                    endOfText = charEnd == 0;
                }
                encoder.Convert(chars, charStart, charEnd - charStart, buffer, offset, count, flush: endOfText, out var used, out var produced, out _);
                charStart += used;
                if (produced > 0 || endOfText) return produced;
            }
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
