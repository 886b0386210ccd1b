using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Verification.Specs;

namespace Verification.Runtime;

/// <summary>
/// Which registered system built a protocol, and with which configuration: what a saved schedule records, so that a
/// replay rebuilds exactly that system (its nodes, spec and history checks) and refuses any other.
/// </summary>
/// <param name="System">The system's registered name (<see cref="ISystemDefinition.Name"/>).</param>
/// <param name="Configuration">The configuration as canonical JSON (see <see cref="SystemConfiguration"/>).</param>
public sealed record SystemIdentity(string System, string Configuration)
{
    public override string ToString() => $"{System} {Configuration}";

    /// <summary>Same system, same configuration (as JSON values, whatever the white space).</summary>
    public bool Matches(SystemIdentity other) => System == other.System && SystemConfiguration.Same(Configuration, other.Configuration);
}

/// <summary>A protocol seen without its type parameters, for registries, command lines and replay.</summary>
public interface IProtocol
{
    string Name { get; }
    int Nodes { get; }

    /// <summary>Set when a registered system built this protocol; null for a protocol assembled by hand.</summary>
    SystemIdentity? Identity { get; }

    /// <summary>Calls the visitor with the typed protocol (how untyped code gets to run a typed checker on it).</summary>
    TResult Accept<TResult>(IProtocolVisitor<TResult> visitor);
}

/// <summary>Something done to a protocol whatever its node state, message and spec event types are.</summary>
public interface IProtocolVisitor<out TResult>
{
    TResult Visit<TState, TMessage, TSpecEvent>(Protocol<TState, TMessage, TSpecEvent> protocol)
        where TState : class where TMessage : notnull where TSpecEvent : class;
}

/// <summary>
/// A system: a protocol family (nodes, spec, history checks) with a configuration record, registered once by
/// declaring a class that derives from <see cref="SystemDefinition{TConfig, TState, TMessage, TSpecEvent}"/>. The
/// command line, the catalog of checks, the benchmarks, the tests and replay all build systems through it.
/// </summary>
public interface ISystemDefinition
{
    /// <summary>The registered name, unique among the systems of an assembly (e.g. "Raft").</summary>
    string Name { get; }

    string Description { get; }

    /// <summary>The named configurations (e.g. "default", "exhaustive", "bug:ForgetsVote"), in a fixed order.</summary>
    IReadOnlyList<string> ConfigurationNames { get; }

    /// <summary>The system in a named configuration; an unknown name is an error listing the known ones.</summary>
    IProtocol Build(string configurationName);

    /// <summary>The system in a configuration given as JSON (as a schedule records it); malformed JSON is an error naming the system.</summary>
    IProtocol BuildFromJson(string configuration);
}

/// <summary>
/// The one place a protocol family is defined as a system: how a configuration becomes a protocol, and which
/// configurations have names. Configurations are records that round-trip through JSON (enums by name), so a schedule
/// can name the exact configuration it was recorded on.
/// </summary>
public abstract class SystemDefinition<TConfig, TState, TMessage, TSpecEvent> : ISystemDefinition
    where TConfig : class where TState : class where TMessage : notnull where TSpecEvent : class
{
    public abstract string Name { get; }

    public abstract string Description { get; }

    /// <summary>The named configurations; the first is the default.</summary>
    public abstract IReadOnlyList<(string Name, TConfig Configuration)> Configurations { get; }

    /// <summary>The nodes, spec and checks of the system in <paramref name="configuration"/> (without its identity; <see cref="Build(TConfig)"/> adds it).</summary>
    protected abstract Protocol<TState, TMessage, TSpecEvent> Create(TConfig configuration);

    public IReadOnlyList<string> ConfigurationNames => Configurations.Select(c => c.Name).ToList();

    /// <summary>The system in <paramref name="configuration"/>, stamped with its identity.</summary>
    public Protocol<TState, TMessage, TSpecEvent> Build(TConfig configuration) =>
        Create(configuration) with { Identity = new SystemIdentity(Name, SystemConfiguration.ToJson(configuration)), DefinedIn = GetType().Assembly };

    public Protocol<TState, TMessage, TSpecEvent> Build(string configurationName) => Build(Configuration(configurationName));

    IProtocol ISystemDefinition.Build(string configurationName) => Build(configurationName);

    IProtocol ISystemDefinition.BuildFromJson(string configuration) => Build(SystemConfiguration.FromJson<TConfig>(configuration, Name));

    /// <summary>A named configuration; an unknown name is an error listing the known ones.</summary>
    public TConfig Configuration(string name)
    {
        foreach (var (known, configuration) in Configurations)
            if (string.Equals(known, name, StringComparison.OrdinalIgnoreCase)) return configuration;
        throw new SpecException($"system '{Name}' has no configuration named '{name}' (it has {string.Join(", ", ConfigurationNames)})");
    }
}

/// <summary>Configurations as canonical JSON: enums by name, compact, in declaration order, so equal configurations have equal text.</summary>
public static class SystemConfiguration
{
    private static readonly JsonSerializerOptions Options = new()
    {
        Converters = { new JsonStringEnumConverter() },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static string ToJson<TConfig>(TConfig configuration) where TConfig : class => JsonSerializer.Serialize(configuration, Options);

    /// <summary>Whether two configuration texts are the same JSON value up to white space (null when one is not JSON).</summary>
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

/// <summary>
/// Finds systems: every public, non-abstract <see cref="ISystemDefinition"/> with a parameterless constructor in an
/// assembly is registered (declaring the class is the registration).
/// </summary>
public static class SystemRegistry
{
    private static readonly Dictionary<Assembly, IReadOnlyList<ISystemDefinition>> Cache = [];

    public static IReadOnlyList<ISystemDefinition> In(Assembly assembly)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(assembly, out var found)) return found;
            var systems = assembly.GetExportedTypes()
                .Where(t => typeof(ISystemDefinition).IsAssignableFrom(t) && !t.IsAbstract && !t.IsGenericTypeDefinition && t.GetConstructor(Type.EmptyTypes) is not null)
                .Select(t => (ISystemDefinition)Activator.CreateInstance(t)!)
                .OrderBy(s => s.Name, StringComparer.Ordinal)
                .ToList();
            var duplicate = systems.GroupBy(s => s.Name).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
                throw new SpecException($"{assembly.GetName().Name} registers two systems named '{duplicate.Key}'");
            Cache[assembly] = systems;
            return systems;
        }
    }

    /// <summary>The system named <paramref name="name"/> among <paramref name="systems"/>; an error listing them otherwise.</summary>
    public static ISystemDefinition Find(IReadOnlyList<ISystemDefinition> systems, string name) =>
        systems.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new SpecException($"no system named '{name}' (known: {string.Join(", ", systems.Select(s => s.Name))})");
}
