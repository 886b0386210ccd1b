using System.Text;

namespace Verification.Checkers.Smt;

/// <summary>An S-expression from Z3's output: an atom (symbol, numeral, string) or a list.</summary>
/// <param name="Atom">The atom's text; null for a list.</param>
/// <param name="Items">A list's elements; empty for an atom.</param>
/// <param name="IsString">Whether the atom was a quoted string (its text is then unquoted).</param>
public sealed record SExpression(string? Atom, IReadOnlyList<SExpression> Items, bool IsString = false)
{
    /// <summary>Whether this is a list (see <see cref="Items"/>) rather than an atom.</summary>
    public bool IsList => Atom is null;

    /// <summary>The expression in SMT-LIB2 syntax, a string atom quoted (with "" for a quote inside).</summary>
    public override string ToString() =>
        IsList ? $"({string.Join(" ", Items)})" : IsString ? $"\"{Atom!.Replace("\"", "\"\"")}\"" : Atom!;

    /// <summary>Parses every top-level expression in <paramref name="text"/>.</summary>
    public static IReadOnlyList<SExpression> ParseAll(string text)
    {
        var position = 0;
        var result = new List<SExpression>();
        while (true)
        {
            SkipSpace(text, ref position);
            if (position >= text.Length) return result;
            result.Add(Parse(text, ref position));
        }
    }

    private static SExpression Parse(string text, ref int position)
    {
        SkipSpace(text, ref position);
        if (position >= text.Length) throw new FormatException("unexpected end of solver output");
        var c = text[position];
        if (c == '(')
        {
            position++;
            var items = new List<SExpression>();
            while (true)
            {
                SkipSpace(text, ref position);
                if (position >= text.Length) throw new FormatException("unbalanced parenthesis in solver output");
                if (text[position] == ')')
                {
                    position++;
                    return new SExpression(null, items);
                }
                items.Add(Parse(text, ref position));
            }
        }
        if (c == ')') throw new FormatException("unexpected ')' in solver output");
        if (c == '"')
        {
            var value = new StringBuilder();
            position++;
            while (position < text.Length)
            {
                if (text[position] == '"')
                {
                    if (position + 1 < text.Length && text[position + 1] == '"')
                    {
                        value.Append('"');
                        position += 2;
                        continue;
                    }
                    position++;
                    return new SExpression(value.ToString(), [], IsString: true);
                }
                value.Append(text[position++]);
            }
            throw new FormatException("unterminated string in solver output");
        }
        if (c == '|')
        {
            var end = text.IndexOf('|', position + 1);
            if (end < 0) throw new FormatException("unterminated |symbol| in solver output");
            var symbol = text[(position + 1)..end];
            position = end + 1;
            return new SExpression(symbol, []);
        }
        var start = position;
        while (position < text.Length && !char.IsWhiteSpace(text[position]) && text[position] is not '(' and not ')') position++;
        return new SExpression(text[start..position], []);
    }

    private static void SkipSpace(string text, ref int position)
    {
        while (position < text.Length)
        {
            if (char.IsWhiteSpace(text[position])) position++;
            else if (text[position] == ';')
                while (position < text.Length && text[position] != '\n') position++;
            else return;
        }
    }
}
