using Verification.Specs;

namespace Verification.Checkers.Linearizability;

/// <summary>The history file formats the linearizability checker reads, each checked against its model.</summary>
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
    /// <summary>
    /// The format of the file at <paramref name="path"/>, from its first line with content; an empty file counts as a
    /// Jepsen EDN history (no operations), and anything else unrecognised throws <see cref="SpecException"/> naming the line.
    /// </summary>
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

    /// <summary>
    /// Checks the history file at <paramref name="path"/> for linearizability against its format's model; a file that
    /// does not parse throws <see cref="SpecException"/> naming the file and line.
    /// </summary>
    /// <param name="path">The history file.</param>
    /// <param name="format">The format, or null to detect it with <see cref="Detect"/>.</param>
    /// <param name="budget">Time and memory the search may spend (defaults: 60 s, 1 GiB); when it runs out the verdict is unknown.</param>
    public static CheckResult Check(string path, HistoryFormat? format = null, LinearizabilityBudget? budget = null) =>
        (format ?? Detect(path)) switch
        {
            HistoryFormat.EtcdLog => LinearizabilityChecker.Check(CasRegisterModel.Instance, RegisterHistories.ReadEtcdLog(path), budget),
            HistoryFormat.KeyValue => LinearizabilityChecker.Check(new KeyValueModel(), KeyValueModel.ReadHistory(path), budget),
            _ => LinearizabilityChecker.Check(CasRegisterModel.Instance, RegisterHistories.ReadJepsenEdn(path), budget),
        };
}
