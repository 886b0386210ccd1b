using System.Runtime.InteropServices;

namespace Verification.Checkers.Systematic;

/// <summary>
/// The large arrays of a visited-state set (tables, key chunks, bit arrays). Where they span 2 MiB pages, on Linux,
/// the kernel is asked to back them with such pages (transparent huge pages, madvise): a visited set is probed at
/// random, and with 4 KiB pages nearly every probe of a large one also misses the TLB, a page walk that costs as much
/// as the cache miss itself (more under a hypervisor's nested paging). Most distributions leave huge pages to those
/// who ask (<c>/sys/kernel/mm/transparent_hugepage/enabled</c> = madvise), so the process asks for these arrays only.
/// The advice is a hint: where the system declines it, or elsewhere than Linux, the arrays are ordinary ones.
/// </summary>
internal static partial class LargeArrays
{
    private const long HugePage = 2L << 20;
    private const int AdviseHugePages = 14; // MADV_HUGEPAGE

    /// <summary>A zeroed array of <paramref name="length"/> elements, on huge pages where it is large enough to use them.</summary>
    public static T[] Zeroed<T>(int length) where T : unmanaged
    {
        var bytes = (long)length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        if (bytes < 2 * HugePage || !OperatingSystem.IsLinux()) return new T[length];
        // Pinned, so its address stays where the advice was given. Fresh memory from the system is zero without being
        // touched, so its pages are first touched by the search, after the advice.
        var array = GC.AllocateArray<T>(length, pinned: true);
        Advise(array, bytes); // by address and a long length: an array may hold more than 2 GiB, which no span of bytes can
        return array;
    }

    /// <summary>Asks for huge pages over the whole 2 MiB pages inside <paramref name="array"/>'s <paramref name="bytes"/> bytes (pinned: it stays where it is).</summary>
    private static unsafe void Advise<T>(T[] array, long bytes) where T : unmanaged
    {
        fixed (T* start = array)
        {
            var first = ((long)start + HugePage - 1) & ~(HugePage - 1);
            var end = ((long)start + bytes) & ~(HugePage - 1);
            if (end <= first) return;
            try
            {
                _ = madvise((nint)first, (nuint)(end - first), AdviseHugePages); // a hint: a refusal leaves ordinary pages
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // No C library to ask (an unusual Linux): ordinary pages.
            }
        }
    }

    [LibraryImport("libc", SetLastError = false)]
    private static partial int madvise(nint address, nuint length, int advice);
}
