using System.Linq.Expressions;
using System.Reflection;

namespace Verification.Specs;

internal enum Storage { Numbers, Flags, References, Children }

/// <summary>Where a variable's values live in a <see cref="SpecState"/>: Count consecutive slots from Slot (within one half), and, for a partial variable, a definedness flag.</summary>
internal sealed record SlotLayout(Storage Storage, int Slot, int DefinedFlag);

/// <summary>A compiled spec seen without its alphabet type (how a parent reaches its components' compiled form).</summary>
internal interface ICompiledSpec
{
    IReadOnlyList<SlotLayout> Layouts { get; }

    /// <summary>The step for each parity of the state (see <see cref="SpecState.Parity"/>).</summary>
    IReadOnlyList<Delegate> Steps { get; }

    SpecState NewState();
}

/// <summary>
/// Use (a) of a staged spec: all equations fused into one compiled step delegate that computes every y(σe) from
/// e and the pre-event values in the derived order, plus one delegate per kind of property. One call per event,
/// no re-scan of history, no allocation for scalar variables. Each delegate is compiled twice, once per parity of
/// the double-buffered state, so every slot index is a constant.
/// </summary>
internal sealed class CompiledSpec<TEvent> : ICompiledSpec where TEvent : class
{
    private static readonly FieldInfo NumbersField = Field(nameof(SpecState.Numbers));
    private static readonly FieldInfo FlagsField = Field(nameof(SpecState.Flags));
    private static readonly FieldInfo ReferencesField = Field(nameof(SpecState.References));
    private static readonly FieldInfo ChildrenField = Field(nameof(SpecState.Children));
    private static readonly FieldInfo ParityField = Field(nameof(SpecState.Parity));

    private readonly int numbers, flags, references, children;
    private readonly List<(Property Property, int Index)> invariantInstances = [];
    private readonly List<(Property Property, int Index)> stepInstances = [];
    private readonly Action<TEvent, SpecState>[] steps;
    private readonly Func<SpecState, int>[] invariantChecks;
    private readonly Func<TEvent, SpecState, int>[] stepChecks;
    private readonly Func<SpecState, long>[] hotChecks;

    // One check per instance, compiled on first need (a failure to describe, an exception to attribute): [parity][code].
    private readonly Lazy<Func<TEvent?, SpecState, bool>[][]> eachInvariant, eachStepProperty, eachLiveness;

    public CompiledSpec(Spec<TEvent> spec)
    {
        Spec = spec;
        var layouts = new SlotLayout[spec.Variables.Count];
        foreach (var variable in spec.Variables)
        {
            var storage = StorageOf(variable);
            var slot = storage switch
            {
                Storage.Numbers => Take(ref numbers, variable.Count),
                Storage.Flags => Take(ref flags, variable.Count),
                Storage.References => Take(ref references, variable.Count),
                _ => Take(ref children, variable.Count),
            };
            var defined = variable.IsPartial ? Take(ref flags, 1) : -1;
            layouts[variable.Id] = new SlotLayout(storage, slot, defined);
        }
        Layouts = layouts;
        Initial = BuildInitialState();
        steps = [CompileStep(0), CompileStep(1)];
        invariantChecks = [CompileInvariants(0), CompileInvariants(1)];
        stepChecks = [CompileStepProperties(0), CompileStepProperties(1)];
        HasStepProperties = stepInstances.Count > 0;
        LivenessProperties = spec.Properties.Where(p => p.Kind == PropertyKind.Liveness).ToList();
        hotChecks = [CompileHot(0), CompileHot(1)];
        eachInvariant = new(() => CompileEach(invariantInstances));
        eachStepProperty = new(() => CompileEach(stepInstances));
        eachLiveness = new(() => CompileEach(LivenessProperties.Select(p => (p, 0)).ToList()));
    }

    public Spec<TEvent> Spec { get; }
    public IReadOnlyList<SlotLayout> Layouts { get; }
    public bool HasStepProperties { get; }

    /// <summary>The state at Nil; <see cref="NewState"/> clones it.</summary>
    private SpecState Initial { get; }

    IReadOnlyList<Delegate> ICompiledSpec.Steps => steps;

