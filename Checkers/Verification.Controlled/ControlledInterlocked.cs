namespace Verification.Controlled;

/// <summary>
/// Interceptors for Interlocked: under control each operation is a scheduling point just before the real atomic
/// operation, so another operation may run between a read and the compare-exchange that depends on it.
/// </summary>
public static class ControlledInterlocked
{
    private static void Point(string what)
    {
        if (ControlledRuntime.TryCurrent(out var runtime, out var operation)) runtime.SchedulingPoint(operation, what);
    }

    /// <summary>Interlocked.Increment(ref int).</summary>
    public static int Increment(ref int location)
    {
        Point("Interlocked.Increment");
        return Interlocked.Increment(ref location);
    }

    /// <summary>Interlocked.Increment(ref long).</summary>
    public static long Increment(ref long location)
    {
        Point("Interlocked.Increment");
        return Interlocked.Increment(ref location);
    }

    /// <summary>Interlocked.Decrement(ref int).</summary>
    public static int Decrement(ref int location)
    {
        Point("Interlocked.Decrement");
        return Interlocked.Decrement(ref location);
    }

    /// <summary>Interlocked.Decrement(ref long).</summary>
    public static long Decrement(ref long location)
    {
        Point("Interlocked.Decrement");
        return Interlocked.Decrement(ref location);
    }

    /// <summary>Interlocked.Add(ref int, int).</summary>
    public static int Add(ref int location, int value)
    {
        Point("Interlocked.Add");
        return Interlocked.Add(ref location, value);
    }

    /// <summary>Interlocked.Add(ref long, long).</summary>
    public static long Add(ref long location, long value)
    {
        Point("Interlocked.Add");
        return Interlocked.Add(ref location, value);
    }

    /// <summary>Interlocked.Exchange(ref int, int).</summary>
    public static int Exchange(ref int location, int value)
    {
        Point("Interlocked.Exchange");
        return Interlocked.Exchange(ref location, value);
    }

    /// <summary>Interlocked.Exchange(ref long, long).</summary>
    public static long Exchange(ref long location, long value)
    {
        Point("Interlocked.Exchange");
        return Interlocked.Exchange(ref location, value);
    }

    /// <summary>Interlocked.Exchange(ref object?, object?).</summary>
    public static object? Exchange(ref object? location, object? value)
    {
        Point("Interlocked.Exchange");
        return Interlocked.Exchange(ref location, value);
    }

    /// <summary>Interlocked.Exchange&lt;T&gt;(ref T, T).</summary>
    public static T Exchange<T>(ref T location, T value) where T : class?
    {
        Point("Interlocked.Exchange");
        return Interlocked.Exchange(ref location, value);
    }

    /// <summary>Interlocked.CompareExchange(ref int, int, int).</summary>
    public static int CompareExchange(ref int location, int value, int comparand)
    {
        Point("Interlocked.CompareExchange");
        return Interlocked.CompareExchange(ref location, value, comparand);
    }

    /// <summary>Interlocked.CompareExchange(ref long, long, long).</summary>
    public static long CompareExchange(ref long location, long value, long comparand)
    {
        Point("Interlocked.CompareExchange");
        return Interlocked.CompareExchange(ref location, value, comparand);
    }

    /// <summary>Interlocked.CompareExchange(ref object?, object?, object?).</summary>
    public static object? CompareExchange(ref object? location, object? value, object? comparand)
    {
        Point("Interlocked.CompareExchange");
        return Interlocked.CompareExchange(ref location, value, comparand);
    }

    /// <summary>Interlocked.CompareExchange&lt;T&gt;(ref T, T, T).</summary>
    public static T CompareExchange<T>(ref T location, T value, T comparand) where T : class?
    {
        Point("Interlocked.CompareExchange");
        return Interlocked.CompareExchange(ref location, value, comparand);
    }
}
