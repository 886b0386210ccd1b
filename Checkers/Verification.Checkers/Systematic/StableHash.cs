namespace Verification.Checkers.Systematic;

/// <summary>
/// FNV-1a over the UTF-16 code units of text: the same in every process and on every machine (unlike
/// <see cref="string.GetHashCode()"/>, which is randomised per process), for fingerprints saved in schedule files.
/// </summary>
internal static class StableHash
{
    public const ulong Start = 14695981039346656037UL;

    public static ulong Add(ulong hash, string text)
    {
        foreach (var c in text) hash = (hash ^ c) * 1099511628211UL;
        return (hash ^ 0xFF) * 1099511628211UL; // a separator, so ("ab","c") and ("a","bc") differ
    }

    public static ulong Of(string text) => Add(Start, text);
}
