using System.Globalization;
using System.Text;
using Verification.Specs;

namespace Verification.Checkers.Linearizability;

/// <summary>An EDN value: nil, bool, integer, string, keyword (":f"), symbol, vector/list, map or set; with the line it starts on.</summary>
/// <param name="Kind">What the value is.</param>
/// <param name="Value">Its content, by kind (see <see cref="EdnKind"/>).</param>
/// <param name="Line">The line it starts on.</param>
public sealed record EdnValue(EdnKind Kind, object? Value, int Line)
{
    /// <summary>The elements of a vector, list or set, or a map's keys and values alternating; only for those kinds.</summary>
    public IReadOnlyList<EdnValue> Items => (IReadOnlyList<EdnValue>)Value!;

    /// <summary>Whether this is the keyword :<paramref name="name"/> (given without the colon).</summary>
    public bool IsKeyword(string name) => Kind == EdnKind.Keyword && (string)Value! == name;

    /// <summary>The value of key :<paramref name="keyword"/> in a map, or null when absent.</summary>
    public EdnValue? Get(string keyword)
    {
        var items = Items;
        for (var i = 0; i + 1 < items.Count; i += 2)
            if (items[i].IsKeyword(keyword)) return items[i + 1];
        return null;
    }

    /// <summary>The value in EDN-like text for error messages: <c>nil</c>, <c>:cas</c>, <c>"x"</c>; collections in square brackets.</summary>
    public override string ToString() => Kind switch
    {
        EdnKind.Nil => "nil",
        EdnKind.Keyword => ":" + Value,
        EdnKind.String => $"\"{Value}\"",
        EdnKind.Vector or EdnKind.List or EdnKind.Set or EdnKind.Map => "[" + string.Join(" ", Items) + "]",
        _ => Convert.ToString(Value, CultureInfo.InvariantCulture) ?? "",
    };
}

/// <summary>What an <see cref="EdnValue"/> is, and so what its <see cref="EdnValue.Value"/> holds.</summary>
public enum EdnKind
{
    /// <summary><c>nil</c>; the value is null.</summary>
    Nil,

    /// <summary><c>true</c> or <c>false</c>; the value is a bool.</summary>
    Bool,

    /// <summary>An integer of at most 64 bits (a trailing N allowed); the value is a long.</summary>
    Integer,

    /// <summary>A floating-point number (a trailing M allowed); the value is a double.</summary>
    Float,

    /// <summary>A string in double quotes; the value is the string, escapes resolved.</summary>
    String,

    /// <summary>A keyword such as <c>:cas</c>; the value is its name without the colon.</summary>
    Keyword,

    /// <summary>Any other bare token; the value is its text.</summary>
    Symbol,

    /// <summary><c>[…]</c>; the elements are in <see cref="EdnValue.Items"/>.</summary>
    Vector,

    /// <summary><c>(…)</c>; the elements are in <see cref="EdnValue.Items"/>.</summary>
    List,

    /// <summary><c>{…}</c>; keys and values alternate in <see cref="EdnValue.Items"/> (look one up with <see cref="EdnValue.Get"/>).</summary>
    Map,

    /// <summary><c>#{…}</c>; the elements are in <see cref="EdnValue.Items"/>.</summary>
    Set,
}

/// <summary>A small EDN reader (what Jepsen histories use); errors name the file and line.</summary>
/// <param name="text">The EDN text.</param>
/// <param name="source">The file name errors give.</param>
/// <param name="firstLine">The line number of the text's first line.</param>
public sealed class EdnReader(string text, string source, int firstLine = 1)
{
    private int position;
    private int line = firstLine;

    /// <summary>
    /// Every top-level value of <paramref name="text"/>; bad syntax throws <see cref="SpecException"/> naming
    /// <paramref name="source"/> and the line, counted from <paramref name="firstLine"/> (for text cut from a file).
    /// </summary>
    public static IReadOnlyList<EdnValue> ReadAll(string text, string source, int firstLine = 1)
    {
        var reader = new EdnReader(text, source, firstLine);
        var values = new List<EdnValue>();
        while (reader.SkipSpace()) values.Add(reader.Read());
        return values;
    }

    private SpecException Error(string message) => new($"{source}:{line}: {message}");

    /// <summary>Skips whitespace, commas and comments; false at the end of the text.</summary>
    private bool SkipSpace()
    {
        while (position < text.Length)
        {
            var c = text[position];
            if (c == '\n') line++;
            if (char.IsWhiteSpace(c) || c == ',') position++;
            else if (c == ';')
                while (position < text.Length && text[position] != '\n') position++;
            else return true;
        }
        return false;
    }

    private EdnValue Read()
    {
        if (!SkipSpace()) throw Error("unexpected end of input");
        var start = line;
        var c = text[position];
        switch (c)
        {
            case '[': position++; return new EdnValue(EdnKind.Vector, ReadUntil(']'), start);
            case '(': position++; return new EdnValue(EdnKind.List, ReadUntil(')'), start);
            case '{':
                position++;
                var items = ReadUntil('}');
                if (items.Count % 2 != 0) throw Error("a map needs an even number of forms");
                return new EdnValue(EdnKind.Map, items, start);
            case '#' when position + 1 < text.Length && text[position + 1] == '{':
                position += 2;
                return new EdnValue(EdnKind.Set, ReadUntil('}'), start);
            case '"': return new EdnValue(EdnKind.String, ReadString(), start);
            case ']' or ')' or '}': throw Error($"unexpected '{c}'");
        }
        var tokenStart = position;
        while (position < text.Length && !char.IsWhiteSpace(text[position]) && text[position] is not (',' or '[' or ']' or '(' or ')' or '{' or '}' or '"' or ';')) position++;
        var token = text[tokenStart..position];
        if (token.Length == 0) throw Error($"unexpected '{c}'");
        if (token == "nil") return new EdnValue(EdnKind.Nil, null, start);
        if (token is "true" or "false") return new EdnValue(EdnKind.Bool, token == "true", start);
        if (token[0] == ':') return new EdnValue(EdnKind.Keyword, token[1..], start);
        if (long.TryParse(token.TrimEnd('N'), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)) return new EdnValue(EdnKind.Integer, integer, start);
        if (IsIntegerToken(token)) throw Error($"the integer {token} does not fit in 64 bits");
        if (double.TryParse(token.TrimEnd('M'), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)) return new EdnValue(EdnKind.Float, number, start);
        return new EdnValue(EdnKind.Symbol, token, start);
    }

    /// <summary>EDN's integer syntax: an optional sign, digits, and an optional N (arbitrary precision).</summary>
    private static bool IsIntegerToken(string token)
    {
        var digits = token.AsSpan(token[0] is '+' or '-' ? 1 : 0);
        if (digits.EndsWith("N")) digits = digits[..^1];
        return digits.Length > 0 && !digits.ContainsAnyExceptInRange('0', '9');
    }

    private List<EdnValue> ReadUntil(char close)
    {
        var items = new List<EdnValue>();
        while (true)
        {
            if (!SkipSpace()) throw Error($"missing '{close}'");
            if (text[position] == close)
            {
                position++;
                return items;
            }
            items.Add(Read());
        }
    }

    private string ReadString()
    {
        var value = new StringBuilder();
        position++;
        while (position < text.Length)
        {
            var c = text[position++];
            if (c == '"') return value.ToString();
            if (c == '\n') line++;
            if (c == '\\' && position < text.Length)
            {
                var escaped = text[position++];
                value.Append(escaped switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => escaped });
            }
            else value.Append(c);
        }
        throw Error("unterminated string");
    }
}
