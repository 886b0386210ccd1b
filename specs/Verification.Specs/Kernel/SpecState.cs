namespace Verification.Specs;

/// <summary>
/// The values of every state variable of one spec instance after some prefix σ, in typed slots so that scalar
/// steps do not allocate. Double-buffered: each array holds two halves, and <see cref="Parity"/> says which half is
/// current. A step writes y(σe) into the other half while reading y(σ), so both are available to the equations and
/// step properties; <see cref="Commit"/> flips the parity (an integer write: no reference stores, hence no GC write
/// barriers on the hot path). Memory stays independent of the history's length.
/// </summary>
public sealed class SpecState
{
    internal readonly long[] Numbers;
    internal readonly bool[] Flags;
    internal readonly object?[] References;
    internal readonly SpecState[] Children;

    /// <summary>0: the current values are in the first half of each array; 1: in the second.</summary>
    internal int Parity;

    internal SpecState(int numbers, int flags, int references, SpecState[] children)
    {
        NumberCount = numbers;
        FlagCount = flags;
        ReferenceCount = references;
        Numbers = new long[2 * numbers];
        Flags = new bool[2 * flags];
        References = new object?[2 * references];
        Children = children;
    }

    private SpecState(SpecState source)
    {
        NumberCount = source.NumberCount;
        FlagCount = source.FlagCount;
        ReferenceCount = source.ReferenceCount;
        // An empty array is shared (nothing can be written to it): a search clones one state per state it stores.
        Numbers = source.Numbers.Length == 0 ? source.Numbers : (long[])source.Numbers.Clone();
        Flags = source.Flags.Length == 0 ? source.Flags : (bool[])source.Flags.Clone();
        References = source.References.Length == 0 ? source.References : (object?[])source.References.Clone();
        Parity = source.Parity;
        Children = source.Children.Length == 0 ? source.Children : source.Children.Select(c => c.Clone()).ToArray();
    }

    internal int NumberCount { get; }
    internal int FlagCount { get; }
    internal int ReferenceCount { get; }

    /// <summary>An independent copy (for forking an exploration).</summary>
    public SpecState Clone() => new(this);

    /// <summary>Overwrites this state with <paramref name="source"/>'s values (same spec), reusing this state's arrays.</summary>
    public void CopyFrom(SpecState source)
    {
        // A search copies a state at every transition: a few slots by a loop (a bulk copy's call costs more than
        // they do), references only where they differ (each store of one is a GC write barrier), many in bulk.
        CopyInto(source.Numbers, Numbers);
        CopyInto(source.Flags, Flags);
        if (References.Length > FewSlots) source.References.AsSpan().CopyTo(References);
        else
            for (var i = 0; i < References.Length; i++)
                if (!ReferenceEquals(References[i], source.References[i])) References[i] = source.References[i];
        Parity = source.Parity;
        for (var i = 0; i < Children.Length; i++) Children[i].CopyFrom(source.Children[i]);
    }

    private const int FewSlots = 16;

    private static void CopyInto<T>(T[] source, T[] target) where T : unmanaged
    {
        if (target.Length > FewSlots) source.AsSpan().CopyTo(target);
        else
            for (var i = 0; i < target.Length; i++) target[i] = source[i];
    }

    /// <summary>Offset of the current (next = false) or next half for a storage of <paramref name="count"/> slots.</summary>
    internal int Offset(int count, bool next) => (next ? 1 - Parity : Parity) * count;

    internal void Commit()
    {
        Parity ^= 1;
        foreach (var child in Children) child.Commit();
    }

    /// <summary>A component that receives no event this step keeps its values: y(σe) = y(σ).</summary>
    internal void Stay()
    {
        Array.Copy(Numbers, Offset(NumberCount, false), Numbers, Offset(NumberCount, true), NumberCount);
        Array.Copy(Flags, Offset(FlagCount, false), Flags, Offset(FlagCount, true), FlagCount);
        Array.Copy(References, Offset(ReferenceCount, false), References, Offset(ReferenceCount, true), ReferenceCount);
        foreach (var child in Children) child.Stay();
    }
}
