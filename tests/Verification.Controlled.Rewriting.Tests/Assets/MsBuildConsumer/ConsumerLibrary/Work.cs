namespace ConsumerLibrary;

public static class Work
{
    public static async Task<int> Run()
    {
        await Task.Delay(1);
        return await Task.Run(() => 21);
    }
}