    /// <summary>Writes every y(σe) into the state's next half (components included); the caller commits.</summary>
    public void Step(TEvent evt, SpecState state) => steps[state.Parity](evt, state);

    /// <summary>
    /// Index of the first failing invariant instance in the current values (after <paramref name="length"/> events,
    /// the last being <paramref name="evt"/> when known), or -1. An instance whose evaluation throws is reported as an
    /// <see cref="EvaluationException"/> naming it and the event.
    /// </summary>
    public int CheckInvariants(SpecState state, TEvent? evt, long length)
    {
        try
        {
            return invariantChecks[state.Parity](state);
        }
        catch (Exception ex)
        {
            throw Blame(invariantInstances, eachInvariant.Value, state, null, After(length, evt), ex);
        }
    }

    /// <summary>
    /// Index of the first failing guard or step-property instance between the current and next values, when
    /// <paramref name="evt"/> is event number <paramref name="length"/> + 1, or -1. An instance whose evaluation
    /// throws is reported as an <see cref="EvaluationException"/> naming it and the event.
    /// </summary>
    public int CheckStepProperties(TEvent evt, SpecState state, long length)
    {
        try
        {
            return stepChecks[state.Parity](evt, state);
        }
        catch (Exception ex)
        {
            throw Blame(stepInstances, eachStepProperty.Value, state, evt, On(length, evt), ex);
        }
    }

    /// <summary>The liveness properties, in the bit order of <see cref="HotMask"/>.</summary>
    public IReadOnlyList<Property> LivenessProperties { get; }

    /// <summary>Bit i set: liveness property i is hot in the current values; on an exception see <see cref="BlameLiveness"/>.</summary>
    public long HotMask(SpecState state) => hotChecks[state.Parity](state);

    /// <summary>The error for <see cref="HotMask"/> having thrown <paramref name="thrown"/> after <paramref name="length"/> events (the last being <paramref name="evt"/> when known), naming the liveness property.</summary>
    public EvaluationException BlameLiveness(SpecState state, TEvent? evt, long length, Exception thrown) =>
        Blame(LivenessProperties.Select(p => (p, 0)).ToList(), eachLiveness.Value, state, null, After(length, evt), thrown);

    /// <summary>
    /// The invariant instances after <paramref name="first"/> (in declaration order) that also fail in the current
    /// values; one whose evaluation throws is listed with the error. Slow path: only once a violation was found.
    /// </summary>
    public IReadOnlyList<string> OtherFailingInvariants(int first, SpecState state) =>
        FailingInstances(invariantInstances, eachInvariant.Value, first + 1, state, null);

    /// <summary>The guard and step-property instances after <paramref name="first"/> that also fail on <paramref name="evt"/> (Now and Next both still held).</summary>
    public IReadOnlyList<string> OtherFailingStepProperties(int first, TEvent evt, SpecState state) =>
        FailingInstances(stepInstances, eachStepProperty.Value, first + 1, state, evt);

    /// <summary>Every invariant instance failing in the current values, for a step that already broke a guard or step property.</summary>
    public IReadOnlyList<string> FailingInvariants(SpecState state)
    {
        try
        {
            if (invariantChecks[state.Parity](state) < 0) return [];
        }
        catch (Exception)
        {
            // Listed below with its error.
        }
        return FailingInstances(invariantInstances, eachInvariant.Value, 0, state, null);
    }

    private static string After(long length, TEvent? evt) =>
        length == 0 ? "at Nil (the empty history)" : $"after event #{length}{(evt is null ? "" : $" ({Alphabet.Describe(evt)})")}";

    private static string On(long length, TEvent evt) => $"on event #{length + 1} ({Alphabet.Describe(evt)})";

