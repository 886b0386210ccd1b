namespace Verification.Specs;

/// <summary>
/// Marks a helper type whose instances never change once constructed and whose properties and methods are pure
/// functions of their arguments (a quorum system, a fixed topology). Equations may capture such an object and read
/// its members, but only in sub-expressions that read no state and no event: those are evaluated once, when the
/// equation is defined, and become constants. Without the mark a captured object is rejected, because a value read
/// from a mutable object would be frozen at its build-time value.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class SpecConstantAttribute : Attribute;
