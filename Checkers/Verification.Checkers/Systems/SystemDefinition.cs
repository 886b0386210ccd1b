using System.Reflection;
using Verification.Checkers.Systematic;
using Verification.Runtime;
using Verification.Specs;

namespace Verification.Checkers;

/// <summary>
/// A system: a protocol family (nodes, spec, history checks) with a configuration record, registered once by
/// declaring a class that derives from <see cref="SystemDefinition{TConfig, TState, TMessage, TTimer, TDurable, TSpecEvent}"/>. The
/// command line, the catalog of checks, the benchmarks, the tests and replay all build systems through it.
/// </summary>
public interface ISystemDefinition
{
    /// <summary>The registered name, unique among the systems of an assembly (e.g. "Raft").</summary>
    string Name { get; }

    /// <summary>One line on what the system is, as the command line's list shows it.</summary>
    string Description { get; }

    /// <summary>The named configurations (e.g. "default", "exhaustive", "bug:ForgetsVote"), in a fixed order.</summary>
    IReadOnlyList<string> ConfigurationNames { get; }

    /// <summary>The system in a named configuration; an unknown name is an error listing the known ones.</summary>
    IProtocol Build(string configurationName);

    /// <summary>The system in a configuration given as JSON (as a schedule records it); malformed JSON is an error naming the system.</summary>
    IProtocol BuildFromJson(string configuration);

    /// <summary>The checks this system declares about itself, each with the verdict it must have (the default check runs them).</summary>
    IReadOnlyList<SystemCheck> Checks { get; }

    /// <summary>
    /// Runs one of the system's checks (its options with <paramref name="adjust"/> applied: a seed, cores, a schedule
    /// directory). A violation it expects must also replay from its saved schedule to the same history, or the check
    /// throws: a counterexample that does not reproduce is worth nothing.
    /// </summary>
    CheckResult Run(SystemCheck check, Func<TestOptions, TestOptions>? adjust = null);
}

