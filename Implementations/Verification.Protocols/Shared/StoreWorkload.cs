namespace Verification.Protocols;

/// <summary>
/// What the clients of the replicated key-value stores (on Raft, on Multi-Paxos) do: client k runs P operations on key
/// "x", command k·P + j being its j-th; they cycle through a write (client 0's first puts, the others append their
/// mark "[k.j]"), a read, and a compare-and-set from the client's last mark to a new one. One definition for both
/// stores, so their histories are comparable.
/// </summary>
public static class StoreWorkload
{
    public static (string Operation, string Key, string Value, string Expected) Operation(int command, int operationsPerClient)
    {
        var (client, j) = (command / operationsPerClient, command % operationsPerClient);
        var mark = $"[{client}.{j}]";
        return (j % 3) switch
        {
            0 => client == 0 && j == 0 ? ("put", "x", mark, "") : ("append", "x", mark, ""),
            1 => ("get", "x", "", ""),
            _ => ("cas", "x", mark, $"[{client}.{j - 2}]"),
        };
    }

    /// <summary>Applies an operation to the key's value: the new value and what the client gets back.</summary>
    public static (string Value, string Output) Apply(string value, (string Operation, string Key, string Value, string Expected) operation) => operation.Operation switch
    {
        "put" => (operation.Value, ""),
        "append" => (value + operation.Value, ""),
        "get" => (value, value),
        _ => value == operation.Expected ? (operation.Value, "ok") : (value, "fail"),
    };
}
