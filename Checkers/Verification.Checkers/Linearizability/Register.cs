using System.Globalization;
using Verification.Specs;

namespace Verification.Checkers.Linearizability;

/// <summary>The operations of <see cref="CasRegisterModel"/>.</summary>
public enum RegisterOperation
{
    /// <summary>Read the value.</summary>
    Read,

    /// <summary>Write <see cref="RegisterInput.Value"/>.</summary>
    Write,

    /// <summary>Compare-and-set: write <see cref="RegisterInput.Value"/> if the register holds <see cref="RegisterInput.Expected"/>.</summary>
    Cas,
}

/// <summary>A register operation: read; write <see cref="Value"/>; compare-and-set from <see cref="Expected"/> to <see cref="Value"/>.</summary>
/// <param name="Operation">Read, write or compare-and-set.</param>
/// <param name="Value">The value written (write, cas); null for a read, or to write nil.</param>
/// <param name="Expected">The value a cas expects (null: nil).</param>
public sealed record RegisterInput(RegisterOperation Operation, long? Value, long? Expected = null);

/// <summary>How a register operation ended, as far as the client knows.</summary>
public enum Outcome
{
    /// <summary>The operation completed (a read with the value it read).</summary>
    Ok,

    /// <summary>The operation completed without effect: a cas that found another value.</summary>
    Failed,

    /// <summary>No reply (a timeout): the operation may or may not have taken effect.</summary>
    Unknown,
}

/// <summary>What came back: ok (with the value read), failed (a cas that found another value), or unknown (a timeout).</summary>
/// <param name="Outcome">Ok, failed or unknown.</param>
/// <param name="Value">The value an ok read returned (null: nil).</param>
public sealed record RegisterOutput(Outcome Outcome, long? Value = null)
{
    /// <summary>The output of an operation whose outcome is unknown (a timeout): it may or may not have taken effect.</summary>
    public static readonly RegisterOutput Unknown = new(Outcome.Unknown);
}

/// <summary>The register's value (64 bits, as Jepsen's are); null is nil, the value before the first write.</summary>
/// <param name="Value">The value; null for nil.</param>
public readonly record struct RegisterState(long? Value);

/// <summary>A compare-and-set register (Jepsen's etcd and cas-register tests).</summary>
public sealed class CasRegisterModel : ISequentialModel<RegisterState, RegisterInput, RegisterOutput>
{
    /// <summary>The one instance; the model has no settings.</summary>
    public static readonly CasRegisterModel Instance = new();
    private static readonly RegisterState Nil = new((long?)null);

    /// <inheritdoc/>
    public string Name => "cas-register";

    /// <summary>The register holds nil before the first write.</summary>
    public RegisterState Initial => Nil;

    /// <summary>
    /// Applies one operation: a read must return the value (anything when unknown); a write sets it; a cas sets it when
    /// it equals <see cref="RegisterInput.Expected"/>, and must have failed exactly when it does not (an unknown cas may have done either).
    /// </summary>
    public bool Step(RegisterState state, RegisterInput input, RegisterOutput output, out RegisterState next)
    {
        next = state;
        switch (input.Operation)
        {
            case RegisterOperation.Read:
                return output.Outcome == Outcome.Unknown || output.Value == state.Value;
            case RegisterOperation.Write:
                next = new RegisterState(input.Value);
                return true;
            default:
                var matches = state.Value == input.Expected;
                if (output.Outcome == Outcome.Failed) return !matches;
                if (matches) next = new RegisterState(input.Value);
                return matches || output.Outcome == Outcome.Unknown;
        }
    }

