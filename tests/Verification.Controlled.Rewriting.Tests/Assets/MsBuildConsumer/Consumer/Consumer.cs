namespace Consumer;

public static class Uses
{
    public static async Task<int> Twice() => 2 * await ConsumerLibrary.Work.Run();
}
