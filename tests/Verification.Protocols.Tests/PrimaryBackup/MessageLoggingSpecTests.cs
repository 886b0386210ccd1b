using Verification.Protocols.PrimaryBackup;
using Verification.Specs;
using Xunit.Abstractions;

namespace Verification.Protocols.Tests.PrimaryBackup;

/// <summary>The refinement "the pair refines one failure-free process", checked on hand-written histories.</summary>
public class MessageLoggingSpecTests(ITestOutputHelper output)
{
    private static readonly Spec<PairEvent> Spec = MessageLoggingSpec.RefinesSingleProcess(inputs: 3);

    [Fact]
    public void ATakeoverThatSuppressesWhatThePrimarySent_Holds()
    {
        PairEvent[] history =
        [
            new InputSent(1, 1), new OutputSent(0, 1, 1), new InputAcknowledged(0, 1),
            new InputSent(2, 2), new OutputSent(0, 2, 3),
            new TookOver(1, InputsHeld: 2, OutputsCounted: 2), // output 2 replayed and discarded: nothing sent
            new InputAcknowledged(0, 2),
            new InputSent(3, 3), new OutputSent(1, 3, 6), new InputAcknowledged(1, 3),
        ];
        var result = History.Check(Spec, history);
        output.WriteLine(result.ToString());
        Assert.Equal(Verdict.Holds, result.Verdict);
    }

    [Fact]
    public void AnOutputSentTwice_IsNotOneProcesssOutput()
    {
        PairEvent[] history = [new InputSent(1, 1), new OutputSent(0, 1, 1), new TookOver(1, 1, 1), new OutputSent(1, 1, 1)];
        var result = History.Check(Spec, history);
        Assert.Equal(Verdict.Violated, result.Verdict);
        Assert.Equal(MessageLoggingSpec.SameOutputs, result.Violation!.Instance);
        Assert.Equal(4, result.Violation!.PrefixLength);
    }

    [Fact]
    public void ALateAcknowledgementOfAnInputTheBackupLacks_IsALostInput()
    {
        // The old primary's output reaches the client after the backup took over without that input.
        PairEvent[] history = [new InputSent(1, 1), new OutputSent(0, 1, 1), new TookOver(1, 0, 1), new InputAcknowledged(0, 1)];
        var result = History.Check(Spec, history);
        Assert.Equal(Verdict.Violated, result.Verdict);
        Assert.Equal(MessageLoggingSpec.NoAcknowledgedInputLost, result.Violation!.Instance);
        Assert.Equal(4, result.Violation!.PrefixLength);
    }

    [Fact]
    public void TheRefinementPrintsTheProcesssGuard()
    {
        var printed = Spec.Print();
        output.WriteLine(printed);
        Assert.Contains("SameOutputsAsOneProcess", printed);
        Assert.Contains("NoAcknowledgedInputLost", printed);
    }
}
