using Verification.Specs;

namespace Verification.Controlled.Rewriting;

/// <summary>
/// A problem with the rewriter's input that the user must fix: a missing file, a file that is not a .NET assembly, an
/// assembly that must not be rewritten, a runtime assembly that lacks an interceptor of the contract. One line, naming
/// the file; the command line prints it without a stack trace and exits with code 2.
/// </summary>
/// <param name="message">What is wrong and with which file.</param>
/// <param name="inner">The exception that revealed it, if any.</param>
public sealed class RewriteException(string message, Exception? inner = null) : SpecException(message, inner);
