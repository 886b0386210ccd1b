namespace Verification.Specs;

/// <summary>
/// Typed event cases for equations and properties, without casts: <c>e.Is((Voted v) => v.Acceptor == a)</c> holds when
/// the event is a <c>Voted</c> whose acceptor is <c>a</c>; <c>e.When((Voted v) => v.Ballot).When((Promised p) =>
/// p.Ballot).Else(maxBallot.Now)</c> is the first matching case's value, or the <c>Else</c> value. Staging rewrites
/// them into the event's type test and field reads (<c>e is Voted ∧ e.Acceptor = a</c>), so the compiled step, the
/// SMT translation and the printed equations are exactly those of the cast form. Outside a spec the methods mean
/// the same, evaluated directly.
/// </summary>
public static class EventCases
{
    /// <summary>The event is a <typeparamref name="TCase"/> and <paramref name="holds"/> holds of it.</summary>
    public static bool Is<TCase>(this object? e, Func<TCase, bool> holds) where TCase : class =>
        e is TCase matched && holds(matched);

    /// <summary>
    /// If the event is a <typeparamref name="TCase"/>, <paramref name="holds"/> holds of it (any other event
    /// satisfies it): a guard or step property about one kind of event, <c>e.IfIs((Promised p) => p.Ballot &gt; promised.Now(p.Acceptor))</c>.
    /// </summary>
    public static bool IfIs<TCase>(this object? e, Func<TCase, bool> holds) where TCase : class =>
        e is not TCase matched || holds(matched);

    /// <summary>The first case of a case analysis: <paramref name="then"/>'s value when the event is a <typeparamref name="TCase"/>; end the chain with <see cref="CaseChain{TResult}.Else"/>.</summary>
    public static CaseChain<TResult> When<TCase, TResult>(this object? e, Func<TCase, TResult> then) where TCase : class =>
        new CaseChain<TResult>(e).When(then);
}

/// <summary>A case analysis over an event's type, in order: the first case that matches gives the value.</summary>
/// <typeparam name="TResult">The value every case gives.</typeparam>
public sealed class CaseChain<TResult>
{
    private readonly object? subject;
    private bool matched;
    private TResult value = default!;

    internal CaseChain(object? subject) => this.subject = subject;

    /// <summary>A further case: <paramref name="then"/>'s value when no earlier case matched and the event is a <typeparamref name="TCase"/>.</summary>
    public CaseChain<TResult> When<TCase>(Func<TCase, TResult> then) where TCase : class
    {
        if (!matched && subject is TCase c)
        {
            value = then(c);
            matched = true;
        }
        return this;
    }

    /// <summary>The value of the first matching case, or <paramref name="otherwise"/> when none matched.</summary>
    public TResult Else(TResult otherwise) => matched ? value : otherwise;
}
