using System.Collections.Concurrent;
using Verification.AsyncExamples.Checks;
using Verification.Protocols.Raft;
using Verification.Specs;

namespace Verification.AsyncExamples.Tests.AsyncRaft;

/// <summary>
/// The adapter between the plain async Raft example and the specs: each observer call becomes a <see cref="RaftEvent"/>
/// appended to a monitor of "Raft refines ReplicatedLog" (RaftSpec's properties, and ReplicatedLogSpec's on the
/// mapped submissions, commits and applies). Thread-safe: the observed order is the order the calls take its lock,
/// which respects each replica's own order (replicas call it under their lock) and every message's send-before-receive.
/// </summary>
public sealed class RaftSpecObserver : RaftEventObserver
{
    // Building the refinement for these bounds takes a while; a built spec is immutable and shared by its monitors.
    private static readonly ConcurrentDictionary<(int, int, int, int), Lazy<Spec<RaftEvent>>> Specs = new();

    private readonly object gate = new();
    private readonly Monitor<RaftEvent> monitor;
    private readonly HashSet<int> committedCommands = [];
    private int commits;
    private int applies;
    private Exception? error;

    /// <param name="logLength">The longest log the spec tracks (each election adds a no-op, each retry may add a command).</param>
    /// <param name="terms">Terms 0..terms−1 are in the spec's bounds.</param>
    public RaftSpecObserver(int servers, int commands, int logLength, int terms) =>
        monitor = new Monitor<RaftEvent>(Specs.GetOrAdd((servers, logLength, terms, commands),
            key => new Lazy<Spec<RaftEvent>>(() => RaftRefinement.RefinesReplicatedLog(key.Item1, key.Item2, key.Item3, key.Item4))).Value,
            recordPrefix: true, keepLast: 40);

    /// <summary>The first property that failed, or null.</summary>
    public Violation? Violation
    {
        get
        {
            lock (gate) return monitor.Violation;
        }
    }

    /// <summary>An event the monitor could not evaluate (it stops there), or null.</summary>
    public Exception? Error
    {
        get
        {
            lock (gate) return error;
        }
    }

    public long Events
    {
        get
        {
            lock (gate) return monitor.Length;
        }
    }

    /// <summary>How many EntryCommitted events (any server, any index) were observed.</summary>
    public int Commits
    {
        get
        {
            lock (gate) return commits;
        }
    }

    public int Applies
    {
        get
        {
            lock (gate) return applies;
        }
    }

    /// <summary>The client commands (not no-ops) committed at some index.</summary>
    public IReadOnlyCollection<int> CommittedCommands
    {
        get
        {
            lock (gate) return [.. committedCommands];
        }
    }

    /// <summary>The liveness properties hot now (something is still owed).</summary>
    public IReadOnlyList<string> HotLiveness
    {
        get
        {
            lock (gate) return monitor.HotProperties.Select(p => p.Name).ToList();
        }
    }

    protected override void Observe(RaftEvent evt)
    {
        lock (gate)
        {
            if (error is not null || monitor.Violation is not null) return;
            try
            {
                monitor.Append(evt);
            }
            catch (Exception ex) when (ex is SpecException or ArgumentException)
            {
                // Recorded, not thrown: an exception here would kill the replica's loop that reported the event.
                error = ex;
                return;
            }
            if (evt is EntryCommitted committed)
            {
                commits++;
                if (committed.Command >= 0) committedCommands.Add(committed.Command);
            }
            if (evt is EntryApplied) applies++;
        }
    }
}
