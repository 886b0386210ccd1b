using Verification.Specs;

namespace Verification.Checkers.Linearizability;

/// <summary>The operations of <see cref="KeyValueModel"/>.</summary>
public enum KeyValueOperation
{
    /// <summary>Read the key's value.</summary>
    Get,

    /// <summary>Replace the key's value with <see cref="KeyValueInput.Value"/>.</summary>
    Put,

    /// <summary>Add <see cref="KeyValueInput.Value"/> at the end of the key's value.</summary>
    Append,

    /// <summary>Compare-and-set: put <see cref="KeyValueInput.Value"/> if the key holds <see cref="KeyValueInput.Expected"/>; returns "ok" or "fail".</summary>
    Cas,
}

/// <summary>An operation on one key; a compare-and-set sets <see cref="Value"/> if the key holds <see cref="Expected"/>, and returns "ok" or "fail".</summary>
/// <param name="Operation">Get, put, append or compare-and-set.</param>
/// <param name="Key">The key operated on.</param>
/// <param name="Value">The value a put, append or cas writes ("" for a get).</param>
/// <param name="Expected">The value a cas expects to find.</param>
public sealed record KeyValueInput(KeyValueOperation Operation, string Key, string Value, string Expected = "");

/// <summary>One key's value (a key-value history is checked per key).</summary>
/// <param name="Value">The key's value; "" before anything is written.</param>
public sealed record KeyValueState(string Value);

/// <summary>A key-value store with get, put, append and compare-and-set, every key starting empty; partitioned per key.</summary>
/// <param name="partitionPerKey">Check each key's operations apart (the only mode <see cref="Partition"/> supports).</param>
public sealed class KeyValueModel(bool partitionPerKey = true) : ISequentialModel<KeyValueState, KeyValueInput, string?>
{
    private static readonly KeyValueState Empty = new("");

    /// <inheritdoc/>
    public string Name => partitionPerKey ? "kv (per key)" : "kv";

    /// <summary>Every key starts as the empty string.</summary>
    public KeyValueState Initial => Empty;

    /// <summary>
    /// Applies one operation: a get must return the value (any value when its outcome is unknown, a null output); put
    /// replaces it; append concatenates; cas replaces it when it equals <see cref="KeyValueInput.Expected"/> and must return "ok" or "fail" accordingly.
    /// </summary>
    public bool Step(KeyValueState state, KeyValueInput input, string? output, out KeyValueState next)
    {
        next = state;
        switch (input.Operation)
        {
            case KeyValueOperation.Get:
                return output is null || output == state.Value;
            case KeyValueOperation.Put:
                next = new KeyValueState(input.Value);
                return true;
            case KeyValueOperation.Cas:
                var matches = state.Value == input.Expected;
                if (matches) next = new KeyValueState(input.Value);
                return output is null || output == (matches ? "ok" : "fail");
            default:
                next = new KeyValueState(state.Value + input.Value);
                return true;
        }
    }

    /// <summary>The operations of each key apart; a model made without per-key partitioning throws <see cref="SpecException"/>, as it cannot check a whole store.</summary>
    public IEnumerable<IReadOnlyList<Operation<KeyValueInput, string?>>> Partition(IReadOnlyList<Operation<KeyValueInput, string?>> history) =>
        partitionPerKey
            ? history.GroupBy(o => o.Input.Key).Select(g => (IReadOnlyList<Operation<KeyValueInput, string?>>)g.ToList())
            : throw new SpecException("without per-key partitioning the state is the whole store; use the partitioned model");

    /// <inheritdoc/>
    public string Describe(KeyValueInput input, string? output) => input.Operation switch
    {
        KeyValueOperation.Get => $"get {input.Key} → \"{output}\"",
        KeyValueOperation.Put => $"put {input.Key} \"{input.Value}\"",
        KeyValueOperation.Cas => $"cas {input.Key} \"{input.Expected}\"→\"{input.Value}\" → {output ?? "unknown"}",
        _ => $"append {input.Key} \"{input.Value}\"",
    };

    /// <inheritdoc/>
    public string Describe(KeyValueState state) => $"value = \"{state.Value}\"";

    /// <summary>A get, and a cas that returned "fail", never change the value.</summary>
    public bool IsReadOnly(KeyValueInput input, string? output) =>
        input.Operation == KeyValueOperation.Get || (input.Operation == KeyValueOperation.Cas && output == "fail");

    /// <summary>The state object (header and one reference) and its string (header, length, UTF-16 characters): appends make it grow.</summary>
    public long SizeInBytes(KeyValueState state) => 24 + 24 + 2L * state.Value.Length;

    /// <summary>Porcupine's key-value histories: one EDN map per line, {:process 9, :type :invoke, :f :append, :key "0", :value "x 9 0 y"}.</summary>
    public static List<Operation<KeyValueInput, string?>> ReadHistory(string path)
    {
        if (!File.Exists(path)) throw new SpecException($"{path}: no such file");
        var lines = File.ReadAllLines(path);
        var operations = new List<Operation<KeyValueInput, string?>>();
        var open = new Dictionary<long, (KeyValueInput Input, long Call, int Line)>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            var line = i + 1;
            var forms = EdnReader.ReadAll(lines[i], path, line);
            if (forms.Count == 0) continue; // a comment line
            if (forms.Count != 1 || forms[0].Kind != EdnKind.Map) throw new SpecException($"{path}:{line}: expected one operation map per line");
            var map = forms[0];
            string Field(string key) => map.Get(key)?.ToString() ?? throw new SpecException($"{path}:{line}: the operation has no :{key}");
            var process = map.Get("process") is { Kind: EdnKind.Integer } p ? (long)p.Value! : throw new SpecException($"{path}:{line}: :process must be a number");
            var type = Field("type");
            var value = map.Get("value") is { Kind: EdnKind.String } v ? (string)v.Value! : null;
            if (type == ":invoke")
            {
                var key = map.Get("key") is { Kind: EdnKind.String } k ? (string)k.Value! : throw new SpecException($"{path}:{line}: :key must be a string");
                var operation = Field("f") switch
                {
                    ":get" => KeyValueOperation.Get,
                    ":put" => KeyValueOperation.Put,
                    ":append" => KeyValueOperation.Append,
                    var f => throw new SpecException($"{path}:{line}: unknown operation {f} (expected :get, :put or :append)"),
                };
                if (operation != KeyValueOperation.Get && value is null) throw new SpecException($"{path}:{line}: {Field("f")} needs a string :value");
                if (!open.TryAdd(process, (new KeyValueInput(operation, key, value ?? ""), i, line)))
                    throw new SpecException($"{path}:{line}: process {process} invokes again before its previous operation completed");
            }
            else if (type == ":ok")
            {
                if (!open.Remove(process, out var call)) throw new SpecException($"{path}:{line}: process {process} completes an operation it never invoked");
                operations.Add(new(process, call.Input, call.Input.Operation == KeyValueOperation.Get ? value ?? "" : null, call.Call, i, call.Line));
            }
            else throw new SpecException($"{path}:{line}: unexpected :type {type} in a key-value history (expected :invoke or :ok)");
        }
        foreach (var (process, call) in open) operations.Add(new(process, call.Input, null, call.Call, long.MaxValue, call.Line));
        return operations;
    }
}
