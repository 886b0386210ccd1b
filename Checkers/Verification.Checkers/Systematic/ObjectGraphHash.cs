using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Verification.Checkers.Systematic;

/// <summary>
/// A hash of everything reachable from an object — every instance field of every object, public or private, with
/// each object's identity — so that hashing the same object before and after a handler call tells whether the
/// handler changed it in place (a list inside a record, a mutable class as a node state, a counter in a node object).
/// Per type, one compiled delegate reads the fields. Strings and reflection objects are immutable and hashed by
/// identity; delegates by identity (their closures are not followed). At most <see cref="MaxObjects"/> objects are
/// followed per hash. Not thread-safe: one instance per world.
/// </summary>
internal sealed class ObjectGraphHash
{
    /// <summary>Objects followed per hash at most (a guard against huge graphs; what lies beyond is not compared).</summary>
    public const int MaxObjects = 100_000;

    /// <summary>What is known of a type, looked up once per object hashed.</summary>
    private sealed record TypeInfo(bool Leaf, bool Acyclic, Action<object, ObjectGraphHash>? Hasher);

    private static readonly ConcurrentDictionary<Type, TypeInfo> Types = new();

    private static TypeInfo Describe(Type type) =>
        IsLeaf(type) ? new TypeInfo(true, true, null) : new TypeInfo(false, !CanCycle(type, []), type.IsArray ? null : Compile(type));
    private static readonly MethodInfo AddNumberMethod = typeof(ObjectGraphHash).GetMethod(nameof(AddNumber), BindingFlags.Instance | BindingFlags.NonPublic)!;
    private static readonly MethodInfo AddObjectMethod = typeof(ObjectGraphHash).GetMethod(nameof(AddObject), BindingFlags.Instance | BindingFlags.NonPublic)!;


    private readonly HashSet<object> visited = new(ReferenceEqualityComparer.Instance);
    private ulong hash;
    private int followed;

    /// <summary>The hash of the graph reachable from <paramref name="root"/>.</summary>
    public ulong Of(object? root)
    {
        visited.Clear();
        followed = 0;
        hash = 14695981039346656037UL;
        AddObject(root);
        visited.Clear();
        return hash;
    }

    private void AddNumber(long value)
    {
        hash = (hash ^ (ulong)value) * 1099511628211UL;
        hash ^= hash >> 29;
    }

    private void AddObject(object? value)
    {
        if (value is null)
        {
            AddNumber(0);
            return;
        }
        var type = value.GetType();
        var info = Types.GetOrAdd(type, Describe);
        if (type.IsValueType)
        {
            // A boxed value (a struct or number in an object-typed field): compared by value; a box has no identity worth keeping.
            if (info.Leaf) AddNumber(value.GetHashCode());
            else info.Hasher!(value, this);
            return;
        }
        AddNumber(RuntimeHelpers.GetHashCode(value));
        if (info.Leaf) return;
        // Only a graph that can reach itself needs the visited set (records of numbers, the common node state, cannot).
        if (info.Acyclic ? ++followed > MaxObjects : !visited.Add(value) || visited.Count > MaxObjects) return;
        AddNumber(type.TypeHandle.Value);
        if (value is Array array)
        {
            AddArray(array);
            return;
        }
        info.Hasher!(value, this);
    }

    private void AddArray(Array array)
    {
        AddNumber(array.Length);
        var element = array.GetType().GetElementType()!;
        if (element.IsPrimitive || element.IsEnum)
        {
            // Unmanaged elements: hash their bytes.
            var handle = GCHandle.Alloc(array, GCHandleType.Pinned);
            try
            {
                var size = Buffer.ByteLength(array);
                unsafe
                {
                    var bytes = new ReadOnlySpan<byte>((void*)handle.AddrOfPinnedObject(), size);
                    var longs = MemoryMarshal.Cast<byte, long>(bytes);
                    foreach (var word in longs) AddNumber(word);
                    for (var i = longs.Length * 8; i < size; i++) AddNumber(bytes[i]);
                }
            }
            finally
            {
                handle.Free();
            }
            return;
        }
        foreach (var item in array) AddObject(item);
    }

