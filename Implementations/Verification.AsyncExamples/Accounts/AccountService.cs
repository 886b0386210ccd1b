using System.Collections.Concurrent;

namespace Verification.AsyncExamples.Accounts;

/// <summary>Where accounts live: a remote store, so every call is asynchronous and takes time.</summary>
public interface IAccountStore
{
    Task<bool> ExistsAsync(string name);

    Task PutAsync(string name, decimal balance);

    Task<decimal?> BalanceAsync(string name);
}

/// <summary>An in-memory store with a network's latency: each call waits before it touches the data.</summary>
public sealed class InMemoryAccountStore(TimeSpan latency) : IAccountStore
{
    private readonly ConcurrentDictionary<string, decimal> balances = new();

    public InMemoryAccountStore() : this(TimeSpan.FromMilliseconds(2))
    {
    }

    public async Task<bool> ExistsAsync(string name)
    {
        await Task.Delay(latency);
        return balances.ContainsKey(name);
    }

    public async Task PutAsync(string name, decimal balance)
    {
        await Task.Delay(latency);
        balances[name] = balance;
    }

    public async Task<decimal?> BalanceAsync(string name)
    {
        await Task.Delay(latency);
        return balances.TryGetValue(name, out var balance) ? balance : null;
    }
}

/// <summary>
/// Opens accounts. The bug: "create if absent" is a check and then an act, with an await between them, so two
/// concurrent openings of one name both see it absent, both report that they opened it, and the second deposit
/// silently replaces the first.
/// </summary>
public sealed class AccountService(IAccountStore store)
{
    /// <summary>Opens <paramref name="name"/> with <paramref name="deposit"/> unless it exists; true when this call opened it.</summary>
    public async Task<bool> OpenAsync(string name, decimal deposit)
    {
        if (await store.ExistsAsync(name)) return false;
        await store.PutAsync(name, deposit);
        return true;
    }
}

/// <summary>The fix: openings are serialised by an async lock, so the check and the act happen together.</summary>
public sealed class SerialisedAccountService(IAccountStore store) : IDisposable
{
    private readonly SemaphoreSlim opening = new(1, 1);

    /// <summary>Opens <paramref name="name"/> with <paramref name="deposit"/> unless it exists; true when this call opened it.</summary>
    public async Task<bool> OpenAsync(string name, decimal deposit)
    {
        await opening.WaitAsync();
        try
        {
            if (await store.ExistsAsync(name)) return false;
            await store.PutAsync(name, deposit);
            return true;
        }
        finally
        {
            opening.Release();
        }
    }

    public void Dispose() => opening.Dispose();
}
