namespace Verification.AsyncExamples.AsyncRaft;

/// <summary>How a cluster run ended.</summary>
/// <param name="AllAnswered">Every command was applied and its client told so before the deadline.</param>
/// <param name="Answered">How many commands were answered.</param>
/// <param name="ExecutedCommands">Per replica, the commands its state machine executed, in order.</param>
public sealed record AsyncRaftRun(bool AllAnswered, int Answered, IReadOnlyList<IReadOnlyList<int>> ExecutedCommands);

/// <summary>Starts a cluster of <see cref="RaftReplica"/>s and clients over one <see cref="InMemoryNetwork"/>.</summary>
public static class AsyncRaftCluster
{
    /// <summary>
    /// Runs <paramref name="servers"/> replicas and one client per command (client k submits command k, to server
    /// k mod servers first, and follows redirects and retries) until every command is answered, the options' deadline
    /// passes or <paramref name="cancellation"/> is cancelled; then stops everything and waits for it to finish.
    /// Every random choice (election timeouts, message delays and drops) is drawn from <paramref name="random"/>.
    /// </summary>
    public static async Task<AsyncRaftRun> RunAsync(int servers, int commands, AsyncRaftOptions options, IRaftObserver observer, Random random,
        CancellationToken cancellation)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(servers, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(commands);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var network = new InMemoryNetwork(servers + commands, options.MaxMessageDelay, options.DropProbability, new Random(random.Next()), stop.Token);
        var replicas = Enumerable.Range(0, servers)
            .Select(s => new RaftReplica(s, servers, network, options, observer, new Random(random.Next()))).ToArray();
        var replicaRuns = replicas.Select(r => Task.Run(() => r.RunAsync(stop.Token))).ToArray();
        var clientRuns = Enumerable.Range(0, commands)
            .Select(c => Task.Run(() => RunClientAsync(c, servers, network, options, observer, stop.Token))).ToArray();

        var allAnswered = Task.WhenAll(clientRuns);
        var deadline = Task.Delay(options.Deadline, stop.Token);
        await Task.WhenAny(allAnswered, deadline);
        // Cancel, not CancelAsync: Cancel runs the callbacks here, synchronously; CancelAsync runs them on another task.
        stop.Cancel();
        await Task.WhenAll(replicaRuns);
        await allAnswered; // the clients still waiting return false when cancelled
        try
        {
            await deadline;
        }
        catch (OperationCanceledException)
        {
            // Cancelled when the commands were answered first.
        }
        foreach (var replica in replicas) replica.Dispose();
        var answered = clientRuns.Count(c => c.Result);
        return new AsyncRaftRun(answered == commands, answered, replicas.Select(r => r.ExecutedCommands).ToArray());
    }

    /// <summary>Client <paramref name="client"/> submits command <paramref name="client"/> until a server says it is applied; true when one did.</summary>
    private static async Task<bool> RunClientAsync(int client, int servers, InMemoryNetwork network, AsyncRaftOptions options, IRaftObserver observer,
        CancellationToken cancellation)
    {
        var address = servers + client;
        var command = client;
        var inbox = network.InboxOf(address);
        var target = client % servers;
        // One receive stays pending across retries: abandoning it would lose the reply it is about to take.
        var nextReply = inbox.ReceiveAsync(cancellation);
        observer.CommandSubmitted(client, command);
        try
        {
            while (true)
            {
                network.Send(target, new ClientRequest(address, command));
                var retry = Task.Delay(options.ClientRetryInterval, cancellation);
                while (true)
                {
                    if (await Task.WhenAny(nextReply, retry) == retry)
                    {
                        await retry; // throws when the run is stopping
                        target = (target + 1) % servers;
                        break;
                    }
                    var reply = (ClientReply)await nextReply;
                    nextReply = inbox.ReceiveAsync(cancellation);
                    if (reply.Command != command) continue;
                    if (reply.Applied)
                    {
                        observer.ClientAnswered(client, command);
                        return true;
                    }
                    // Not the leader: follow a hint to another server at once; without one, wait and try the next.
                    if (reply.LeaderHint >= 0 && reply.LeaderHint != target)
                    {
                        target = reply.LeaderHint;
                        break;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return false;
        }
    }
}
