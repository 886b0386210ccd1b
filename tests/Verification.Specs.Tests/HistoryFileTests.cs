using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Verification.Specs.Examples;

namespace Verification.Specs.Tests;

public enum Color { Red, Green }

/// <summary>An alphabet with every kind of field a history file carries: enums, longs, bools, strings and a nested event.</summary>
public abstract record PaintEvent;

public sealed record Painted(Color Color, long At, bool Glossy, string Note) : PaintEvent;

public sealed record Covered(Layer Layer, int Times) : PaintEvent;

public abstract record Layer;

public sealed record Coat(Color Color, int Thickness) : Layer;

/// <summary>A text of one endless line (up to a bound), counting how much of it was read.</summary>
internal sealed class LongLineReader(long chars) : TextReader
{
    public long CharsRead { get; private set; }

    public override int Read(char[] buffer, int index, int count)
    {
        var n = (int)Math.Min(count, chars - CharsRead);
        Array.Fill(buffer, 'x', index, n);
        CharsRead += n;
        return n;
    }

    public override int Read()
    {
        if (CharsRead >= chars) return -1;
        CharsRead++;
        return 'x';
    }

    public override int Peek() => CharsRead < chars ? 'x' : -1;
}

public class HistoryFileTests
{
    [Fact]
    public void FormatThenParse_RoundTrips()
    {
        Check.One(Generators.Config(100), Prop.ForAll(Generators.Histories<SchedulerEvent>(maxInteger: 5), history =>
            Assert.Equal(history, HistoryFile.Parse<SchedulerEvent>(HistoryFile.Format(history)))));
        Check.One(Generators.Config(100), Prop.ForAll(Generators.Histories<ShiftEvent>(maxInteger: 5), history =>
            Assert.Equal(history, HistoryFile.Parse<ShiftEvent>(HistoryFile.Format(history)))));
        Check.One(Generators.Config(100), Prop.ForAll(Generators.Histories<PaintEvent>(maxInteger: 5), history =>
            Assert.Equal(history, HistoryFile.Parse<PaintEvent>(HistoryFile.Format(history)))));
    }

    [Fact]
    public void FormatThenParse_RoundTripsEscapesAndNonAsciiText()
    {
        PaintEvent[] history = [new Painted(Color.Green, long.MaxValue, true, "quote \" tab \t é ✓ \u0001"), new Covered(new Coat(Color.Red, -3), int.MinValue)];
        Assert.Equal(history, HistoryFile.Parse<PaintEvent>(HistoryFile.Format(history)));
    }

    [Fact]
    public void Parse_AcceptsMembersInAnyOrder_EscapedNames_LineEndingsAndAByteOrderMark()
    {
        var text = "\uFEFF{\"Process\": 2, \"event\": \"Dispatch\"}\r\n{\"\\u0065vent\": \"Dispatch\", \"Pro\\u0063ess\": 3}\r{\"event\": \"ClockTick\"}\n\u00A0\t\n{\"event\":\"Dispatch\",\"Process\":4}";
        Assert.Equal(new SchedulerEvent[] { new Dispatch(2), new Dispatch(3), new ClockTick(), new Dispatch(4) }, HistoryFile.Parse<SchedulerEvent>(text));
    }

    [Theory]
    [InlineData("{\"event\": \"Dispatch\", \"Process\": 1, \"Process\": 2}", "trace.jsonl:2: duplicate key \"Process\" in the event object")]
    [InlineData("{\"event\": \"ClockTick\", \"event\": \"Dispatch\", \"Process\": 1}", "trace.jsonl:2: duplicate key \"event\"")]
    [InlineData("{\"Process\": 1, \"event\": \"Dispatch\", \"event\": \"ClockTick\"}", "trace.jsonl:2: duplicate key \"event\"")]
    [InlineData("{\"event\": \"Dispatch\", \"Process\": 1, \"process\": 2}", "trace.jsonl:2: duplicate key \"process\"")]
    public void Parse_DuplicateKey_IsAnErrorNamingTheKey(string badLine, string expected)
    {
        var error = Assert.Throws<SpecException>(() => HistoryFile.Parse<SchedulerEvent>("{\"event\": \"ClockTick\"}\n" + badLine + "\n", "trace.jsonl"));
        Assert.StartsWith(expected, error.Message);
    }