    /// <inheritdoc/>
    public string Describe(RegisterInput input, RegisterOutput output)
    {
        static string V(long? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "nil";
        var result = output.Outcome switch { Outcome.Unknown => "unknown", Outcome.Failed => "failed", _ => "ok" };
        return input.Operation switch
        {
            RegisterOperation.Read => $"read → {(output.Outcome == Outcome.Ok ? V(output.Value) : result)}",
            RegisterOperation.Write => $"write {V(input.Value)} → {result}",
            _ => $"cas {V(input.Expected)}→{V(input.Value)} → {result}",
        };
    }

    /// <summary>A read, and a cas known to have failed, never change the value (an unknown cas may have).</summary>
    public bool IsReadOnly(RegisterInput input, RegisterOutput output) =>
        input.Operation == RegisterOperation.Read || output.Outcome == Outcome.Failed;

    /// <summary>The state is a nullable long held inline in the configuration: no heap bytes of its own.</summary>
    public long SizeInBytes(RegisterState state) => 0;

    /// <inheritdoc/>
    public string Describe(RegisterState state) => $"register = {state.Value?.ToString(CultureInfo.InvariantCulture) ?? "nil"}";
}

/// <summary>Readers of register histories: Jepsen's etcd logs, and Jepsen's general EDN histories.</summary>
public static class RegisterHistories
{
    /// <summary>
    /// Jepsen's etcd log ("INFO  jepsen.util - 3 :invoke :cas [1 4]"): ":fail :cas" is a completed cas that returned
    /// false, ":fail :read" a read with no known value, ":info" an operation whose outcome is unknown.
    /// </summary>
    public static List<Operation<RegisterInput, RegisterOutput>> ReadEtcdLog(string path)
    {
        var lines = Lines(path);
        var operations = new List<Operation<RegisterInput, RegisterOutput>>();
        var open = new Dictionary<long, (RegisterInput Input, long Call, int Line)>();
        for (var i = 0; i < lines.Length; i++)
        {
            var lineNumber = i + 1;
            var text = lines[i];
            if (string.IsNullOrWhiteSpace(text)) continue;
            var marker = text.IndexOf("jepsen.util - ", StringComparison.Ordinal);
            if (marker < 0) throw new SpecException($"{path}:{lineNumber}: not a Jepsen history line (expected 'jepsen.util - <process> :<type> :<f> <value>')");
            var fields = text[(marker + "jepsen.util - ".Length)..].Split((char[]?)null, 4, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4) throw new SpecException($"{path}:{lineNumber}: expected four fields '<process> :<type> :<f> <value>', found {fields.Length}");
            if (!long.TryParse(fields[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var process))
                throw new SpecException($"{path}:{lineNumber}: the process '{fields[0]}' is not a number of at most 64 bits");
            var value = EdnReader.ReadAll(fields[3], path, lineNumber);
            if (value.Count != 1) throw new SpecException($"{path}:{lineNumber}: expected one value, found '{fields[3]}'");
            AddEvent(operations, open, path, lineNumber, process, fields[1], fields[2], value[0], etcdFailSemantics: true);
        }
        Close(operations, open);
        return operations;
    }

    /// <summary>
    /// Jepsen's EDN history: a vector of operation maps (or maps one after another) with :process, :type (:invoke,
    /// :ok, :fail, :info), :f (:read, :write, :cas) and :value. Here :fail means the operation did not take effect,
    /// so it is left out; :info means its outcome is unknown; entries of the :nemesis process are ignored.
    /// </summary>
    public static List<Operation<RegisterInput, RegisterOutput>> ReadJepsenEdn(string path)
    {
        var forms = EdnReader.ReadAll(File.Exists(path) ? File.ReadAllText(path) : throw new SpecException($"{path}: no such file"), path);
        var entries = forms.Count == 1 && forms[0].Kind is EdnKind.Vector or EdnKind.List ? forms[0].Items : forms;
        var operations = new List<Operation<RegisterInput, RegisterOutput>>();
        var open = new Dictionary<long, (RegisterInput Input, long Call, int Line)>();
        foreach (var entry in entries)
        {
            if (entry.Kind != EdnKind.Map) throw new SpecException($"{path}:{entry.Line}: expected an operation map {{:process …, :type …, :f …, :value …}}, found {entry}");
            var processValue = entry.Get("process") ?? throw new SpecException($"{path}:{entry.Line}: the operation has no :process");
            if (processValue.IsKeyword("nemesis")) continue;
            if (processValue.Kind != EdnKind.Integer) throw new SpecException($"{path}:{entry.Line}: :process must be a number or :nemesis, found {processValue}");
            var type = entry.Get("type") ?? throw new SpecException($"{path}:{entry.Line}: the operation has no :type");
            var f = entry.Get("f") ?? throw new SpecException($"{path}:{entry.Line}: the operation has no :f");
            var value = entry.Get("value") ?? new EdnValue(EdnKind.Nil, null, entry.Line);
            AddEvent(operations, open, path, entry.Line, (long)processValue.Value!, type.ToString(), f.ToString(), value, etcdFailSemantics: false);
        }
        Close(operations, open);
        return operations;
    }

    private static string[] Lines(string path) =>
        File.Exists(path) ? File.ReadAllLines(path) : throw new SpecException($"{path}: no such file");

    private static void AddEvent(List<Operation<RegisterInput, RegisterOutput>> operations, Dictionary<long, (RegisterInput Input, long Call, int Line)> open,
        string path, int line, long process, string type, string f, EdnValue value, bool etcdFailSemantics)
    {
        var time = (long)line * 2; // calls and returns in file order
        switch (type)
        {
            case ":invoke":
                if (open.ContainsKey(process)) throw new SpecException($"{path}:{line}: process {process} invokes again before its previous operation completed");
                open[process] = (Input(path, line, f, value), time, line);
                return;
            case ":ok" or ":fail" or ":info":
                if (!open.Remove(process, out var call)) throw new SpecException($"{path}:{line}: process {process} completes an operation it never invoked");
                if (Name(f) != call.Input.Operation) throw new SpecException($"{path}:{line}: process {process} invoked {call.Input.Operation.ToString().ToLowerInvariant()} but this completes {f}");
                if (type == ":info") operations.Add(new(process, call.Input, RegisterOutput.Unknown, call.Call, long.MaxValue, call.Line));
                else if (type == ":ok") operations.Add(new(process, call.Input, Completion(path, line, call.Input, value), call.Call, time, call.Line));
                else if (etcdFailSemantics)
                    operations.Add(new(process, call.Input, call.Input.Operation == RegisterOperation.Cas ? new RegisterOutput(Outcome.Failed) : RegisterOutput.Unknown, call.Call, time, call.Line));
                // Jepsen's :fail: the operation certainly did not happen.
                return;
            default:
                throw new SpecException($"{path}:{line}: unknown operation type {type} (expected :invoke, :ok, :fail or :info)");
        }
    }

    private static RegisterOperation Name(string f) => f switch
    {
        ":read" => RegisterOperation.Read,
        ":write" => RegisterOperation.Write,
        ":cas" => RegisterOperation.Cas,
        _ => (RegisterOperation)(-1),
    };

    private static RegisterInput Input(string path, int line, string f, EdnValue value) => Name(f) switch
    {
        RegisterOperation.Read => new RegisterInput(RegisterOperation.Read, null),
        RegisterOperation.Write => new RegisterInput(RegisterOperation.Write, Integer(path, line, value)),
        RegisterOperation.Cas when value.Kind is EdnKind.Vector or EdnKind.List && value.Items.Count == 2 =>
            new RegisterInput(RegisterOperation.Cas, Integer(path, line, value.Items[1]), Integer(path, line, value.Items[0])),
        RegisterOperation.Cas => throw new SpecException($"{path}:{line}: a cas needs a value [expected new], found {value}"),
        _ => throw new SpecException($"{path}:{line}: unknown register operation {f} (expected :read, :write or :cas)"),
    };

    private static RegisterOutput Completion(string path, int line, RegisterInput input, EdnValue value) =>
        input.Operation == RegisterOperation.Read ? new RegisterOutput(Outcome.Ok, Integer(path, line, value)) : new RegisterOutput(Outcome.Ok);

    private static long? Integer(string path, int line, EdnValue value) => value.Kind switch
    {
        EdnKind.Nil => null,
        EdnKind.Integer => (long)value.Value!,
        _ => throw new SpecException($"{path}:{line}: expected a number or nil, found {value}"),
    };

    /// <summary>Invocations never completed: their outcome is unknown.</summary>
    private static void Close(List<Operation<RegisterInput, RegisterOutput>> operations, Dictionary<long, (RegisterInput Input, long Call, int Line)> open)
    {
        foreach (var (process, call) in open) operations.Add(new(process, call.Input, RegisterOutput.Unknown, call.Call, long.MaxValue, call.Line));
    }
}
