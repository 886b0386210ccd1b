using System.Text.RegularExpressions;
using Mono.Cecil;

namespace Verification.Controlled.Rewriting;

/// <summary>
/// Signature keys that match a call site's member reference against the table by exact signature: declaring type
/// (generic types by their definition, e.g. <c>Task`1</c>), name, generic arity and parameter types, with generic
/// parameters written by position (<c>!0</c> of the type, <c>!!0</c> of the method), so a definition and a reference
/// to any instantiation of it give the same key.
/// </summary>
public static partial class Signatures
{
    /// <summary>The key of a method reference (of a generic instantiation: of the generic method it instantiates).</summary>
    public static string KeyOf(MethodReference method)
    {
        var element = method is GenericInstanceMethod instance ? instance.ElementMethod : method;
        var arity = element.GenericParameters.Count;
        return $"{DeclaringTypeName(element)}::{element.Name}{(arity > 0 ? $"`{arity}" : "")}{ParameterList(element)}";
    }

    /// <summary>The declaring type's full name, of its generic definition for a generic instance.</summary>
    public static string DeclaringTypeName(MethodReference method) =>
        method.DeclaringType is GenericInstanceType generic ? generic.ElementType.FullName : method.DeclaringType.FullName;

    /// <summary>The parenthesised, comma-separated parameter types of a method, as in a key.</summary>
    public static string ParameterList(MethodReference method) =>
        $"({string.Join(",", method.Parameters.Select(parameter => Text(parameter.ParameterType)))})";

    /// <summary>A type as written in a key.</summary>
    public static string Text(TypeReference type) => type switch
    {
        GenericParameter parameter => (parameter.Type == GenericParameterType.Method ? "!!" : "!") + parameter.Position,
        ByReferenceType byReference => Text(byReference.ElementType) + "&",
        PointerType pointer => Text(pointer.ElementType) + "*",
        ArrayType array => Text(array.ElementType) + (array.Rank == 1 ? "[]" : $"[{new string(',', array.Rank - 1)}]"),
        GenericInstanceType generic => $"{Text(generic.ElementType)}<{string.Join(",", generic.GenericArguments.Select(Text))}>",
        RequiredModifierType required => $"{Text(required.ElementType)} modreq({Text(required.ModifierType)})",
        OptionalModifierType optional => $"{Text(optional.ElementType)} modopt({Text(optional.ModifierType)})",
        _ => type.FullName,
    };

    /// <summary>
    /// A BCL signature text moved onto an interceptor that is a generic method with the declaring type's parameters
    /// first: a type parameter <c>!i</c> becomes <c>!!i</c>, a method parameter <c>!!j</c> becomes <c>!!(typeArity + j)</c>.
    /// </summary>
    public static string MoveGenericParameters(string text, int typeArity) =>
        GenericParameterPattern().Replace(text, match => match.Groups[1].Value == "!!"
            ? $"!!{int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) + typeArity}"
            : $"!!{match.Groups[2].Value}");

    [GeneratedRegex("(!!?)([0-9]+)")]
    private static partial Regex GenericParameterPattern();
}
