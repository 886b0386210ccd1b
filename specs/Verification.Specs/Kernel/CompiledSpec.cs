using System.Linq.Expressions;
using System.Reflection;

namespace Verification.Specs;

internal enum Storage { Numbers, Flags, References, Children }

/// <summary>Where a variable's values live in a <see cref="SpecState"/>: Count consecutive slots from Slot, and, for a partial variable, a definedness flag.</summary>
internal sealed record SlotLayout(Storage Storage, int Slot, int DefinedFlag);

/// <summary>A compiled spec seen without its alphabet type (how a parent reaches its components' compiled form).</summary>
internal interface ICompiledSpec
{
    IReadOnlyList<SlotLayout> Layouts { get; }
    Delegate Step { get; }
    SpecState NewState();
}

/// <summary>
/// Use (a) of a staged spec: all equations fused into one compiled step delegate that computes every y(σe) from
/// e and the pre-event values in the derived order, plus one delegate per kind of property. One call per event,
/// no re-scan of history, no allocation for scalar variables.
/// </summary>
internal sealed class CompiledSpec<TEvent> : ICompiledSpec where TEvent : class
{
    private static readonly FieldInfo CurrentNumbers = Field(nameof(SpecState.CurrentNumbers));
    private static readonly FieldInfo NextNumbers = Field(nameof(SpecState.NextNumbers));
    private static readonly FieldInfo CurrentFlags = Field(nameof(SpecState.CurrentFlags));
    private static readonly FieldInfo NextFlags = Field(nameof(SpecState.NextFlags));
    private static readonly FieldInfo CurrentReferences = Field(nameof(SpecState.CurrentReferences));
    private static readonly FieldInfo NextReferences = Field(nameof(SpecState.NextReferences));
    private static readonly FieldInfo Children = Field(nameof(SpecState.Children));

