using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq.Expressions;
using System.Reflection;

namespace Verification.Specs;

/// <summary>
/// Applies the definitions literally, to cross-check the compiled incremental evaluator: y(⟨a,b,c⟩) = h(c, h(b, h(a, k))).
/// It shares nothing with the compiled path but the staged equations: no slot layout, no derived order (after-event
/// reads are resolved on demand), and component histories u_i are real sequences on which the sub-spec is evaluated
/// from scratch. Each call starts from Nil, so checking every prefix this way costs quadratic time.
/// </summary>
public static class ReferenceEvaluator
{
    private static readonly ConcurrentDictionary<(ISpec, Variable, int), Func<object?, Layer, object?>> CompiledEquations = new();
    private static readonly ConcurrentDictionary<(ISpec, Property, int), Func<object?, Layer, object?>> CompiledProperties = new();

    /// <summary>The value of every variable after the whole history, in the order of <see cref="Evaluator{TEvent}.Snapshot()"/>.</summary>
    public static IReadOnlyList<VariableValue> Evaluate<TEvent>(Spec<TEvent> spec, IReadOnlyList<TEvent> history) where TEvent : class =>
        Snapshot(spec, Fold(spec, history), "");

    /// <summary>Checks every property on every prefix, evaluating each prefix from Nil.</summary>
    public static CheckResult Check<TEvent>(Spec<TEvent> spec, IReadOnlyList<TEvent> history) where TEvent : class
    {
        for (var length = 0; length <= history.Count; length++)
        {
            var layer = Fold(spec, history.Take(length).ToList());
            foreach (var property in spec.Properties.Where(p => p.Kind != PropertyKind.Liveness).OrderBy(p => p.Kind == PropertyKind.Guard ? 0 : p.Kind == PropertyKind.Step ? 1 : 2))
            {
                if (property.Kind != PropertyKind.Invariant && length == 0) continue;
                for (var index = 0; index < property.Count; index++)
                {
                    var holds = (bool)EvaluateProperty(spec, property, index, layer)!;
                    if (!holds)
                        return HistoryResults.Of(spec, "history check (reference evaluator)", length, new Violation(Spec: spec.Name, Property: property, Instance: property.InstanceName(index), PrefixLength: length,
                            Event: length == 0 ? null : history[length - 1], Values: [], Prefix: history.Take(length).Cast<object>().ToList()), TimeSpan.Zero);
                }
            }
        }
        return HistoryResults.Of(spec, "history check (reference evaluator)", history.Count, null, TimeSpan.Zero);
    }

    private static Layer Fold<TEvent>(Spec<TEvent> spec, IReadOnlyList<TEvent> history) where TEvent : class =>
        Fold(spec, history.Cast<object>());

    /// <summary>
    /// y(⟨e1…en⟩) = h(en, y(⟨e1…en−1⟩)): one layer per prefix, each computed in full before the next, so every read of
    /// a value before the event finds it already known (no recursion down the whole history).
    /// </summary>
    internal static Layer Fold(ISpec spec, IEnumerable<object> history)
    {
        var layer = new Layer(spec, null, null);
        layer.ComputeAll();
        foreach (var evt in history)
        {
            layer = new Layer(spec, layer, evt);
            layer.ComputeAll();
            layer.ForgetGrandparent();
        }
        return layer;
    }

    private static IReadOnlyList<VariableValue> Snapshot(ISpec spec, Layer layer, string prefix)
    {
        var values = new List<VariableValue>();
        foreach (var variable in spec.Variables)
            for (var i = 0; i < variable.Count; i++)
            {
                var name = prefix + variable.MemberName(i);
                if (variable is IComponent component)
                {
                    values.AddRange(Snapshot(component.SubSpec, layer.SubLayer(variable, i), name + "."));
                    continue;
                }
                var value = layer.Get(variable, i);
                values.Add(new VariableValue(name, value.Defined ? value.Content : null, value.Defined));
            }
        return values;
    }

    private static object? EvaluateProperty(ISpec spec, Property property, int index, Layer layer)
    {
        var evaluate = CompiledProperties.GetOrAdd((spec, property, index), key =>
            Compile(key.Item2.Body, key.Item2.EventParameter, key.Item2.IndexParameter, key.Item3));
        // Invariants read the current state (Now); step properties relate the previous layer (Now) and this one (Next).
        return property.Kind == PropertyKind.Invariant ? evaluate(null, new Layer(spec, layer, null, stutter: true)) : evaluate(layer.Event, layer);
    }

    internal readonly record struct Value(bool Defined, object? Content);

    /// <summary>The values at one prefix σe: computed on demand from the previous layer (σ) and the event e.</summary>
    internal sealed class Layer
    {
        private readonly ISpec spec;
        private Layer? previous;
        private readonly Dictionary<(int, int), Value> values = [];
        private readonly HashSet<(int, int)> inProgress = [];
        private readonly Dictionary<(int, int), ImmutableList<object>> sequences = [];
        private readonly Dictionary<(int, int), Layer> subLayers = [];
        private readonly bool stutter;

        public Layer(ISpec spec, Layer? previous, object? evt, bool stutter = false)
        {
            this.spec = spec;
            this.previous = previous;
            this.stutter = stutter;
            Event = evt;
        }

