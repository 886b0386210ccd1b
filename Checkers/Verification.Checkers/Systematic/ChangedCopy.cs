using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Verification.Checkers.Systematic;

/// <summary>
/// Copies that write only what differs. A search copies a whole world before every transition onto a scratch world
/// that differs from it in a node or two; copying arrays of references in bulk goes through the runtime's bulk copy
/// with card marking every time, while comparing first writes (and marks) only the few entries that changed.
/// </summary>
/// <remarks>Over object arrays, not generic: a world's arrays of states, timers and deadlines all pass as object[]
/// (arrays of references are covariant), and a generic method called from a world's shared generic code would cost a
/// look-up of its instantiation at every call.</remarks>
internal static class ChangedCopy
{
    /// <summary>Makes <paramref name="target"/> hold <paramref name="source"/>'s references (arrays of the same length and element type).</summary>
    public static void Into(object?[] source, object?[] target)
    {
        // Written through a reference to the element: an array store would check each element against the array's
        // real type (covariance), which the caller guarantees (both arrays of one type) and which cost a helper call.
        ref var first = ref MemoryMarshal.GetArrayDataReference(target);
        for (var i = 0; i < source.Length && i < target.Length; i++)
            if (!ReferenceEquals(source[i], target[i])) Unsafe.Add(ref first, i) = source[i];
    }

    /// <summary>The same for a few numbers: a loop, not a call to the runtime's bulk copy, which costs more than the copy for a handful.</summary>
    public static void Into<T>(T[] source, T[] target) where T : unmanaged
    {
        for (var i = 0; i < source.Length && i < target.Length; i++) target[i] = source[i];
    }

    /// <summary>
    /// Stores <paramref name="value"/> at <paramref name="index"/> of an array a world made itself, of the value's own
    /// declared type (a node state into the states, say): an array store would check the value against the array's real
    /// type (covariance) on every step, a cast-cache look-up whenever states are subtypes of an abstract record.
    /// </summary>
    public static void Set(object?[] array, int index, object? value)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)array.Length, nameof(index));
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(array), index) = value;
    }
}