    /// <summary>Finds which instance threw: the fused check stops at the first failure, so the first instance that throws on its own is the one.</summary>
    private EvaluationException Blame(IReadOnlyList<(Property Property, int Index)> instances, Func<TEvent?, SpecState, bool>[][] each, SpecState state, TEvent? evt, string where, Exception thrown)
    {
        var checks = each[state.Parity];
        for (var code = 0; code < checks.Length; code++)
        {
            try
            {
                checks[code](evt, state);
            }
            catch (Exception ex)
            {
                var (property, index) = instances[code];
                return new EvaluationException($"spec '{Spec.Name}': evaluating {property.KindName} {property.InstanceName(index)} {where} failed: {ex.Message}", ex);
            }
        }
        return new EvaluationException($"spec '{Spec.Name}': evaluating the properties {where} failed: {thrown.Message}", thrown);
    }

    private static List<string> FailingInstances(IReadOnlyList<(Property Property, int Index)> instances, Func<TEvent?, SpecState, bool>[][] each, int from, SpecState state, TEvent? evt)
    {
        var checks = each[state.Parity];
        var failing = new List<string>();
        for (var code = from; code < checks.Length; code++)
        {
            var (property, index) = instances[code];
            try
            {
                if (!checks[code](evt, state)) failing.Add(property.InstanceName(index));
            }
            catch (Exception ex)
            {
                failing.Add($"{property.InstanceName(index)} (cannot be evaluated: {ex.Message})");
            }
        }
        return failing;
    }

    public (Property Property, int Index) InvariantInstance(int code) => invariantInstances[code];
    public (Property Property, int Index) StepInstance(int code) => stepInstances[code];

    public SpecState NewState() => Initial.Clone();

    private static int Take(ref int counter, int count)
    {
        var slot = counter;
        counter += count;
        return slot;
    }

    internal static Storage StorageOf(Variable variable) =>
        variable is IComponent ? Storage.Children
        : variable.ValueType == typeof(bool) ? Storage.Flags
        : variable.ValueType == typeof(int) || variable.ValueType == typeof(long) || variable.ValueType.IsEnum ? Storage.Numbers
        : Storage.References;

    private SpecState BuildInitialState()
    {
        var childStates = new List<SpecState>();
        foreach (var variable in Spec.Variables.Where(v => v is IComponent))
            for (var i = 0; i < variable.Count; i++)
                childStates.Add(((IComponent)variable).SubSpec.Compiled.NewState());
        var state = new SpecState(numbers, flags, references, childStates.ToArray());
        foreach (var variable in Spec.Variables)
        {
            var equation = Spec.EquationOf(variable);
            if (equation.InitialValues is null) continue;
            var layout = Layouts[variable.Id];
            for (var i = 0; i < variable.Count; i++)
            {
                var value = equation.InitialValues[i];
                switch (layout.Storage)
                {
                    case Storage.Numbers: state.Numbers[layout.Slot + i] = Convert.ToInt64(value); break;
                    case Storage.Flags: state.Flags[layout.Slot + i] = (bool)value!; break;
                    default: state.References[layout.Slot + i] = value; break;
                }
            }
        }
        return state;
    }

    private Action<TEvent, SpecState> CompileStep(int parity)
    {
        var evt = Expression.Parameter(typeof(TEvent), "e");
        var state = Expression.Parameter(typeof(SpecState), "state");
        var access = new StateAccess(Spec, this, state, parity);
        var statements = new List<Expression>();
        foreach (var variable in Spec.EvaluationOrder)
        {
            var equation = Spec.EquationOf(variable);
            var layout = Layouts[variable.Id];
            for (var index = 0; index < variable.Count; index++)
            {
                var body = access.Rewrite(equation.Body, equation.EventParameter, evt, equation.IndexParameter, index);
                if (variable is IComponent component)
                {
                    statements.Add(FeedComponent(component, body, access.Child(layout.Slot + index)));
                    continue;
                }
                statements.Add(access.Write(layout.Storage, layout.Slot + index, body));
                if (variable.IsPartial) statements.Add(access.Write(Storage.Flags, layout.DefinedFlag, Expression.Constant(true)));
            }
        }
        statements.Add(Expression.Empty());
        var block = Expression.Block(access.Locals, access.Prologue.Concat(statements));
        return Expression.Lambda<Action<TEvent, SpecState>>(block, evt, state).Compile();
    }

