namespace Verification.Specs;

/// <summary>The value of one variable (one family member, one component's sub-variable) in one state.</summary>
/// <param name="Name">The member as reports name it: <c>C</c>, <c>waiting[2]</c>, <c>u[0].L</c>; a post-event value ends in (σe).</param>
/// <param name="Value">The value; null when undefined.</param>
/// <param name="IsDefined">False for a partial variable that has no value in this state.</param>
public sealed record VariableValue(string Name, object? Value, bool IsDefined)
{
    /// <summary>The value as reports show it: <c>C = 3</c>, <c>L = undefined</c>.</summary>
    public override string ToString() => $"{Name} = {(IsDefined ? Alphabet.FormatValue(Value) : "undefined")}";
}

/// <summary>
/// Incremental evaluation of a spec (use (a)): one compiled step per appended event; memory independent of the
/// history's length. Starts at Nil.
/// </summary>
public sealed class Evaluator<TEvent> where TEvent : class
{
    private readonly CompiledSpec<TEvent> compiled;

    internal Evaluator(Spec<TEvent> spec)
    {
        Spec = spec;
        compiled = spec.Compiled;
        State = compiled.NewState();
    }

    private Evaluator(Evaluator<TEvent> source)
    {
        Spec = source.Spec;
        compiled = source.compiled;
        State = source.State.Clone();
        Length = source.Length;
    }

    /// <summary>The spec being evaluated.</summary>
    public Spec<TEvent> Spec { get; }

    /// <summary>Number of events appended so far: the length of σ.</summary>
    public long Length { get; private set; }

    internal SpecState State { get; }

    /// <summary>σ := σe.</summary>
    public void Step(TEvent evt)
    {
        Compute(evt);
        Commit();
    }

    /// <summary>Makes this evaluator equal to <paramref name="source"/> (same spec) without allocating.</summary>
    public void CopyFrom(Evaluator<TEvent> source)
    {
        State.CopyFrom(source.State);
        Length = source.Length;
    }

    /// <summary>An independent copy at the same prefix.</summary>
    public Evaluator<TEvent> Fork() => new(this);

    /// <summary>Computes y(σe) for all y into the Next buffers without committing (step properties read both).</summary>
    internal void Compute(TEvent evt)
    {
        try
        {
            compiled.Step(evt, State);
        }
        catch (Exception ex)
        {
            throw new EvaluationException($"spec '{Spec.Name}': evaluating event #{Length + 1} ({Alphabet.Describe(evt)}) failed: {ex.Message}", ex);
        }
    }

    internal void Commit()
    {
        State.Parity ^= 1;
        if (State.Children.Length > 0) foreach (var child in State.Children) child.Commit();
        Length++;
    }

    /// <summary>
    /// The variable's value in the current state, y(σ). Reading a partial variable where it is undefined throws
    /// <see cref="UndefinedValueException"/> (ask <see cref="IsDefined{T}(Var{T})"/> first); a variable of another spec throws <see cref="SpecException"/>.
    /// </summary>
    public T Value<T>(Var<T> variable) => (T)StateValues.Read(State, compiled.Layouts, Spec, variable, 0, next: false)!;

    /// <summary>Member <paramref name="index"/> (0..Count−1) of a family in the current state.</summary>
    public T Value<T>(Family<T> family, int index) => (T)StateValues.Read(State, compiled.Layouts, Spec, family, index, next: false)!;

    /// <summary>Member <paramref name="index"/> of any of the spec's variables (scalar: index 0), boxed: for checkers that compare values without knowing their types.</summary>
    public object? ValueOf(Variable variable, int index) => StateValues.Read(State, compiled.Layouts, Spec, variable, index, next: false);

    /// <summary>A sequence variable's value in the current state (as stored: a sequence that grew past its bound keeps only its first Bound values).</summary>
    public Seq<T> Value<T>(SeqVar<T> sequence) => Sequence<T>(sequence, 0);

    /// <summary>Sequence <paramref name="index"/> of a family of sequences in the current state.</summary>
    public Seq<T> Value<T>(SeqFamily<T> sequences, int index) => Sequence<T>(sequences, index);

    private Seq<T> Sequence<T>(SequenceVariable sequence, int index)
    {
        if (index < 0 || index >= sequence.Count) throw new SpecException($"sequence family '{sequence.Name}' has indices 0..{sequence.Count - 1} (got {index})");
        var length = (int)StateValues.Read(State, compiled.Layouts, Spec, sequence.Lengths, index, next: false)!;
        var stored = Math.Min(length, sequence.Bound);
        return Seq<T>.Of(Enumerable.Range(0, stored).Select(k => (T)StateValues.Read(State, compiled.Layouts, Spec, sequence.Slots, index * sequence.Bound + k, next: false)!));
    }

