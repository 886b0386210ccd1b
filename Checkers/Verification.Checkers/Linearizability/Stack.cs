using System.Globalization;

namespace Verification.Checkers.Linearizability;

/// <summary>A stack operation: push a value, or pop.</summary>
/// <param name="Push">True for a push of <paramref name="Value"/>, false for a pop.</param>
/// <param name="Value">The value pushed (ignored for a pop).</param>
public sealed record StackCall(bool Push, int Value)
{
    /// <summary>"push 3" or "pop".</summary>
    public override string ToString() => Push ? $"push {Value}" : "pop";
}

/// <summary>
/// A last-in first-out stack of integers as a sequential model: a push returns null; a pop returns the top value, or
/// null when the stack is empty. The state is the contents, top first, as text (states compare by value).
/// </summary>
public sealed class StackModel : ISequentialModel<string, StackCall, int?>
{
    /// <inheritdoc/>
    public string Name => "stack";

    /// <inheritdoc/>
    public string Initial => "";

    /// <inheritdoc/>
    public bool Step(string state, StackCall input, int? output, out string next)
    {
        var items = state.Length == 0 ? [] : state.Split(' ').Select(item => int.Parse(item, CultureInfo.InvariantCulture)).ToList();
        if (input.Push)
        {
            next = string.Join(' ', items.Prepend(input.Value));
            return output is null;
        }
        next = string.Join(' ', items.Skip(1));
        return items.Count == 0 ? output is null : output == items[0];
    }

    /// <inheritdoc/>
    public bool IsReadOnly(StackCall input, int? output) => !input.Push && output is null;

    /// <inheritdoc/>
    public string Describe(StackCall input, int? output) =>
        input.Push ? $"push {input.Value}" : $"pop → {(output is { } value ? value.ToString(CultureInfo.InvariantCulture) : "empty")}";

    /// <inheritdoc/>
    public string Describe(string state) => state.Length == 0 ? "stack []" : $"stack [{state.Replace(' ', ',')}]";
}
