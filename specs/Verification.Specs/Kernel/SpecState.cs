namespace Verification.Specs;

/// <summary>
/// The values of every state variable of one spec instance after some prefix σ, in typed slots so that scalar
/// steps do not allocate. Double-buffered: a step writes the post-event values into the Next buffers while reading
/// pre-event values from the Current ones, then <see cref="Commit"/> swaps them; so y(σ) and y(σe) are both
/// available while the step and the step properties run, and memory stays independent of the history's length.
/// </summary>
public sealed class SpecState
{
    internal long[] CurrentNumbers, NextNumbers;
    internal bool[] CurrentFlags, NextFlags;
    internal object?[] CurrentReferences, NextReferences;
    internal readonly SpecState[] Children;

    internal SpecState(int numbers, int flags, int references, SpecState[] children)
    {
        CurrentNumbers = new long[numbers];
        NextNumbers = new long[numbers];
        CurrentFlags = new bool[flags];
        NextFlags = new bool[flags];
        CurrentReferences = new object?[references];
        NextReferences = new object?[references];
        Children = children;
    }

    private SpecState(SpecState source)
    {
        CurrentNumbers = (long[])source.CurrentNumbers.Clone();
        NextNumbers = (long[])source.NextNumbers.Clone();
        CurrentFlags = (bool[])source.CurrentFlags.Clone();
        NextFlags = (bool[])source.NextFlags.Clone();
        CurrentReferences = (object?[])source.CurrentReferences.Clone();
        NextReferences = (object?[])source.NextReferences.Clone();
        Children = source.Children.Select(c => c.Clone()).ToArray();
    }

    /// <summary>An independent copy (for forking an exploration).</summary>
    public SpecState Clone() => new(this);

    internal void Commit()
    {
        (CurrentNumbers, NextNumbers) = (NextNumbers, CurrentNumbers);
        (CurrentFlags, NextFlags) = (NextFlags, CurrentFlags);
        (CurrentReferences, NextReferences) = (NextReferences, CurrentReferences);
        foreach (var child in Children) child.Commit();
    }

    /// <summary>A component that receives no event this step keeps its values: y(σe) = y(σ).</summary>
    internal void Stay()
    {
        Array.Copy(CurrentNumbers, NextNumbers, CurrentNumbers.Length);
        Array.Copy(CurrentFlags, NextFlags, CurrentFlags.Length);
        Array.Copy(CurrentReferences, NextReferences, CurrentReferences.Length);
        foreach (var child in Children) child.Stay();
    }
}