    /// <summary>A sub-spec variable on component u_<paramref name="index"/> in the current state, e.g. L(u_2): the sub-spec evaluated on that component's history.</summary>
    public T Value<TSub, T>(Component<TSub> component, int index, Var<T> subVariable) where TSub : class =>
        (T)StateValues.Read(ChildState(component, index), component.SubSpec.Compiled.Layouts, component.SubSpec, subVariable, 0, next: false)!;

    /// <summary>Whether the variable has a value in the current state: always for a total variable; for a partial one, not at Nil.</summary>
    public bool IsDefined<T>(Var<T> variable) => StateValues.IsDefined(State, compiled.Layouts, Spec, variable, next: false);

    /// <summary>Whether a sub-spec variable has a value on component u_<paramref name="index"/> (a partial one has none while u_i is still Nil).</summary>
    public bool IsDefined<TSub, T>(Component<TSub> component, int index, Var<T> subVariable) where TSub : class =>
        StateValues.IsDefined(ChildState(component, index), component.SubSpec.Compiled.Layouts, component.SubSpec, subVariable, next: false);

    /// <summary>Adds the current values to a state key (numbers and flags as numbers, references as objects), children included.</summary>
    public void AddKey(long[] numbers, ref int numberIndex, object?[] objects, ref int objectIndex) => AddKey(State, numbers, ref numberIndex, objects, ref objectIndex);

    /// <summary>How many numbers and objects <see cref="AddKey(long[], ref int, object?[], ref int)"/> adds.</summary>
    public (int Numbers, int Objects) KeySize() => KeySize(State);

    private static (int, int) KeySize(SpecState state)
    {
        var (numbers, objects) = (state.NumberCount + state.FlagCount, state.ReferenceCount);
        foreach (var child in state.Children)
        {
            var (n, o) = KeySize(child);
            numbers += n;
            objects += o;
        }
        return (numbers, objects);
    }

    private static void AddKey(SpecState state, long[] numbers, ref int numberIndex, object?[] objects, ref int objectIndex)
    {
        // Loops, not Array.Copy: a search writes a key at every transition, and a spec's state is a few slots, fewer
        // than a general copy's checks cost.
        var at = state.Offset(state.NumberCount, next: false);
        for (var i = 0; i < state.NumberCount; i++) numbers[numberIndex++] = state.Numbers[at + i];
        var f = state.Offset(state.FlagCount, next: false);
        for (var i = 0; i < state.FlagCount; i++) numbers[numberIndex++] = state.Flags[f + i] ? 1 : 0;
        var r = state.Offset(state.ReferenceCount, next: false);
        for (var i = 0; i < state.ReferenceCount; i++) objects[objectIndex++] = state.References[r + i];
        foreach (var child in state.Children) AddKey(child, numbers, ref numberIndex, objects, ref objectIndex);
    }

    /// <summary>
    /// Where <see cref="AddKey(long[], ref int, object?[], ref int)"/> puts member 0 of a variable of this spec (its
    /// members follow it): among the objects when it holds references, else among the numbers. For symmetry
    /// reduction, which writes a renamed state's key by moving members in the key instead of in the state.
    /// </summary>
    public (bool Reference, int Start) KeyPosition(Variable variable) => Slot(variable) switch
    {
        (Storage.Numbers, var slot) => (false, slot),
        (Storage.Flags, var slot) => (false, State.NumberCount + slot),
        (_, var slot) => (true, slot),
    };

    /// <summary>
    /// Moves the current values of a family's members: member i's value goes to member <paramref name="destination"/>[i]
    /// (a permutation of 0..Count−1). For symmetry reduction, which renames the nodes a family is indexed by; the
    /// values themselves are unchanged (see <see cref="MapNumbers"/>).
    /// </summary>
    public void PermuteMembers(Variable family, ReadOnlySpan<int> destination)
    {
        var (storage, slot) = Slot(family);
        if (destination.Length != family.Count) throw new SpecException($"a permutation of '{family.Name}' needs {family.Count} destinations (got {destination.Length})");
        switch (storage)
        {
            case Storage.Numbers: Permute(State.Numbers, State.Offset(State.NumberCount, next: false) + slot, destination); break;
            case Storage.Flags: Permute(State.Flags, State.Offset(State.FlagCount, next: false) + slot, destination); break;
            default: Permute(State.References, State.Offset(State.ReferenceCount, next: false) + slot, destination); break;
        }
    }

