// Exercise distinguished-proposer: the answers, with the reason for each.
public static class Answer
{
    public static IReadOnlyDictionary<string, bool> AgreementHolds() => new Dictionary<string, bool>
    {
        // A slow distinguished proposer and a dead one look the same to a timeout: recovery runs while D is alive, and
        // both get a value learned.
        ["recovery on suspicion, no failures"] = false,
        // An acceptor that forgets what it accepted lets recovery read a majority that no longer holds the chosen value.
        ["perfect detector, an acceptor forgets (amnesia)"] = false,
        // A pause or a halt loses no state: whatever a majority accepted is still there for recovery to find.
        ["perfect detector, an acceptor pauses"] = true,
        ["perfect detector, an acceptor halts"] = true,
    };
}
