using Verification.Specs;

namespace Verification.Checkers.Linearizability;

public enum HistoryFormat
{
    /// <summary>Jepsen's etcd log lines ("INFO  jepsen.util - 3 :invoke :cas [1 4]") against a cas register.</summary>
    EtcdLog,

    /// <summary>Porcupine's key-value histories: an EDN map per line with :key, checked per key.</summary>
    KeyValue,

    /// <summary>Jepsen's general EDN history (a vector of operation maps) against a cas register.</summary>
    JepsenEdn,
}

/// <summary>Reads a history file in one of the supported formats (recognised from its content unless given) and checks it.</summary>
public static class PorcupineFiles
{
    public static HistoryFormat Detect(string path)
    {
        if (!File.Exists(path)) throw new SpecException($"{path}: no such file");
        using var reader = new StreamReader(path);
        string? line;
        while ((line = reader.ReadLine()) is not null && string.IsNullOrWhiteSpace(line)) { }
        if (line is null) return HistoryFormat.JepsenEdn; // empty: no operations, linearizable in any format
        if (line.Contains("jepsen.util - ", StringComparison.Ordinal)) return HistoryFormat.EtcdLog;
        if (line.TrimStart().StartsWith('{') && line.Contains(":key", StringComparison.Ordinal)) return HistoryFormat.KeyValue;
        if (line.TrimStart().StartsWith('[') || line.TrimStart().StartsWith('{')) return HistoryFormat.JepsenEdn;
        throw new SpecException($"{path}:1: not a history this tool reads (Jepsen etcd log lines, key-value EDN lines, or a Jepsen EDN vector of operations)");
    }

    public static LinearizabilityResult Check(string path, HistoryFormat? format = null, LinearizabilityBudget? budget = null) =>
        (format ?? Detect(path)) switch
        {
            HistoryFormat.EtcdLog => LinearizabilityChecker.Check(CasRegisterModel.Instance, RegisterHistories.ReadEtcdLog(path), budget),
            HistoryFormat.KeyValue => LinearizabilityChecker.Check(new KeyValueModel(), KeyValueModel.ReadHistory(path), budget),
            _ => LinearizabilityChecker.Check(CasRegisterModel.Instance, RegisterHistories.ReadJepsenEdn(path), budget),
        };
}