    [Theory]
    [InlineData("{\"event\": \"Nope\", ", "t:1: not valid JSON")]
    [InlineData("{\"event\": \"ClockTick\"} x", "t:1: not valid JSON")]
    [InlineData("{\"event\": \"ClockTick\"} {}", "t:1: not valid JSON")]
    [InlineData("{\"event\": \"Painted\", \"Color\": \"Blue\", \"At\": 1, \"Glossy\": true, \"Note\": \"\"}", "t:1: field \"Color\" of Painted: \"Blue\" is not a Color (one of Red, Green)")]
    [InlineData("{\"event\": \"Covered\", \"Layer\": {\"event\": \"Coat\", \"Color\": \"Red\", \"Thickness\": true}, \"Times\": 1}", "t:1: field \"Layer\" of Covered: field \"Thickness\" of Coat: expected a 32-bit integer, found true")]
    [InlineData("{\"event\": \"Covered\", \"Layer\": [1, {\"a\": 2}], \"Times\": 1}", "t:1: field \"Layer\" of Covered: expected a Layer event object, found [1, {\"a\": 2}]")]
    [InlineData("{\"event\": \"Painted\", \"Color\": \"Red\", \"At\": 1.5, \"Glossy\": true, \"Note\": \"\"}", "t:1: field \"At\" of Painted: expected a 64-bit integer, found 1.5")]
    [InlineData("\"Painted\"", "t:1: expected an object like {\"event\": \"Painted\", ...}, found string")]
    public void Parse_BadValue_IsReportedAsBefore(string badLine, string expected)
    {
        var error = Assert.Throws<SpecException>(() => HistoryFile.Parse<PaintEvent>(badLine, "t"));
        Assert.StartsWith(expected, error.Message);
    }

    [Fact]
    public void LineOfExactlyTheLimit_IsRead_AndOneByteMore_IsAnError()
    {
        var evt = "{\"event\": \"ClockTick\"}";
        var atLimit = evt + new string(' ', HistoryFile.MaxLineBytes - evt.Length);
        Assert.Equal([new ClockTick(), new ClockTick()], HistoryFile.Parse<SchedulerEvent>(atLimit + "\r\n" + atLimit));
        var error = Assert.Throws<SpecException>(() => HistoryFile.Parse<SchedulerEvent>(evt + "\n" + atLimit + " \n" + evt, "big.jsonl"));
        Assert.Equal($"big.jsonl:2: line longer than {HistoryFile.MaxLineBytes} bytes (HistoryFile.MaxLineBytes); a history file holds one event per line", error.Message);
    }

    [Fact]
    public void RunawayLine_StopsReadingAtTheLimit()
    {
        var text = new LongLineReader(chars: 16L << 20);
        var error = Assert.Throws<SpecException>(() => HistoryFile.Read<SchedulerEvent>(text, "runaway.jsonl").ToList());
        Assert.StartsWith("runaway.jsonl:1: line longer than", error.Message);
        Assert.True(text.CharsRead <= 2L * HistoryFile.MaxLineBytes, $"read {text.CharsRead} characters of a runaway line");
    }

    [Fact]
    public void InvalidUtf8InAString_IsAnErrorWithFileAndLine()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, [.. Encoding.UTF8.GetBytes("{\"event\": \"Painted\", \"Color\": \"Red\", \"At\": 1, \"Glossy\": true, \"Note\": \""), 0xFF, .. "\"}\n"u8]);
            var error = Assert.Throws<SpecException>(() => HistoryFile.Read<PaintEvent>(path).ToList());
            Assert.StartsWith($"{path}:1: not valid", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void RunawayLineInAFile_StopsReadingAtTheLimit()
    {
        var path = Path.GetTempFileName();
        try
        {
            using (var file = File.Create(path))
            {
                file.Write(Encoding.UTF8.GetBytes("{\"event\": \"ClockTick\"}\n"));
                file.Write(new byte[8 << 20].AsSpan()); // 8 MiB of zero bytes, no newline
            }
            var events = 0;
            var error = Assert.Throws<SpecException>(() => { foreach (var _ in HistoryFile.Read<SchedulerEvent>(path)) events++; });
            Assert.Equal(1, events);
            Assert.StartsWith($"{path}:2: line longer than {HistoryFile.MaxLineBytes} bytes", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
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
