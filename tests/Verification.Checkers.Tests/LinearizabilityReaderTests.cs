using Verification.Checkers.Linearizability;
using Verification.Specs;

namespace Verification.Checkers.Tests;

/// <summary>The history readers: 64-bit values and process numbers, and recognising the format of a file.</summary>
public sealed class LinearizabilityReaderTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"lin-readers-{Guid.NewGuid():N}");

    public LinearizabilityReaderTests() => Directory.CreateDirectory(directory);

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    // ---- 64 bits (issue item 15) ----

    [Fact]
    public void JepsenEdn_ValuesBeyond32Bits_AreReadAndCompared()
    {
        var path = Write("big.edn", """
            [{:process 0, :type :invoke, :f :write, :value 99999999999}
             {:process 0, :type :ok, :f :write, :value 99999999999}
             {:process 1, :type :invoke, :f :cas, :value [99999999999 -9223372036854775808]}
             {:process 1, :type :ok, :f :cas, :value [99999999999 -9223372036854775808]}
             {:process 2, :type :invoke, :f :read, :value nil}
             {:process 2, :type :ok, :f :read, :value -9223372036854775808}]
            """);
        var history = RegisterHistories.ReadJepsenEdn(path);
        Assert.Equal(99999999999L, history[0].Input.Value);
        Assert.Equal(long.MinValue, history[2].Output.Value);
        Assert.Equal(Verdict.Holds, PorcupineFiles.Check(path).Verdict);
        // The same read of a value that differs only above bit 32 is a stale read.
        var stale = Write("stale.edn", File.ReadAllText(path).Replace(":value -9223372036854775808}]", ":value 1215752191}]"));
        var result = PorcupineFiles.Check(stale);
        Assert.Equal(Verdict.Violated, result.Verdict);
        Assert.Contains("read → 1215752191", result.Explanation);
    }

    [Fact]
    public void EtcdLog_ValuesAndProcessesBeyond32Bits_AreRead()
    {
        var path = Write("etcd.log", """
            INFO  jepsen.util - 4294967296	:invoke	:write	99999999999
            INFO  jepsen.util - 0	:invoke	:read	nil
            INFO  jepsen.util - 4294967296	:ok	:write	99999999999
            INFO  jepsen.util - 0	:ok	:read	99999999999
            """);
        var history = RegisterHistories.ReadEtcdLog(path);
        Assert.Equal([4294967296L, 0L], history.Select(o => o.Client).Order().Reverse());
        Assert.Equal(Verdict.Holds, PorcupineFiles.Check(path).Verdict);
    }

    [Fact]
    public void JepsenEdn_ProcessesThatAgreeInTheirLow32Bits_AreDifferentProcesses()
    {
        // Truncated to 32 bits, process 4294967296 would be process 0 invoking twice at once.
        var path = Write("processes.edn", """
            [{:process 0, :type :invoke, :f :write, :value 1}
             {:process 4294967296, :type :invoke, :f :read, :value nil}
             {:process 0, :type :ok, :f :write, :value 1}
             {:process 4294967296, :type :ok, :f :read, :value 1}]
            """);
        var history = RegisterHistories.ReadJepsenEdn(path);
        Assert.Equal([0L, 4294967296L], history.Select(o => o.Client).Order());
        Assert.Equal(Verdict.Holds, PorcupineFiles.Check(path).Verdict);
    }

    [Fact]
    public void KeyValue_ProcessesBeyond32Bits_AreKept()
    {
        var path = Write("kv.txt", """
            {:process 4294967296, :type :invoke, :f :put, :key "a", :value "x"}
            {:process 0, :type :invoke, :f :get, :key "a", :value nil}
            {:process 4294967296, :type :ok, :f :put, :key "a", :value "x"}
            {:process 0, :type :ok, :f :get, :key "a", :value "x"}
            """);
        Assert.Equal([0L, 4294967296L], KeyValueModel.ReadHistory(path).Select(o => o.Client).Order());
    }

    [Theory]
    [InlineData("[{:process 0, :type :invoke, :f :write, :value 99999999999999999999}]", "big.edn", ":1: the integer 99999999999999999999 does not fit in 64 bits")]
    [InlineData("[{:process 0, :type :invoke, :f :read, :value nil}\n {:process 0, :type :ok, :f :read, :value -99999999999999999999N}]", "big.edn", ":2: the integer -99999999999999999999N does not fit in 64 bits")]
    [InlineData("INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 99999999999999999999\t:ok\t:read\t1\n", "etcd.log", ":2: the process '99999999999999999999' is not a number of at most 64 bits")]
    public void NumbersBeyond64Bits_AreRejected_WithFileAndLine(string content, string name, string expected)
    {
        var path = Write(name, content);
        var error = Assert.Throws<SpecException>(() => PorcupineFiles.Check(path));
        Assert.Equal(path + expected, error.Message);
    }

    // ---- recognising the format (issue item 16) ----

    [Fact]
    public void Detect_EdnStartingWithAComment_IsJepsenEdn()
    {
        var path = Write("commented.edn", """
            ; a Jepsen history, exported by hand
            ;; with two comment lines

            [{:process 0, :type :invoke, :f :write, :value 3}
             {:process 0, :type :ok, :f :write, :value 3}]
            """);
        Assert.Equal(HistoryFormat.JepsenEdn, PorcupineFiles.Detect(path));
        Assert.Equal(Verdict.Holds, PorcupineFiles.Check(path).Verdict);
    }

    [Fact]
    public void Detect_EdnList_IsJepsenEdn()
    {
        var path = Write("list.edn", """
            ({:process 0, :type :invoke, :f :write, :value 3}
             {:process 0, :type :ok, :f :write, :value 3}
             {:process 1, :type :invoke, :f :read, :value nil}
             {:process 1, :type :ok, :f :read, :value 2})
            """);
        Assert.Equal(HistoryFormat.JepsenEdn, PorcupineFiles.Detect(path));
        Assert.Equal(Verdict.Violated, PorcupineFiles.Check(path).Verdict);
    }

    [Fact]
    public void Detect_KeyValueLinesAfterAComment_AreKeyValue_AndTheCommentIsSkipped()
    {
        var path = Write("kv.txt", """
            ; recorded by the test harness
            {:process 1, :type :invoke, :f :put, :key "a", :value "x"}
            {:process 1, :type :ok, :f :put, :key "a", :value "x"}
            """);
        Assert.Equal(HistoryFormat.KeyValue, PorcupineFiles.Detect(path));
        Assert.Equal(Verdict.Holds, PorcupineFiles.Check(path).Verdict);
    }

    [Fact]
    public void Detect_SomethingElse_NamesTheLineItLookedAt()
    {
        var path = Write("notes.txt", "; only a comment\n\nhello\n");
        var error = Assert.Throws<SpecException>(() => PorcupineFiles.Detect(path));
        Assert.StartsWith(path + ":3: not a history this tool reads", error.Message);
    }
}