    private readonly int numbers, flags, references, children;
    private readonly List<(Property Property, int Index)> invariantInstances = [];
    private readonly List<(Property Property, int Index)> stepInstances = [];

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
        Step = CompileStep();
        CheckInvariants = CompileInvariants();
        CheckStepProperties = CompileStepProperties();
    }

    public Spec<TEvent> Spec { get; }
    public IReadOnlyList<SlotLayout> Layouts { get; }

    /// <summary>The state at Nil; <see cref="NewState"/> clones it.</summary>
    private SpecState Initial { get; }

    /// <summary>Writes every y(σe) into the state's Next buffers (components included); the caller commits.</summary>
    public Action<TEvent, SpecState> Step { get; }

    /// <summary>Index of the first failing invariant instance in the current values, or -1.</summary>
    public Func<SpecState, int> CheckInvariants { get; }

    /// <summary>Index of the first failing step-property instance between Current and Next, or -1.</summary>
    public Func<TEvent, SpecState, int> CheckStepProperties { get; }

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
                childStates.Add(SubSpecState(((IComponent)variable).SubSpec));
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
                    case Storage.Numbers: state.CurrentNumbers[layout.Slot + i] = Convert.ToInt64(value); break;
                    case Storage.Flags: state.CurrentFlags[layout.Slot + i] = (bool)value!; break;
                    default: state.CurrentReferences[layout.Slot + i] = value; break;
                }
            }
        }
        return state;
    }

    private static SpecState SubSpecState(ISpec subSpec) => subSpec.Compiled.NewState();

    Delegate ICompiledSpec.Step => Step;

    private Action<TEvent, SpecState> CompileStep()
    {
        var evt = Expression.Parameter(typeof(TEvent), "e");
        var state = Expression.Parameter(typeof(SpecState), "state");
        var access = new StateAccess(Spec, this, state);
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
                statements.Add(access.Write(layout, index, body));
                if (variable.IsPartial) statements.Add(Expression.Assign(Expression.ArrayAccess(access.Array(Storage.Flags, next: true), Expression.Constant(layout.DefinedFlag)), Expression.Constant(true)));
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
        var subStep = subSpec.Compiled.Step;
        var appendedEvent = Expression.Variable(appended.Type, "appended");
        return Expression.Block(
            [appendedEvent],
            Expression.Assign(appendedEvent, appended),
            Expression.IfThenElse(
                Expression.ReferenceNotEqual(appendedEvent, Expression.Constant(null, appended.Type)),
                Expression.Invoke(Expression.Constant(subStep), Expression.Convert(appendedEvent, subSpec.Alphabet.EventType), child),
                Expression.Call(child, typeof(SpecState).GetMethod(nameof(SpecState.Stay), BindingFlags.Instance | BindingFlags.NonPublic)!)));
    }

    private Func<SpecState, int> CompileInvariants()
    {
        var state = Expression.Parameter(typeof(SpecState), "state");
        var access = new StateAccess(Spec, this, state);
        var checks = new List<Expression>();
        var result = Expression.Label(typeof(int));
        foreach (var property in Spec.Properties.Where(p => p.Kind == PropertyKind.Invariant))
            for (var index = 0; index < property.Count; index++)
            {
                var holds = access.Rewrite(property.Body, null, null, property.IndexParameter, index);
                checks.Add(Expression.IfThen(Expression.Not(holds), Expression.Return(result, Expression.Constant(invariantInstances.Count))));
                invariantInstances.Add((property, index));
            }
        var block = Expression.Block(access.Locals, access.Prologue.Concat(checks).Append(Expression.Label(result, Expression.Constant(-1))));
        return Expression.Lambda<Func<SpecState, int>>(block, state).Compile();
    }

    private Func<TEvent, SpecState, int> CompileStepProperties()
    {
        var evt = Expression.Parameter(typeof(TEvent), "e");
        var state = Expression.Parameter(typeof(SpecState), "state");
        var access = new StateAccess(Spec, this, state);
        var checks = new List<Expression>();
        var result = Expression.Label(typeof(int));
        // Guards first: a step outside the protocol is reported as such, before what it breaks.
        foreach (var property in Spec.Properties.Where(p => p.Kind == PropertyKind.Guard).Concat(Spec.Properties.Where(p => p.Kind == PropertyKind.Step)))
        {
            var holds = access.Rewrite(property.Body, property.EventParameter, evt, null, 0);
            checks.Add(Expression.IfThen(Expression.Not(holds), Expression.Return(result, Expression.Constant(stepInstances.Count))));
            stepInstances.Add((property, 0));
        }
        var block = Expression.Block(access.Locals, access.Prologue.Concat(checks).Append(Expression.Label(result, Expression.Constant(-1))));
        return Expression.Lambda<Func<TEvent, SpecState, int>>(block, evt, state).Compile();
    }

    private static FieldInfo Field(string name) => typeof(SpecState).GetField(name, BindingFlags.Instance | BindingFlags.NonPublic)!;

    /// <summary>Replaces state-read markers by slot accesses on one <see cref="SpecState"/> (and its children).</summary>
    private sealed class StateAccess
    {
        private readonly ISpec spec;
        private readonly CompiledSpec<TEvent> compiled;
        private readonly Expression state;
        private readonly Dictionary<(Storage, bool), ParameterExpression> arrays = [];
        private ParameterExpression? children;

        public StateAccess(ISpec spec, CompiledSpec<TEvent> compiled, Expression state)
        {
            this.spec = spec;
            this.compiled = compiled;
            this.state = state;
        }

        public List<ParameterExpression> Locals { get; } = [];
        public List<Expression> Prologue { get; } = [];

        /// <summary>The local holding one of the state's arrays, loaded once at the start of the delegate.</summary>
        public Expression Array(Storage storage, bool next)
        {
            if (arrays.TryGetValue((storage, next), out var local)) return local;
            var field = (storage, next) switch
            {
                (Storage.Numbers, false) => CurrentNumbers,
                (Storage.Numbers, true) => NextNumbers,
                (Storage.Flags, false) => CurrentFlags,
                (Storage.Flags, true) => NextFlags,
                (Storage.References, false) => CurrentReferences,
                _ => NextReferences,
            };
            local = Expression.Variable(field.FieldType, (next ? "next" : "current") + storage);
            Locals.Add(local);
            Prologue.Add(Expression.Assign(local, Expression.Field(state, field)));
            arrays[(storage, next)] = local;
            return local;
        }

        public Expression Child(int slot) => Expression.ArrayIndex(ChildArray(), Expression.Constant(slot));

        private Expression Child(Expression slot) => Expression.ArrayIndex(ChildArray(), slot);

        private ParameterExpression ChildArray()
        {
            if (children is not null) return children;
            children = Expression.Variable(typeof(SpecState[]), "children");
            Locals.Add(children);
            Prologue.Add(Expression.Assign(children, Expression.Field(state, Children)));
            return children;
        }

        public Expression Write(SlotLayout layout, int index, Expression value)
        {
            var target = Expression.ArrayAccess(Array(layout.Storage, next: true), Expression.Constant(layout.Slot + index));
            return Expression.Assign(target, ToSlot(layout.Storage, value));
        }

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

        private Expression Slot(Variable variable, SlotLayout layout, Expression index)
        {
            if (index is ConstantExpression { Value: int constant })
            {
                if (constant >= 0 && constant < variable.Count) return Expression.Constant(layout.Slot + constant);
            }
            return Expression.Call(typeof(StateAccess).GetMethod(nameof(CheckedSlot), BindingFlags.Static | BindingFlags.NonPublic)!,
                Expression.Constant(layout.Slot), Expression.Constant(variable.Count), index, Expression.Constant(variable.Name));
        }

        private static int CheckedSlot(int first, int count, int index, string name) =>
            (uint)index < (uint)count ? first + index : throw new EvaluationException($"'{name}' read at index {index}, outside 0..{count - 1}");

        private Expression ReadValue(Variable variable, Expression index, bool next, Func<Storage, bool, Expression> arrayOf, IReadOnlyList<SlotLayout> layouts, Expression? slotIndex = null)
        {
            var layout = layouts[variable.Id];
            var slot = slotIndex ?? Slot(variable, layout, index);
            var value = FromSlot(layout.Storage, Expression.ArrayIndex(arrayOf(layout.Storage, next), slot), variable.ValueType);
            if (!variable.IsPartial) return value;
            var defined = Expression.ArrayIndex(arrayOf(Storage.Flags, next), Expression.Constant(layout.DefinedFlag));
            return Expression.Condition(defined, value, Expression.Throw(Expression.New(typeof(UndefinedValueException).GetConstructor([typeof(string)])!, Expression.Constant(variable.Name)), variable.ValueType));
        }

        private Expression ReadDefined(Variable variable, bool next, Func<Storage, bool, Expression> arrayOf, IReadOnlyList<SlotLayout> layouts) =>
            variable.IsPartial ? Expression.ArrayIndex(arrayOf(Storage.Flags, next), Expression.Constant(layouts[variable.Id].DefinedFlag)) : Expression.Constant(true);

        private Expression Read(ReadSite site)
        {
            if (site.SubVariable is null)
                return site.IsDefinedQuery
                    ? ReadDefined(site.Variable, site.Next, Array, compiled.Layouts)
                    : ReadValue(site.Variable, site.Index, site.Next, Array, compiled.Layouts);

            // A component's sub-variable: the child state's own arrays, with the sub-spec's layout.
            var componentLayout = compiled.Layouts[site.Variable.Id];
            var child = Child(Slot(site.Variable, componentLayout, site.Index));
            var subSpec = ((IComponent)site.Variable).SubSpec;
            var subLayouts = subSpec.Compiled.Layouts;
            Expression ChildArray(Storage storage, bool next) => Expression.Field(child, (storage, next) switch
            {
                (Storage.Numbers, false) => CurrentNumbers,
                (Storage.Numbers, true) => NextNumbers,
                (Storage.Flags, false) => CurrentFlags,
                (Storage.Flags, true) => NextFlags,
                (Storage.References, false) => CurrentReferences,
                _ => NextReferences,
            });
            var subVariable = site.SubVariable;
            if (site.IsDefinedQuery) return ReadDefined(subVariable, site.Next, ChildArray, subLayouts);
            return ReadValue(subVariable, Expression.Constant(0), site.Next, ChildArray, subLayouts);
        }

        private sealed class Rewriter(StateAccess access) : ExpressionVisitor
        {
            protected override Expression VisitMethodCall(MethodCallExpression node)
            {
                if (StateRead.TryDecode(node, access.spec, out var site))
                    return access.Read(site with { Index = Visit(site.Index) });
                return base.VisitMethodCall(node);
            }
        }
    }
}
