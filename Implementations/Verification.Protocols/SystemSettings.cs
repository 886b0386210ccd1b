using Verification.Specs;

namespace Verification.Protocols;

/// <summary>
/// The settings in a system's name, "Kind[key=value;…]": schedules name the system they were recorded on, and
/// `verify replay` rebuilds the exact configuration from it. Missing or malformed settings are errors naming the key.
/// </summary>
public sealed class SystemSettings
{
    private readonly string name;
    private readonly Dictionary<string, string> settings;

    private SystemSettings(string name, Dictionary<string, string> settings)
    {
        this.name = name;
        this.settings = settings;
    }

    /// <summary>The settings of <paramref name="name"/> when it is a "<paramref name="kind"/>[…]" name, else null.</summary>
    public static SystemSettings? Parse(string name, string kind)
    {
        if (!name.StartsWith(kind + "[", StringComparison.Ordinal) || !name.EndsWith(']')) return null;
        var settings = name[(kind.Length + 1)..^1].Split(';').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p.Length == 2 ? p[1] : "");
        return new SystemSettings(name, settings);
    }

    private string Get(string key) => settings.TryGetValue(key, out var value) ? value : throw new SpecException($"'{name}' lacks the setting '{key}'");

    public int Int(string key) => int.TryParse(Get(key), out var n) ? n : throw new SpecException($"'{name}': {key} is not a number");

    public bool Bool(string key) => bool.TryParse(Get(key), out var b) ? b : throw new SpecException($"'{name}': {key} is not true or false");

    public T Enum<T>(string key) where T : struct, System.Enum =>
        System.Enum.TryParse<T>(Get(key), out var value) ? value : throw new SpecException($"'{name}': '{Get(key)}' is not a {typeof(T).Name} ({string.Join(", ", System.Enum.GetNames<T>())})");
}