/// <summary>
/// The one place a protocol family is defined as a system: how a configuration becomes a protocol, and which
/// configurations have names. Configurations are records that round-trip through JSON (enums by name), so a schedule
/// can name the exact configuration it was recorded on.
/// </summary>
public abstract class SystemDefinition<TConfig, TState, TMessage, TTimer, TDurable, TSpecEvent> : ISystemDefinition
    where TConfig : class where TState : class where TMessage : notnull where TTimer : notnull where TDurable : class where TSpecEvent : class
{
    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public abstract string Description { get; }

    /// <summary>The named configurations; the first is the default.</summary>
    public abstract IReadOnlyList<(string Name, TConfig Configuration)> Configurations { get; }

    /// <summary>The nodes, spec and checks of the system in <paramref name="configuration"/> (without its identity; <see cref="Build(TConfig)"/> adds it).</summary>
    protected abstract Protocol<TState, TMessage, TTimer, TDurable, TSpecEvent> Create(TConfig configuration);

    /// <inheritdoc/>
    public virtual IReadOnlyList<SystemCheck> Checks => [];

    /// <inheritdoc/>
    public CheckResult Run(SystemCheck check, Func<TestOptions, TestOptions>? adjust = null)
    {
        var protocol = Build(check.Configuration);
        CheckNamedProperties(protocol, check);
        var options = adjust is null ? check.Method.Options : adjust(check.Method.Options);
        var tester = protocol.Tester(options);
        var result = check.Method switch
        {
            RandomRuns => tester.Run(),
            ExhaustiveSearch search => tester.Explore(search.MaxDepth, maxInFlight: search.MaxInFlight, order: search.Order, store: search.Store, partialOrder: search.PartialOrder),
            LivelockSearch search => tester.FindLivelock(search.MaxDepth, search.MaxInFlight),
            _ => throw new SpecException($"{Name}: unknown check method {check.Method.GetType().Name}"),
        };
        if (check.Expected.Verdict == Verdict.Violated && result.Bug is { } bug)
        {
            var replay = tester.Replay(bug.SchedulePath is not null ? Schedule.Load(bug.SchedulePath) : bug.Schedule);
            if (replay.Divergence is not null || replay.Property != bug.Property || !replay.Trace.SequenceEqual(bug.Trace))
                throw new CheckFailedException($"{check.Name}: the counterexample did not replay to the same history:\n{bug}\n{replay.Divergence}", result);
        }
        return result;
    }

    /// <summary>An expectation naming a property the system does not have could never be met: an error, not a silent failure.</summary>
    private void CheckNamedProperties(Protocol<TState, TMessage, TTimer, TDurable, TSpecEvent> protocol, SystemCheck check)
    {
        var known = protocol.Spec.Properties.Select(p => p.Name).Append(protocol.HistoryCheck?.Property)
            .Concat(protocol.StateMapping?.Entries.Select(mapped => $"{mapped.Variable.Name}=mapping") ?? []).ToHashSet();
        foreach (var property in check.Expected.Properties)
            if (!known.Contains(property) && check.Expected.Kind is null or FailureKind.Safety or FailureKind.Liveness)
                throw new SpecException($"{Name}, check '{check.Name}': expects a violation of {property}, which the spec '{protocol.Spec.Name}' does not have");
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> ConfigurationNames => Configurations.Select(c => c.Name).ToList();

    /// <summary>The system in <paramref name="configuration"/>, stamped with its identity.</summary>
    public Protocol<TState, TMessage, TTimer, TDurable, TSpecEvent> Build(TConfig configuration) =>
        Create(configuration) with { Identity = new SystemIdentity(Name, SystemConfiguration.ToJson(configuration)), DefinedIn = GetType().Assembly };

    /// <summary>The system in the configuration named <paramref name="configurationName"/> (case-insensitive); an unknown name throws <see cref="SpecException"/> listing the known ones.</summary>
    public Protocol<TState, TMessage, TTimer, TDurable, TSpecEvent> Build(string configurationName) => Build(Configuration(configurationName));

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

/// <summary>
/// Finds systems: every public, non-abstract <see cref="ISystemDefinition"/> with a parameterless constructor in an
/// assembly is registered (declaring the class is the registration).
/// </summary>
public static class SystemRegistry
{
    private static readonly Dictionary<Assembly, IReadOnlyList<ISystemDefinition>> Cache = [];

    /// <summary>
    /// The systems <paramref name="assembly"/> declares, ordered by name and found once per assembly; two systems or two
    /// configurations of one system with the same name (ignoring case), or a check on an unknown configuration, throw
    /// <see cref="SpecException"/>.
    /// </summary>
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
            // Names are looked up ignoring case, so they must differ ignoring case: a lookup must never pick one of two.
            var duplicate = systems.GroupBy(s => s.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
                throw new SpecException($"{assembly.GetName().Name} registers two systems named '{duplicate.Key}'");
            foreach (var system in systems)
            {
                var twice = system.ConfigurationNames.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
                if (twice is not null) throw new SpecException($"system '{system.Name}' names two configurations '{twice.Key}'");
                var unknown = system.Checks.FirstOrDefault(c => !system.ConfigurationNames.Contains(c.Configuration, StringComparer.OrdinalIgnoreCase));
                if (unknown is not null)
                    throw new SpecException($"system '{system.Name}', check '{unknown.Name}': no configuration named '{unknown.Configuration}' (it has {string.Join(", ", system.ConfigurationNames)})");
            }
            Cache[assembly] = systems;
            return systems;
        }
    }

    /// <summary>The system named <paramref name="name"/> among <paramref name="systems"/>; an error listing them otherwise.</summary>
    public static ISystemDefinition Find(IReadOnlyList<ISystemDefinition> systems, string name) =>
        systems.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new SpecException($"no system named '{name}' (known: {string.Join(", ", systems.Select(s => s.Name))})");
}
