namespace Verification.Checkers.Linearizability;

/// <summary>
/// Histories of clients against an atomic register, from a seeded simulation, for benchmarks and tests of the checker
/// on long histories. Each client repeatedly waits a while (as Jepsen's clients do between calls), then calls; the
/// call takes effect atomically at a random moment and returns at a later one, so calls of different clients overlap.
/// Reads and writes, half each; every write writes a value of its own. Such a history is linearizable; one stale read
/// can be planted to make it not.
/// </summary>
public static class RegisterSimulation
{
    /// <summary>
    /// <paramref name="busyFraction"/> is the share of its time a client spends in a call (the rest it waits), so about
    /// clients × busyFraction calls are in flight at once; 1 means every client always has a call in flight.
    /// </summary>
    public static List<Operation<RegisterInput, RegisterOutput>> Generate(int operations, int clients, int seed, bool plantStaleRead = false, double busyFraction = 0.1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(operations, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(clients, 1);
        if (busyFraction is not (> 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(busyFraction), busyFraction, "the share of time in a call must be in (0, 1]");
        const int Latency = 100; // mean time from call to return (half to take effect, half to return)
        var meanWait = Latency * (1 / busyFraction - 1);
        var random = new Random(seed);
        long? register = null;
        var nextValue = 1L;
        // What each client does next, at which moment: 0 call, 1 take effect, 2 return.
        var agenda = new PriorityQueue<(int Client, int Phase), double>();
        for (var client = 0; client < clients; client++) agenda.Enqueue((client, 0), random.NextDouble() * 2 * meanWait);
        var pending = new (RegisterInput Input, RegisterOutput? Output, long Call)[clients];
        var history = new List<Operation<RegisterInput, RegisterOutput>>(operations);
        var called = 0;
        // Calls and returns are stamped with their position in the run, as in Jepsen's logs: no two at the same time.
        for (long events = 0; history.Count < operations; events++)
        {
            agenda.TryDequeue(out var next, out var now);
            var (client, phase) = next;
            switch (phase)
            {
                case 0:
                    if (called == operations) continue; // enough calls: this client stops
                    var input = random.Next(2) == 0 ? new RegisterInput(RegisterOperation.Read, null) : new RegisterInput(RegisterOperation.Write, nextValue++);
                    pending[client] = (input, null, events);
                    called++;
                    break;
                case 1:
                    var call = pending[client];
                    if (call.Input.Operation == RegisterOperation.Read) pending[client] = call with { Output = new RegisterOutput(Outcome.Ok, register) };
                    else
                    {
                        register = call.Input.Value;
                        pending[client] = call with { Output = new RegisterOutput(Outcome.Ok) };
                    }
                    break;
                default:
                    var done = pending[client];
                    history.Add(new(client, done.Input, done.Output!, done.Call, events, history.Count + 1));
                    break;
            }
            var delay = phase == 2 ? random.NextDouble() * 2 * meanWait : random.NextDouble() * Latency;
            agenda.Enqueue((client, (phase + 1) % 3), now + delay);
        }
        return plantStaleRead ? WithStaleRead(history) : history;
    }

    /// <summary>
    /// The first read called after the middle of the history now returns the value of a write that an entirely later
    /// write had overwritten before the read was called: no order explains it.
    /// </summary>
    private static List<Operation<RegisterInput, RegisterOutput>> WithStaleRead(List<Operation<RegisterInput, RegisterOutput>> history)
    {
        var middle = history.Select(o => o.Call).Order().ElementAt(history.Count / 2);
        var writes = history.Where(o => o.Input.Operation == RegisterOperation.Write).ToList();
        foreach (var read in history.Where(o => o.Input.Operation == RegisterOperation.Read && o.Call >= middle).OrderBy(o => o.Call))
        {
            var overwriting = writes.Where(w => w.Return < read.Call).MaxBy(w => w.Return);
            var overwritten = overwriting is null ? null : writes.Where(w => w.Return < overwriting.Call).MaxBy(w => w.Return);
            if (overwritten is null) continue;
            var stale = history.ToList();
            stale[history.IndexOf(read)] = read with { Output = new RegisterOutput(Outcome.Ok, overwritten.Input.Value) };
            return stale;
        }
        throw new InvalidOperationException("no read follows two writes one after the other: the history is too short to plant a stale read");
    }
}
