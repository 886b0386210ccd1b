namespace Verification.Specs;

/// <summary>
/// A problem with a specification or its input that a user must fix: a malformed definition,
/// an unsupported construct, a cycle, an event outside the alphabet, a history file that does not parse.
/// The message names the problem and where it is; tools print it without a stack trace.
/// </summary>
/// <param name="message">One line: what is wrong and where (file:line when there is one).</param>
/// <param name="inner">The exception that caused it, if any.</param>
public class SpecException(string message, Exception? inner = null) : VerificationException(message, inner);

/// <summary>A variable was read where it has no value: a partial variable before its first definition (L(Nil)).</summary>
/// <param name="variable">The name of the variable read.</param>
public sealed class UndefinedValueException(string variable)
    : SpecException($"'{variable}' is undefined in this state (it has no value at Nil); guard the read with IsDefined")
{
    /// <summary>The name of the variable that was read while undefined.</summary>
    public string Variable { get; } = variable;
}

/// <summary>Evaluating an equation failed on a particular event (a cast to the wrong event case, an overflow, an index out of range).</summary>
/// <param name="message">The spec, the event's number and the event, and what failed.</param>
/// <param name="inner">The exception the equation threw.</param>
public sealed class EvaluationException(string message, Exception? inner = null) : SpecException(message, inner);
