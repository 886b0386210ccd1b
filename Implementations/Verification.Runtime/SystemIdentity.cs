using System.Text.Json;
using System.Text.Json.Serialization;
using Verification.Specs;

namespace Verification.Runtime;

/// <summary>
/// Which registered system built a protocol, and with which configuration: what a saved schedule records, so that a
/// replay rebuilds exactly that system (its nodes, spec and history checks) and refuses any other.
/// </summary>
/// <param name="System">The system's registered name.</param>
/// <param name="Configuration">The configuration as canonical JSON (see <see cref="SystemConfiguration"/>).</param>
public sealed record SystemIdentity(string System, string Configuration)
{
    /// <summary>The system's name and its configuration, as reports show them.</summary>
    public override string ToString() => $"{System} {Configuration}";

    /// <summary>Same system, same configuration (as JSON values, whatever the white space).</summary>
    public bool Matches(SystemIdentity other) => System == other.System && SystemConfiguration.Same(Configuration, other.Configuration);
}

/// <summary>A protocol seen without its type parameters, for registries, command lines and replay.</summary>
public interface IProtocol
{
    /// <summary>The protocol's name, as reports and saved schedules show it.</summary>
    string Name { get; }

    /// <summary>N, the number of nodes: n0..n(N−1).</summary>
    int Nodes { get; }

    /// <summary>Set when a registered system built this protocol; null for a protocol assembled by hand.</summary>
    SystemIdentity? Identity { get; }

    /// <summary>Calls the visitor with the typed protocol (how untyped code gets to run a typed checker on it).</summary>
    TResult Accept<TResult>(IProtocolVisitor<TResult> visitor);
}

/// <summary>Something done to a protocol whatever its node state, message and spec event types are.</summary>
public interface IProtocolVisitor<out TResult>
{
    /// <summary>Does the visitor's work on <paramref name="protocol"/>, its type parameters now known.</summary>
    TResult Visit<TState, TMessage, TTimer, TDurable, TSpecEvent>(Protocol<TState, TMessage, TTimer, TDurable, TSpecEvent> protocol)
        where TState : class where TMessage : notnull where TTimer : notnull where TDurable : class where TSpecEvent : class;
}

/// <summary>Configurations as canonical JSON: enums by name, compact, in declaration order, so equal configurations have equal text.</summary>
public static class SystemConfiguration
{
    private static readonly JsonSerializerOptions Options = new()
    {
        Converters = { new JsonStringEnumConverter() },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>A configuration as canonical JSON, what <see cref="SystemIdentity.Configuration"/> holds.</summary>
    public static string ToJson<TConfig>(TConfig configuration) where TConfig : class => JsonSerializer.Serialize(configuration, Options);

    /// <summary>Whether two configuration texts are the same JSON value up to white space (false when one is not JSON).</summary>
    public static bool Same(string a, string b)
    {
        try
        {
            using var left = JsonDocument.Parse(a);
            using var right = JsonDocument.Parse(b);
            return JsonSerializer.Serialize(left.RootElement) == JsonSerializer.Serialize(right.RootElement);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// Reads a configuration back from JSON; text that is not a <typeparamref name="TConfig"/> (an unknown member, a
    /// value of the wrong type) throws <see cref="SpecException"/> naming the system <paramref name="system"/>.
    /// </summary>
    public static TConfig FromJson<TConfig>(string json, string system) where TConfig : class
    {
        try
        {
            return JsonSerializer.Deserialize<TConfig>(json, Options) ?? throw new SpecException($"system '{system}': the configuration is null");
        }
        catch (JsonException ex)
        {
            throw new SpecException($"system '{system}': the configuration {json} is not a {typeof(TConfig).Name} ({ex.Message.Split(" Path:")[0]})");
        }
    }
}

