using System.Text.Json;
using Verification.Cli.Catalog;

namespace Verification.Cli;

/// <summary>One line of the report: what was checked, what verdict it must have, what it had, and how long it took.</summary>
internal sealed record CheckRecord(string Name, CheckKind Kind, string Expected, string Actual, bool Passed, double Seconds, string Detail, string Coverage);

internal sealed record Report(IReadOnlyList<CheckRecord> Checks, double Seconds)
{
    private static readonly JsonSerializerOptions ReportJson = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public int Passed => Checks.Count(c => c.Passed);
    public int Failed => Checks.Count(c => !c.Passed);

    /// <summary>Fails at once, with the reason, when the report could not be written to <paramref name="path"/> later.</summary>
    public static void EnsureWritable(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new Specs.SpecException("--json needs a file path (got an empty one)");
        if (Directory.Exists(path)) throw new Specs.SpecException($"--json {path}: is a directory, not a file");
        try
        {
            using var probe = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new Specs.SpecException($"--json {path}: cannot write the report there ({ex.Message})");
        }
    }

    public void WriteJson(string path)
    {
        var json = JsonSerializer.Serialize(new
        {
            tool = "verify",
            passed = Passed,
            failed = Failed,
            seconds = Math.Round(Seconds, 3),
            checks = Checks.Select(c => new
            {
                c.Name,
                Kind = Words<CheckKind>.Name(c.Kind),
                c.Expected,
                c.Actual,
                c.Passed,
                c.Coverage,
                Seconds = Math.Round(c.Seconds, 3),
                c.Detail,
            }),
        }, ReportJson);
        File.WriteAllText(path, json + "\n");
    }
}

/// <summary>Enums as the words people read in the table and the JSON: "planted-bug", "not-inductive".</summary>
internal static class Words<TEnum> where TEnum : struct, Enum
{
    public static string Name(TEnum value) => string.Concat(value.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
