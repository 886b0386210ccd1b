using BenchmarkDotNet.Running;

namespace Verification.Bench;

public static class Program
{
    /// <summary>dotnet run -c Release --project bench/Verification.Bench -- --filter '*'</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