    /// <summary>u_i(σe) = u_i · h_i: step the child on the appended event, or keep it as it is when h_i is null.</summary>
    private static Expression FeedComponent(IComponent component, Expression appended, Expression child)
    {
        var subSpec = component.SubSpec;
        var subSteps = subSpec.Compiled.Steps;
        var appendedEvent = Expression.Variable(appended.Type, "appended");
        var childState = Expression.Variable(typeof(SpecState), "child");
        var subEvent = Expression.Convert(appendedEvent, subSpec.Alphabet.EventType);
        return Expression.Block(
            [appendedEvent, childState],
            Expression.Assign(appendedEvent, appended),
            Expression.Assign(childState, child),
            Expression.IfThenElse(
                Expression.ReferenceNotEqual(appendedEvent, Expression.Constant(null, appended.Type)),
                Expression.Condition(
                    Expression.Equal(Expression.Field(childState, ParityField), Expression.Constant(0)),
                    Expression.Invoke(Expression.Constant(subSteps[0]), subEvent, childState),
                    Expression.Invoke(Expression.Constant(subSteps[1]), subEvent, childState),
                    typeof(void)),
                Expression.Call(childState, typeof(SpecState).GetMethod(nameof(SpecState.Stay), BindingFlags.Instance | BindingFlags.NonPublic)!)));
    }

    private Func<SpecState, int> CompileInvariants(int parity)
    {
        var state = Expression.Parameter(typeof(SpecState), "state");
        var access = new StateAccess(Spec, this, state, parity);
        var checks = new List<Expression>();
        var result = Expression.Label(typeof(int));
        var instances = new List<(Property, int)>();
        foreach (var property in Spec.Properties.Where(p => p.Kind == PropertyKind.Invariant))
            for (var index = 0; index < property.Count; index++)
            {
                var holds = access.Rewrite(property.Body, null, null, property.IndexParameter, index);
                checks.Add(Expression.IfThen(Expression.Not(holds), Expression.Return(result, Expression.Constant(instances.Count))));
                instances.Add((property, index));
            }
        if (parity == 0) invariantInstances.AddRange(instances);
        var block = Expression.Block(access.Locals, access.Prologue.Concat(checks).Append(Expression.Label(result, Expression.Constant(-1))));
        return Expression.Lambda<Func<SpecState, int>>(block, state).Compile();
    }

    private Func<SpecState, long> CompileHot(int parity)
    {
        var state = Expression.Parameter(typeof(SpecState), "state");
        var access = new StateAccess(Spec, this, state, parity);
        Expression mask = Expression.Constant(0L);
        for (var bit = 0; bit < LivenessProperties.Count; bit++)
        {
            var hot = access.Rewrite(LivenessProperties[bit].Body, null, null, null, 0);
            mask = Expression.Or(mask, Expression.Condition(hot, Expression.Constant(1L << bit), Expression.Constant(0L)));
        }
        var block = Expression.Block(access.Locals, access.Prologue.Append(mask));
        return Expression.Lambda<Func<SpecState, long>>(block, state).Compile();
    }

    private Func<TEvent, SpecState, int> CompileStepProperties(int parity)
    {
        var evt = Expression.Parameter(typeof(TEvent), "e");
        var state = Expression.Parameter(typeof(SpecState), "state");
        var access = new StateAccess(Spec, this, state, parity);
        var checks = new List<Expression>();
        var result = Expression.Label(typeof(int));
        var instances = new List<(Property, int)>();
        // Guards first: a step outside the protocol is reported as such, before what it breaks.
        foreach (var property in Spec.Properties.Where(p => p.Kind == PropertyKind.Guard).Concat(Spec.Properties.Where(p => p.Kind == PropertyKind.Step)))
        {
            var holds = access.Rewrite(property.Body, property.EventParameter, evt, null, 0);
            checks.Add(Expression.IfThen(Expression.Not(holds), Expression.Return(result, Expression.Constant(instances.Count))));
            instances.Add((property, 0));
        }
        if (parity == 0) stepInstances.AddRange(instances);
        var block = Expression.Block(access.Locals, access.Prologue.Concat(checks).Append(Expression.Label(result, Expression.Constant(-1))));
        return Expression.Lambda<Func<TEvent, SpecState, int>>(block, evt, state).Compile();
    }

