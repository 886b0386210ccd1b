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
        // The first line with content decides; blank lines and EDN comment lines (';') before it do not count.
        string? line;
        var number = 0;
        do
        {
            line = reader.ReadLine();
            number++;
        }
        while (line is not null && (string.IsNullOrWhiteSpace(line) || line.TrimStart().StartsWith(';')));
        if (line is null) return HistoryFormat.JepsenEdn; // empty: no operations, linearizable in any format
        var text = line.TrimStart();
        if (line.Contains("jepsen.util - ", StringComparison.Ordinal)) return HistoryFormat.EtcdLog;
        if (text.StartsWith('{') && line.Contains(":key", StringComparison.Ordinal)) return HistoryFormat.KeyValue;
        if (text.StartsWith('[') || text.StartsWith('(') || text.StartsWith('{')) return HistoryFormat.JepsenEdn;
        throw new SpecException($"{path}:{number}: not a history this tool reads (Jepsen etcd log lines, key-value EDN lines, or a Jepsen EDN vector or list of operations)");
    }

    public static CheckResult Check(string path, HistoryFormat? format = null, LinearizabilityBudget? budget = null) =>
        (format ?? Detect(path)) switch
        {
            HistoryFormat.EtcdLog => LinearizabilityChecker.Check(CasRegisterModel.Instance, RegisterHistories.ReadEtcdLog(path), budget),
            HistoryFormat.KeyValue => LinearizabilityChecker.Check(new KeyValueModel(), KeyValueModel.ReadHistory(path), budget),
            _ => LinearizabilityChecker.Check(CasRegisterModel.Instance, RegisterHistories.ReadJepsenEdn(path), budget),
        };
}
