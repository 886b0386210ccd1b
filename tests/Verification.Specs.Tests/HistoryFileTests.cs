using FsCheck;
using FsCheck.Fluent;
using Verification.Specs.Examples;

namespace Verification.Specs.Tests;

public class HistoryFileTests
{
    [Fact]
    public void FormatThenParse_RoundTrips()
    {
        Check.One(Generators.Config(100), Prop.ForAll(Generators.Histories<SchedulerEvent>(maxInteger: 5), history =>
            Assert.Equal(history, HistoryFile.Parse<SchedulerEvent>(HistoryFile.Format(history)))));
        Check.One(Generators.Config(100), Prop.ForAll(Generators.Histories<ShiftEvent>(maxInteger: 5), history =>
            Assert.Equal(history, HistoryFile.Parse<ShiftEvent>(HistoryFile.Format(history)))));
    }

    [Fact]
    public void Parse_ReadsTheDocumentedFormat_SkippingBlankLines()
    {
        var events = HistoryFile.Parse<SchedulerEvent>("{\"event\": \"ClockTick\"}\n\n{\"event\": \"Dispatch\", \"Process\": 2}\n{\"event\":\"SetPriority\",\"process\":1,\"priority\":7}\n");
        Assert.Equal(new SchedulerEvent[] { new ClockTick(), new Dispatch(2), new SetPriority(1, 7) }, events);
    }

    [Theory]
    [InlineData("{\"event\": \"Tick\"}", "trace.jsonl:2: event \"Tick\" is not in the alphabet SchedulerEvent (cases: ClockTick, Dispatch, SetPriority)")]
    [InlineData("{\"event\": \"Dispatch\"}", "trace.jsonl:2: event Dispatch is missing field \"Process\"")]
    [InlineData("{\"event\": \"Dispatch\", \"Process\": \"one\"}", "trace.jsonl:2: field \"Process\" of Dispatch: expected a 32-bit integer, found \"one\"")]
    [InlineData("{\"event\": \"Dispatch\", \"Process\": 1, \"Extra\": 2}", "trace.jsonl:2: event Dispatch has no field \"Extra\" (fields: Process)")]
    [InlineData("{\"event\": \"ClockTick\"", "trace.jsonl:2: not valid JSON")]
    [InlineData("[1, 2]", "trace.jsonl:2: expected an object")]
    [InlineData("{\"Process\": 1}", "trace.jsonl:2: missing the \"event\" member")]
    [InlineData("{\"event\": \"Dispatch\", \"Process\": 3000000000}", "expected a 32-bit integer, found 3000000000")]
    public void Parse_BadLine_NamesTheFileLineAndProblem(string badLine, string expected)
    {
        var text = "{\"event\": \"ClockTick\"}\n" + badLine + "\n";
        var error = Assert.Throws<SpecException>(() => HistoryFile.Parse<SchedulerEvent>(text, "trace.jsonl"));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Read_MissingFile_IsAClearError()
    {
        var error = Assert.Throws<SpecException>(() => HistoryFile.Read<SchedulerEvent>("/nonexistent/trace.jsonl").ToList());
        Assert.Contains("/nonexistent/trace.jsonl: history file not found", error.Message);
    }

    [Fact]
    public void Read_IsLazy_SoAViolationStopsBeforeALaterBadLine()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "{\"event\": \"Reset\"}\n{\"event\": \"Tick\"}\nnot json\n");
            var result = History.Check(Counter.Create(withFalseClaim: true), HistoryFile.Read<CounterEvent>(path));
            Assert.Equal(0, result.Violation!.PrefixLength);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
