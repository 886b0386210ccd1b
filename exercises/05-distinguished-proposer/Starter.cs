// Exercise distinguished-proposer — see README.md. Check with:
//   verify exercise distinguished-proposer exercises/05-distinguished-proposer/Starter.cs

public static class Answer
{
    // TODO: for each failure model, predict whether Agreement holds (true) or can break (false) — before running.
    public static IReadOnlyDictionary<string, bool> AgreementHolds() => new Dictionary<string, bool>
    {
        ["recovery on suspicion, no failures"] = true,
        ["perfect detector, an acceptor forgets (amnesia)"] = true,
        ["perfect detector, an acceptor pauses"] = true,
        ["perfect detector, an acceptor halts"] = true,
    };
}