    /// <summary>Each instance on its own, for both parities: what the fused checks do, one instance at a time.</summary>
    private Func<TEvent?, SpecState, bool>[][] CompileEach(IReadOnlyList<(Property Property, int Index)> instances) =>
        [.. Enumerable.Range(0, 2).Select(parity => instances.Select(instance => CompileInstance(instance.Property, instance.Index, parity)).ToArray())];

    private Func<TEvent?, SpecState, bool> CompileInstance(Property property, int index, int parity)
    {
        var evt = Expression.Parameter(typeof(TEvent), "e");
        var state = Expression.Parameter(typeof(SpecState), "state");
        var access = new StateAccess(Spec, this, state, parity);
        var holds = access.Rewrite(property.Body, property.EventParameter, evt, property.IndexParameter, index);
        var block = Expression.Block(access.Locals, access.Prologue.Append(holds));
        return Expression.Lambda<Func<TEvent?, SpecState, bool>>(block, evt, state).Compile();
    }

    private static FieldInfo Field(string name) => typeof(SpecState).GetField(name, BindingFlags.Instance | BindingFlags.NonPublic)!;

    private int CountOf(Storage storage) => storage switch
    {
        Storage.Numbers => numbers,
        Storage.Flags => flags,
        _ => references,
    };

    /// <summary>Replaces state-read markers by slot accesses on one <see cref="SpecState"/> of known parity (and on its children, whose parity is read at run time).</summary>
    private sealed class StateAccess(ISpec spec, CompiledSpec<TEvent> compiled, Expression state, int parity)
    {
        private readonly Dictionary<Storage, ParameterExpression> arrays = [];
        private ParameterExpression? children;

        private ISpec Spec => spec;

        public List<ParameterExpression> Locals { get; } = [];
        public List<Expression> Prologue { get; } = [];

        private int Offset(Storage storage, bool next) => (next ? 1 - parity : parity) * compiled.CountOf(storage);

        /// <summary>The local holding one of the state's arrays, loaded once at the start of the delegate.</summary>
        private ParameterExpression Array(Storage storage)
        {
            if (arrays.TryGetValue(storage, out var local)) return local;
            var field = FieldOf(storage);
            local = Expression.Variable(field.FieldType, storage.ToString());
            Locals.Add(local);
            Prologue.Add(Expression.Assign(local, Expression.Field(state, field)));
            arrays[storage] = local;
            return local;
        }

        private static FieldInfo FieldOf(Storage storage) => storage switch
        {
            Storage.Numbers => NumbersField,
            Storage.Flags => FlagsField,
            _ => ReferencesField,
        };

        public Expression Child(int slot) => Child(Expression.Constant(slot));

        private Expression Child(Expression slot)
        {
            if (children is null)
            {
                children = Expression.Variable(typeof(SpecState[]), "children");
                Locals.Add(children);
                Prologue.Add(Expression.Assign(children, Expression.Field(state, ChildrenField)));
            }
            return Expression.ArrayIndex(children, slot);
        }

        public Expression Write(Storage storage, int slot, Expression value) =>
            Expression.Assign(Expression.ArrayAccess(Array(storage), Expression.Constant(slot + Offset(storage, next: true))), ToSlot(storage, value));

        public Expression Rewrite(Expression body, ParameterExpression? eventParameter, Expression? evt, ParameterExpression? indexParameter, int index) =>
            new Rewriter(this).Visit(Staging.Instantiate(body, eventParameter, evt, indexParameter, index));

        private static Expression ToSlot(Storage storage, Expression value) => storage switch
        {
            Storage.Numbers => Expression.Convert(value, typeof(long)),
            Storage.References => Expression.Convert(value, typeof(object)),
            _ => value,
        };

        private static Expression FromSlot(Storage storage, Expression slot, Type type) =>
            storage == Storage.Flags || type == typeof(long) ? slot : Expression.Convert(slot, type);

