namespace Verification.Runtime;

/// <summary>Where a nondeterministic value comes from: the controlled runtime's strategy, or a real host's random source.</summary>
public interface IChoiceSource
{
    /// <summary>A value in 0..<paramref name="count"/>-1.</summary>
    int Choose(int count);
}