    /// <summary>Types whose instances cannot change, or whose insides are not the program's state: hashed by identity (and value, when boxed numbers).</summary>
    private static bool IsLeaf(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type.IsPointer
        || typeof(Delegate).IsAssignableFrom(type) || typeof(MemberInfo).IsAssignableFrom(type) || typeof(Assembly).IsAssignableFrom(type)
        || typeof(Module).IsAssignableFrom(type) || typeof(Expression).IsAssignableFrom(type) || typeof(Thread).IsAssignableFrom(type)
        || typeof(Task).IsAssignableFrom(type) || type.Assembly == typeof(Specs.SpecException).Assembly; // the spec kernel's objects are immutable once built

    /// <summary>A delegate that feeds every instance field of an object of <paramref name="type"/> to the hash (fields of struct fields inline).</summary>
    private static Action<object, ObjectGraphHash> Compile(Type type)
    {
        var boxed = Expression.Parameter(typeof(object), "value");
        var hasher = Expression.Parameter(typeof(ObjectGraphHash), "hash");
        var typed = Expression.Variable(type, "typed");
        var body = new List<Expression> { Expression.Assign(typed, type.IsValueType ? Expression.Unbox(boxed, type) : Expression.Convert(boxed, type)) };
        foreach (var field in InstanceFields(type)) AddField(body, hasher, Expression.Field(typed, field), field.FieldType, depth: 0);
        body.Add(Expression.Empty());
        return Expression.Lambda<Action<object, ObjectGraphHash>>(Expression.Block([typed], body), boxed, hasher).Compile();
    }

    private static void AddField(List<Expression> body, ParameterExpression hasher, Expression read, Type fieldType, int depth)
    {
        if (fieldType.IsPointer || fieldType.IsByRefLike) return;
        var numeric = fieldType.IsEnum ? Enum.GetUnderlyingType(fieldType) : fieldType;
        if (numeric == typeof(bool))
            body.Add(Expression.Call(hasher, AddNumberMethod, Expression.Condition(read, Expression.Constant(1L), Expression.Constant(0L))));
        else if (numeric == typeof(char) || numeric == typeof(byte) || numeric == typeof(sbyte) || numeric == typeof(short) || numeric == typeof(ushort)
                 || numeric == typeof(int) || numeric == typeof(uint) || numeric == typeof(long) || numeric == typeof(ulong) || numeric == typeof(nint) || numeric == typeof(nuint))
            body.Add(Expression.Call(hasher, AddNumberMethod, Expression.Convert(fieldType.IsEnum ? Expression.Convert(read, numeric) : read, typeof(long))));
        else if (numeric == typeof(double) || numeric == typeof(float))
            body.Add(Expression.Call(hasher, AddNumberMethod, Expression.Call(typeof(BitConverter).GetMethod(nameof(BitConverter.DoubleToInt64Bits))!, Expression.Convert(read, typeof(double)))));
        else if (fieldType.IsValueType && !fieldType.IsPrimitive && depth < 8 && !IsLeaf(fieldType))
            foreach (var inner in InstanceFields(fieldType)) AddField(body, hasher, Expression.Field(read, inner), inner.FieldType, depth + 1);
        else
            body.Add(Expression.Call(hasher, AddObjectMethod, Expression.Convert(read, typeof(object))));
    }

    /// <summary>
    /// Whether an object of <paramref name="type"/> can reach an object that reaches it back: only through a field
    /// whose type is not sealed (an object, an interface, a base class) or whose type can itself, recursively.
    /// </summary>
    private static bool CanCycle(Type type, HashSet<Type> seen)
    {
        if (IsLeaf(type) || type.IsPrimitive || type.IsEnum) return false;
        if (type.IsArray) return CanCycle(type.GetElementType()!, seen);
        if (!type.IsValueType && !type.IsSealed) return true;
        if (!seen.Add(type)) return true; // a type that contains itself
        foreach (var field in InstanceFields(type))
            if (!field.FieldType.IsPointer && !field.FieldType.IsByRefLike && CanCycle(field.FieldType, seen)) return true;
        seen.Remove(type);
        return false;
    }

    private static IEnumerable<FieldInfo> InstanceFields(Type type)
    {
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                yield return field;
    }
}
