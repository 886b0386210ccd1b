namespace Verification;

/// <summary>The root of the toolkit's own exceptions: what a user (or a test) can act on, with a message that says what and where.</summary>
/// <param name="message">One line: what is wrong and where (file:line when there is one).</param>
/// <param name="inner">The exception that caused it, if any.</param>
public class VerificationException(string message, Exception? inner = null) : Exception(message, inner);