    private static void Permute<T>(T[] values, int start, ReadOnlySpan<int> destination)
    {
        var old = values.AsSpan(start, destination.Length).ToArray();
        for (var i = 0; i < old.Length; i++) values[start + destination[i]] = old[i];
    }

    /// <summary>Rewrites every current member value of a variable stored as a number (an int, long or enum) through <paramref name="map"/>.</summary>
    public void MapNumbers(Variable variable, Func<long, long> map)
    {
        var (storage, slot) = Slot(variable);
        if (storage != Storage.Numbers) throw new SpecException($"'{variable.Name}' does not hold numbers ({variable.ValueType.Name}), so its values cannot be renamed as numbers");
        var start = State.Offset(State.NumberCount, next: false) + slot;
        for (var i = 0; i < variable.Count; i++) State.Numbers[start + i] = map(State.Numbers[start + i]);
    }

    private (Storage Storage, int Slot) Slot(Variable variable)
    {
        if (variable.Id < 0 || variable.Id >= Spec.Variables.Count || Spec.Variables[variable.Id] != variable)
            throw new SpecException($"'{variable.Name}' is not a variable of spec '{Spec.Name}'");
        var layout = compiled.Layouts[variable.Id];
        if (layout.Storage == Storage.Children) throw new SpecException($"'{variable.Name}' is a component array; its members cannot be renamed");
        return (layout.Storage, layout.Slot);
    }

    /// <summary>Every variable's current value, family members and components' sub-variables included, in declaration order.</summary>
    public IReadOnlyList<VariableValue> Snapshot() => StateValues.Snapshot(Spec, State, "", next: false);

    internal SpecState ChildState(Variable component, int index)
    {
        if (Spec.Variables.Count <= component.Id || Spec.Variables[component.Id] != component)
            throw new SpecException($"'{component.Name}' is not a component of spec '{Spec.Name}'");
        if (index < 0 || index >= component.Count) throw new SpecException($"component '{component.Name}' has no index {index} (0..{component.Count - 1})");
        return State.Children[compiled.Layouts[component.Id].Slot + index];
    }
}

/// <summary>Reads values out of a <see cref="SpecState"/> by a spec's layout (for reports and the public accessors, not the hot path).</summary>
internal static class StateValues
{
    internal static IReadOnlyList<VariableValue> Snapshot(ISpec spec, SpecState state, string prefix, bool next)
    {
        var values = new List<VariableValue>();
        var layouts = spec.Compiled.Layouts;
        foreach (var variable in spec.Variables)
        {
            for (var i = 0; i < variable.Count; i++)
            {
                var name = prefix + variable.MemberName(i);
                if (variable is IComponent component)
                {
                    values.AddRange(Snapshot(component.SubSpec, state.Children[layouts[variable.Id].Slot + i], name + ".", next));
                    continue;
                }
                var defined = IsDefined(state, layouts, spec, variable, next);
                values.Add(new VariableValue(name, defined ? Read(state, layouts, spec, variable, i, next) : null, defined));
            }
        }
        return values;
    }

    internal static bool IsDefined(SpecState state, IReadOnlyList<SlotLayout> layouts, ISpec spec, Variable variable, bool next)
    {
        Check(spec, variable);
        if (!variable.IsPartial) return true;
        return state.Flags[layouts[variable.Id].DefinedFlag + state.Offset(state.FlagCount, next)];
    }

    internal static object? Read(SpecState state, IReadOnlyList<SlotLayout> layouts, ISpec spec, Variable variable, int index, bool next)
    {
        Check(spec, variable);
        if (index < 0 || index >= variable.Count) throw new SpecException($"'{variable.Name}' has no index {index} (0..{variable.Count - 1})");
        if (!IsDefined(state, layouts, spec, variable, next)) throw new UndefinedValueException(variable.Name);
        var layout = layouts[variable.Id];
        var slot = layout.Slot + index;
        switch (layout.Storage)
        {
            case Storage.Numbers:
                var number = state.Numbers[slot + state.Offset(state.NumberCount, next)];
                return variable.ValueType == typeof(long) ? number : variable.ValueType.IsEnum ? Enum.ToObject(variable.ValueType, number) : (int)number;
            case Storage.Flags:
                return state.Flags[slot + state.Offset(state.FlagCount, next)];
            case Storage.References:
                return state.References[slot + state.Offset(state.ReferenceCount, next)];
            default:
                throw new SpecException($"'{variable.Name}' is a component: read its sub-variables");
        }
    }

    private static void Check(ISpec spec, Variable variable)
    {
        if (variable.Id < 0 || variable.Id >= spec.Variables.Count || spec.Variables[variable.Id] != variable)
            throw new SpecException($"'{variable.Name}' is not a variable of spec '{spec.Name}'");
    }
}
