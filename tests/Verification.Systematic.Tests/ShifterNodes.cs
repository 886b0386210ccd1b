using Verification.Runtime;
using Verification.Specs.Examples;

namespace Verification.Systematic.Tests;

public sealed record CellNode(int Shifts, int Heard, long Suspects);

/// <summary>Nodes whose events feed a spec with nested components (the shift register); timers, messages, detector reports, recoveries all observe.</summary>
public sealed class Shifter : INode<CellNode, int, string, CellNode>
{
    public CellNode Start(Effects<int, string, CellNode> effects)
    {
        effects.SetTimer("shift", 1 + effects.Self.Index);
        return new CellNode(0, 0, 0);
    }

    public CellNode OnMessage(CellNode state, NodeId from, int message, Effects<int, string, CellNode> effects)
    {
        if (message % 2 == 0) effects.Observe(new Left(message));
        if (state.Heard < 2 && effects.Self.Index != 0) effects.Send(new NodeId(0), message + 1);
        var next = state with { Heard = state.Heard + 1 };
        effects.Persist(next);
        return next;
    }

    public CellNode OnTimer(CellNode state, string timer, Effects<int, string, CellNode> effects)
    {
        if (state.Shifts >= 2) return state;
        effects.Observe(new Right(effects.Self.Index * 10 + state.Shifts));
        effects.Send(new NodeId((effects.Self.Index + 1) % 3), state.Shifts);
        effects.SetTimer("shift", 2);
        return state with { Shifts = state.Shifts + 1 };
    }

    public CellNode OnRecover(CellNode? persisted, Effects<int, string, CellNode> effects)
    {
        effects.Observe(new Right(99));
        return persisted ?? new CellNode(0, 0, 0);
    }

    public CellNode OnDetector(CellNode state, DetectorReport report, Effects<int, string, CellNode> effects)
    {
        if (report is Suspect) effects.Observe(new Left(report.Node.Index));
        return state with { Suspects = report is Suspect ? state.Suspects | (1L << report.Node.Index) : state.Suspects & ~(1L << report.Node.Index) };
    }

    public static Protocol<CellNode, int, string, CellNode, ShiftEvent> Protocol(bool history) =>
        new("Shifters", 3, _ => new Shifter(), ShiftRegister.Create(3))
        {
            EnvironmentEvents = e => e switch
            {
                NodeCrashed crashed => new Left(100 + crashed.Node.Index),
                MessageDropped dropped => new Right(200 + (int)dropped.Message),
                _ => null,
            },
            HistoryCheck = history ? new HistoryCheck<ShiftEvent>("None", _ => null) : null,
        };
}