        public object? Event { get; }

        public void ComputeAll()
        {
            foreach (var variable in spec.Variables)
                for (var i = 0; i < variable.Count; i++)
                {
                    if (variable is IComponent) SubLayer(variable, i);
                    else Get(variable, i);
                }
        }

        /// <summary>Once this layer is computed, its predecessor's own predecessor is no longer needed (step properties need only the last pair).</summary>
        public void ForgetGrandparent()
        {
            if (previous is not null) previous.previous = null;
        }

        public Value Get(Variable variable, int index)
        {
            if (stutter) return previous!.Get(variable, index);
            if (values.TryGetValue((variable.Id, index), out var known)) return known;
            var equation = spec.EquationOf(variable);
            Value value;
            if (previous is null)
                value = equation.InitialValues is null ? new Value(false, null) : new Value(true, equation.InitialValues[index]);
            else
            {
                if (!inProgress.Add((variable.Id, index)))
                    throw new SpecException($"'{variable.Name}' depends on its own value after the event");
                var h = CompiledEquations.GetOrAdd((spec, variable, index), key =>
                {
                    var eq = key.Item1.EquationOf(key.Item2);
                    return Compile(eq.Body, eq.EventParameter, eq.IndexParameter, key.Item3);
                });
                value = new Value(true, h(Event, this));
                inProgress.Remove((variable.Id, index));
            }
            values[(variable.Id, index)] = value;
            return value;
        }

        /// <summary>u_i after this prefix, as a real sequence: u_i(Nil) = Nil, u_i(σe) = u_i · h_i(e).</summary>
        public ImmutableList<object> Sequence(Variable component, int index)
        {
            if (stutter) return previous!.Sequence(component, index);
            if (sequences.TryGetValue((component.Id, index), out var known)) return known;
            ImmutableList<object> sequence;
            if (previous is null) sequence = [];
            else
            {
                var before = previous.Sequence(component, index);
                var feed = CompiledEquations.GetOrAdd((spec, component, index), key =>
                {
                    var eq = key.Item1.EquationOf(key.Item2);
                    return Compile(eq.Body, eq.EventParameter, eq.IndexParameter, key.Item3);
                });
                var appended = feed(Event, this);
                sequence = appended is null ? before : before.Add(appended);
            }
            sequences[(component.Id, index)] = sequence;
            return sequence;
        }

        /// <summary>C(u_i): the sub-spec evaluated from Nil on the whole sequence u_i.</summary>
        public Layer SubLayer(Variable component, int index)
        {
            if (stutter) return previous!.SubLayer(component, index);
            if (subLayers.TryGetValue((component.Id, index), out var known)) return known;
            var layer = Fold(((IComponent)component).SubSpec, Sequence(component, index));
            subLayers[(component.Id, index)] = layer;
            return layer;
        }

        // Called by compiled equations.
        internal object? Read(int variableId, int index, bool next, bool definedQuery, int subVariableId)
        {
            var layer = next ? this : previous ?? throw new InvalidOperationException("a value before the event was read at Nil");
            var variable = spec.Variables[variableId];
            if (index < 0 || index >= variable.Count) throw new EvaluationException($"'{variable.Name}' read at index {index}, outside 0..{variable.Count - 1}");
            Value value;
            if (subVariableId < 0) value = layer.Get(variable, index);
            else
            {
                var sub = layer.SubLayer(variable, index);
                var subVariable = ((IComponent)variable).SubSpec.Variables[subVariableId];
                value = sub.Get(subVariable, 0);
                variable = subVariable;
            }
            if (definedQuery) return value.Defined;
            return value.Defined ? value.Content : throw new UndefinedValueException(variable.Name);
        }
    }

    private static readonly MethodInfo ReadMethod = typeof(Layer).GetMethod(nameof(Layer.Read), BindingFlags.Instance | BindingFlags.NonPublic)!;

    private static Func<object?, Layer, object?> Compile(Expression body, ParameterExpression? eventParameter, ParameterExpression? indexParameter, int index)
    {
        var evt = Expression.Parameter(typeof(object), "e");
        var layer = Expression.Parameter(typeof(Layer), "layer");
        var typedEvent = eventParameter is null ? null : Expression.Convert(evt, eventParameter.Type);
        var instance = Staging.Instantiate(body, eventParameter, typedEvent, indexParameter, index);
        var rewritten = new ReadRewriter(layer).Visit(instance);
        return Expression.Lambda<Func<object?, Layer, object?>>(Expression.Convert(rewritten, typeof(object)), evt, layer).Compile();
    }

    private sealed class ReadRewriter(Expression layer) : ExpressionVisitor
    {
        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            if (!StagedRead.TryDecode(node, out var site)) return base.VisitMethodCall(node);
            var call = Expression.Call(layer, ReadMethod,
                Expression.Constant(site.Variable.Id), Visit(site.Index), Expression.Constant(site.Next),
                Expression.Constant(site.IsDefinedQuery), Expression.Constant(site.SubVariable?.Id ?? -1));
            return Expression.Convert(call, node.Type);
        }
    }
}
