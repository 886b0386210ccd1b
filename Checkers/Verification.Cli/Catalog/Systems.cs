using System.Runtime.Loader;
using Verification.Checkers;
using Verification.Checkers.Systematic;
using Verification.Protocols.Raft;
using Verification.Runtime;
using Verification.Specs;

namespace Verification.Cli.Catalog;

/// <summary>The registered systems — the shipped ones, and a user's from their own assembly — for replaying a saved schedule.</summary>
internal static class Systems
{
    public static IReadOnlyList<ISystemDefinition> Shipped => SystemRegistry.In(typeof(RaftSystem).Assembly);

    /// <summary>
    /// Rebuilds the system a schedule was recorded on — by its registered name and recorded configuration, among the
    /// shipped systems or in <paramref name="assemblyPath"/> (default: the assembly the schedule names) — and replays it.
    /// </summary>
    public static ReplayResult Replay(Schedule schedule, string? assemblyPath)
    {
        if (schedule.System is not { } identity)
            throw new SpecException($"the schedule of '{schedule.Protocol}' names no registered system (it was recorded on a protocol assembled by hand): replay it in code, with tester.Replay(Schedule.Load(...))");
        // A user's system is looked up in the assembly the schedule names (or --assembly), even if a shipped system has the same name.
        var shippedFile = Path.GetFileName(typeof(RaftSystem).Assembly.Location);
        var userAssembly = assemblyPath ?? (schedule.Assembly is { } named && Path.GetFileName(named) != shippedFile ? named : null);
        var definition = userAssembly is null
            ? Shipped.FirstOrDefault(s => s.Name == identity.System)
                ?? throw new SpecException($"the schedule is for system '{identity.System}', which is not a shipped system ({string.Join(", ", Shipped.Select(s => s.Name))}); name the assembly that defines it with --assembly")
            : SystemRegistry.Find(SystemRegistry.In(Load(userAssembly)), identity.System);
        return definition.BuildFromJson(identity.Configuration).Accept(new ReplayVisitor(schedule));
    }

    /// <summary>The systems registered in a user's assembly (one that references the checkers and defines <see cref="SystemDefinition{TConfig, TState, TMessage, TTimer, TDurable, TSpecEvent}"/>s).</summary>
    public static IReadOnlyList<ISystemDefinition> In(string assemblyPath)
    {
        var systems = SystemRegistry.In(Load(assemblyPath));
        if (systems.Count == 0) throw new SpecException($"{assemblyPath}: registers no system (no public, non-abstract SystemDefinition subclass with a parameterless constructor)");
        return systems;
    }

    /// <summary>Loads a user's assembly with its own dependencies (from its .deps.json) next to ours.</summary>
    private static System.Reflection.Assembly Load(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new SpecException($"{path}: assembly not found (the schedule names the assembly that defines its system; pass another with --assembly)");
        var resolver = new AssemblyDependencyResolver(full);
        AssemblyLoadContext.Default.Resolving += (context, name) => resolver.ResolveAssemblyToPath(name) is { } dependency ? context.LoadFromAssemblyPath(dependency) : null;
        try
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyPath(full);
        }
        catch (BadImageFormatException)
        {
            throw new SpecException($"{path}: not a .NET assembly");
        }
    }

    private sealed class ReplayVisitor(Schedule schedule) : IProtocolVisitor<ReplayResult>
    {
        public ReplayResult Visit<TState, TMessage, TTimer, TDurable, TSpecEvent>(Protocol<TState, TMessage, TTimer, TDurable, TSpecEvent> protocol)
            where TState : class where TMessage : notnull where TTimer : notnull where TDurable : class where TSpecEvent : class =>
            protocol.Tester().Replay(schedule);
    }
}