        /// <summary>The slot of member <paramref name="index"/> of a variable: a constant when the index is, else a range-checked computation.</summary>
        private static Expression MemberSlot(Variable variable, int first, Expression index, Expression? offset)
        {
            if (index is ConstantExpression { Value: int constant } && constant >= 0 && constant < variable.Count)
                return offset is null ? Expression.Constant(first + constant) : Expression.Add(Expression.Constant(first + constant), offset);
            var slot = Expression.Call(typeof(StateAccess).GetMethod(nameof(CheckedSlot), BindingFlags.Static | BindingFlags.NonPublic)!,
                Expression.Constant(first), Expression.Constant(variable.Count), index, Expression.Constant(variable.Name));
            return offset is null ? slot : Expression.Add(slot, offset);
        }

        private static int CheckedSlot(int first, int count, int index, string name) =>
            (uint)index < (uint)count ? first + index : throw new EvaluationException($"'{name}' read at index {index}, outside 0..{count - 1}");

        private static Expression Undefined(Variable variable) =>
            Expression.Throw(Expression.New(typeof(UndefinedValueException).GetConstructor([typeof(string)])!, Expression.Constant(variable.Name)), variable.ValueType);

        private Expression Read(StagedRead site)
        {
            if (site.SubVariable is null) return ReadOwn(site);

            // A component's sub-variable: the child state's own arrays and parity, with the sub-spec's layout.
            var componentLayout = compiled.Layouts[site.Variable.Id];
            var child = Child(MemberSlot(site.Variable, componentLayout.Slot, site.Index, null));
            var subLayout = ((IComponent)site.Variable).SubSpec.Compiled.Layouts[site.SubVariable.Id];
            Expression ChildSlot(Storage storage, int slot, string countProperty)
            {
                // (next ? 1 - parity : parity) * count, read from the child at run time
                var childParity = Expression.Field(child, ParityField);
                var half = site.Next ? Expression.Subtract(Expression.Constant(1), childParity) : (Expression)childParity;
                var count = Expression.Property(child, typeof(SpecState).GetProperty(countProperty, BindingFlags.Instance | BindingFlags.NonPublic)!);
                return Expression.Add(Expression.Constant(slot), Expression.Multiply(half, count));
            }
            var defined = site.SubVariable.IsPartial
                ? Expression.ArrayIndex(Expression.Field(child, FlagsField), ChildSlot(Storage.Flags, subLayout.DefinedFlag, nameof(SpecState.FlagCount)))
                : (Expression)Expression.Constant(true);
            if (site.IsDefinedQuery) return defined;
            var (field, countName) = subLayout.Storage switch
            {
                Storage.Numbers => (NumbersField, nameof(SpecState.NumberCount)),
                Storage.Flags => (FlagsField, nameof(SpecState.FlagCount)),
                _ => (ReferencesField, nameof(SpecState.ReferenceCount)),
            };
            var value = FromSlot(subLayout.Storage, Expression.ArrayIndex(Expression.Field(child, field), ChildSlot(subLayout.Storage, subLayout.Slot, countName)), site.SubVariable.ValueType);
            return site.SubVariable.IsPartial ? Expression.Condition(defined, value, Undefined(site.SubVariable)) : value;
        }

        private Expression ReadOwn(StagedRead site)
        {
            var variable = site.Variable;
            var layout = compiled.Layouts[variable.Id];
            var defined = variable.IsPartial
                ? Expression.ArrayIndex(Array(Storage.Flags), Expression.Constant(layout.DefinedFlag + Offset(Storage.Flags, site.Next)))
                : (Expression)Expression.Constant(true);
            if (site.IsDefinedQuery) return defined;
            var slot = MemberSlot(variable, layout.Slot + Offset(layout.Storage, site.Next), site.Index, null);
            var value = FromSlot(layout.Storage, Expression.ArrayIndex(Array(layout.Storage), slot), variable.ValueType);
            return variable.IsPartial ? Expression.Condition(defined, value, Undefined(variable)) : value;
        }

        private sealed class Rewriter(StateAccess access) : ExpressionVisitor
        {
            protected override Expression VisitMethodCall(MethodCallExpression node)
            {
                if (StagedRead.TryDecode(node, out var site))
                    return access.Read(site with { Index = Visit(site.Index) });
                return base.VisitMethodCall(node);
            }
        }
    }
}
