using System.Globalization;
using System.Linq.Expressions;
using System.Text;
using Verification.Specs;

namespace Verification.Checkers.Smt;

/// <summary>One SMT constant that holds part of the state: a variable, a family member, a component's sub-variable, or a definedness flag.</summary>
/// <param name="Name">The member's name (<c>C</c>, <c>waiting[1]</c>, <c>u[0].L</c>), or <c>defined L</c> for a definedness flag.</param>
/// <param name="ValueType">The type of the value it holds.</param>
/// <param name="IsDefinedFlag">Whether it says if a partial variable is defined, rather than holding a value.</param>
public sealed record StateSymbol(string Name, Type ValueType, bool IsDefinedFlag)
{
    /// <summary>The constant's SMT-LIB2 name in the state after <paramref name="step"/> events, e.g. <c>|C@3|</c>.</summary>
    public string At(int step) => $"|{Name}@{step}|";
}

/// <summary>
/// Use (b) of a staged spec: the same equations as SMT-LIB2, read through the kernel's public staged form
/// (<see cref="StagedSpec"/>) only. The state after k events is a set of constants
/// <c>|C@k|</c>, <c>|waiting[1]@k|</c>, <c>|u[0].L@k|</c> (and <c>|defined L@k|</c> for partial variables); the event
/// alphabet is an algebraic datatype with one constructor per case; enums are integers restricted to their values.
/// Integers are unbounded (the evaluator reports overflow as an error instead of wrapping), and C#'s truncating
/// division and remainder are encoded exactly.
/// </summary>
public sealed class SmtEncoding
{
    private readonly Dictionary<Type, string> sorts = [];
    private readonly Dictionary<Type, string> constructors = [];
    private readonly List<Alphabet> alphabets = [];
    private readonly List<StateSymbol> symbols = [];
    private readonly StagedSpec staged;

    /// <summary>Prepares the encoding of <paramref name="spec"/>: the datatypes of its alphabets and the constants of one state.</summary>
    public SmtEncoding(ISpec spec)
    {
        Spec = spec;
        staged = spec.Staged;
        CollectAlphabet(staged.Alphabet);
        CollectSymbols(staged, "");
        NameConstructors();
        Preamble = BuildPreamble();
    }

    /// <summary>The spec encoded.</summary>
    public ISpec Spec { get; }

    /// <summary>Datatype declarations for every alphabet the spec mentions.</summary>
    public string Preamble { get; }

    /// <summary>The constants that make up one state: one per variable, family member and component sub-variable, and a definedness flag per partial one.</summary>
    public IReadOnlyList<StateSymbol> StateSymbols => symbols;

    /// <summary>The SMT-LIB2 name of the event between the states after <paramref name="step"/> and <paramref name="step"/> + 1 events, e.g. <c>|e@0|</c>.</summary>
    public static string EventSymbol(int step) => $"|e@{step}|";

    /// <summary>Declares the state after <paramref name="step"/> events, with range constraints for enums.</summary>
    public string DeclareState(int step)
    {
        var text = new StringBuilder();
        foreach (var symbol in symbols)
        {
            text.AppendLine($"(declare-const {symbol.At(step)} {Sort(symbol.IsDefinedFlag ? typeof(bool) : symbol.ValueType)})");
            if (!symbol.IsDefinedFlag && symbol.ValueType.IsEnum) text.AppendLine($"(assert {EnumRange(symbol.ValueType, symbol.At(step))})");
        }
        return text.ToString();
    }

    /// <summary>Declares the event e@step (the (step+1)-th event), constraining its enum fields.</summary>
    public string DeclareEvent(int step)
    {
        var text = new StringBuilder();
        var e = EventSymbol(step);
        text.AppendLine($"(declare-const {e} {Sort(Spec.Alphabet.EventType)})");
        foreach (var eventCase in Spec.Alphabet.Cases)
            foreach (var field in eventCase.Fields.Where(f => f.Type.IsEnum))
                text.AppendLine($"(assert (=> ((_ is {constructors[eventCase.Type]}) {e}) {EnumRange(field.Type, $"({Accessor(eventCase, field)} {e})")}))");
        return text.ToString();
    }

    /// <summary>
    /// Assertions that a field of another case reads as its type's default, for events e@0 … e@(events−1). Staged
    /// bodies read a field only under its case's test, so this changes no verdict; asserted only before a
    /// counterexample is read (it slows the search), it leaves the model nothing open — Z3 may otherwise report a
    /// state value as a term over such a read, after eliminating a variable, which no one could read.
    /// </summary>
    public string PinFieldsOfOtherCases(int events)
    {
        var text = new StringBuilder();
        for (var step = 0; step < events; step++)
            foreach (var eventCase in Spec.Alphabet.Cases)
                foreach (var field in eventCase.Fields)
                    if (DefaultTerm(field.Type) is { } fallback)
                        text.AppendLine($"(assert (=> (not ((_ is {constructors[eventCase.Type]}) {EventSymbol(step)})) (= ({Accessor(eventCase, field)} {EventSymbol(step)}) {fallback})))");
        return text.ToString();
    }

    /// <summary>Assertions: the state after <paramref name="step"/> events is the state at Nil.</summary>
    public string Initial(int step)
    {
        var text = new StringBuilder();
        EmitInitial(staged, "", step, text);
        return text.ToString();
    }

    /// <summary>Assertions: state@(step+1) is obtained from state@step by the event e@step.</summary>
    public string Transition(int step)
    {
        var text = new StringBuilder();
        EmitTransition(staged, "", EventSymbol(step), null, step, text);
        return text.ToString();
    }

    /// <summary>The term for one invariant instance over the state after <paramref name="step"/> events.</summary>
    public string Invariant(Property property, int index, int step) =>
        Translate(property.Instantiate(null, index), new Scope("", null, step));

    /// <summary>The term for a step property on the event e@step, relating state@step and state@(step+1).</summary>
    public string StepProperty(Property property, int step) =>
        Translate(property.Instantiate(Expression.Parameter(Spec.Alphabet.EventType, "e"), 0), new Scope("", EventSymbol(step), step));

    /// <summary>The whole translation of a spec's equations and properties for one step, as a person would read it.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.AppendLine(Preamble);
        text.Append(DeclareState(0)).Append(DeclareEvent(0)).Append(DeclareState(1));
        text.AppendLine("; Nil").Append(Initial(0));
        text.AppendLine("; one step").Append(Transition(0));
        foreach (var property in Spec.Properties)
            for (var i = 0; i < property.Count; i++)
                text.AppendLine($"; {property.InstanceName(i)}: {(property.Kind is PropertyKind.Invariant or PropertyKind.Liveness ? Invariant(property, i, 0) : StepProperty(property, 0))}");
        return text.ToString();
    }

    /// <summary>Reads a model value back into a C# value of <paramref name="type"/>.</summary>
    public object? FromModel(SExpression value, Type type)
    {
        if (type == typeof(bool)) return value.Atom == "true";
        if (type == typeof(int) || type == typeof(long) || type.IsEnum)
        {
            var number = ParseInteger(value);
            if (type == typeof(int)) return number is >= int.MinValue and <= int.MaxValue ? (int)number : throw new SmtException($"model value {value} does not fit an int");
            if (type == typeof(long)) return number;
            return Enum.ToObject(type, number);
        }
        if (type == typeof(string)) return value.Atom ?? "";
        if (Alphabet.IsEvent(type))
        {
            var name = value.IsList ? value.Items[0].Atom : value.Atom;
            var alphabet = Alphabet.Of(type.IsAbstract ? type : type.BaseType!);
            var eventCase = alphabet.Cases.FirstOrDefault(c => constructors[c.Type].Trim('|') == name)
                ?? throw new SmtException($"model value {value} is not a case of {alphabet.Name}");
            var fields = eventCase.Fields.Select((f, i) => FromModel(value.Items[i + 1], f.Type)).ToList();
            return eventCase.Create(fields);
        }
        throw new SmtException($"cannot read a model value of type {type.Name}");
    }

    private static long ParseInteger(SExpression value)
    {
        if (value.IsList && value.Items.Count == 2 && value.Items[0].Atom == "-") return -ParseInteger(value.Items[1]);
        if (value.Atom is { } atom && long.TryParse(atom, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)) return n;
        throw new SmtException($"model value {value} is not an integer");
    }

    // ---- declarations ----

    private void CollectAlphabet(Alphabet alphabet)
    {
        if (alphabets.Contains(alphabet)) return;
        if (alphabets.Any(a => a.Name == alphabet.Name))
            throw new SpecException($"two event alphabets are named {alphabet.Name}; rename one to translate the spec to SMT");
        alphabets.Add(alphabet);
        sorts[alphabet.EventType] = $"|{alphabet.Name}|";
        foreach (var eventCase in alphabet.Cases)
        {
            sorts[eventCase.Type] = $"|{alphabet.Name}|";
            foreach (var field in eventCase.Fields.Where(f => Alphabet.IsEvent(f.Type)))
                CollectAlphabet(Alphabet.Of(field.Type.IsAbstract ? field.Type : field.Type.BaseType!));
        }
    }

    private void CollectSymbols(StagedSpec spec, string path)
    {
        CollectAlphabet(spec.Alphabet);
        foreach (var variable in spec.Variables)
            for (var i = 0; i < variable.Count; i++)
            {
                if (variable.SubSpec is { } subSpec)
                {
                    CollectSymbols(subSpec, $"{path}{variable.Name}[{i}].");
                    continue;
                }
                if (Alphabet.IsEvent(variable.ValueType)) CollectAlphabet(Alphabet.Of(variable.ValueType.IsAbstract ? variable.ValueType : variable.ValueType.BaseType!));
                var name = path + variable.MemberName(i);
                symbols.Add(new StateSymbol(name, variable.ValueType, false));
                if (variable.Kind == VariableKind.Partial) symbols.Add(new StateSymbol("defined " + name, typeof(bool), true));
            }
    }

    private void NameConstructors()
    {
        var counts = alphabets.SelectMany(a => a.Cases).GroupBy(c => c.Name).ToDictionary(g => g.Key, g => g.Count());
        foreach (var alphabet in alphabets)
            foreach (var eventCase in alphabet.Cases)
                constructors[eventCase.Type] = counts[eventCase.Name] > 1 || alphabets.Any(a => a.Name == eventCase.Name) ? $"|{alphabet.Name}.{eventCase.Name}|" : $"|{eventCase.Name}|";
    }

    private string Accessor(EventCase eventCase, EventField field) => $"|{constructors[eventCase.Type].Trim('|')}.{field.Name}|";

    private string BuildPreamble()
    {
        var text = new StringBuilder();
        text.Append("(declare-datatypes (");
        text.Append(string.Join(" ", alphabets.Select(a => $"({sorts[a.EventType]} 0)")));
        text.Append(") (");
        foreach (var alphabet in alphabets)
        {
            text.Append('(');
            foreach (var eventCase in alphabet.Cases)
                text.Append(eventCase.Fields.Count == 0
                    ? $"({constructors[eventCase.Type]})"
                    : $"({constructors[eventCase.Type]} {string.Join(" ", eventCase.Fields.Select(f => $"({Accessor(eventCase, f)} {Sort(f.Type)})"))})");
            text.Append(')');
        }
        text.Append("))");
        return text.ToString();
    }

    /// <summary>
    /// The SMT sort of a value type: Bool; Int for int, long and enums; String; or the datatype of an event alphabet of
    /// the spec. Any other type throws <see cref="SpecException"/>.
    /// </summary>
    public string Sort(Type type) =>
        type == typeof(bool) ? "Bool"
        : type == typeof(int) || type == typeof(long) || type.IsEnum ? "Int"
        : type == typeof(string) ? "String"
        : sorts.TryGetValue(type, out var sort) ? sort
        : throw new SpecException($"type {type.Name} has no SMT sort");

    /// <summary>The default value's term for a field type with one (int, long, enum: 0; bool: false; string: ""); null for an event.</summary>
    private static string? DefaultTerm(Type type) =>
        type == typeof(bool) ? "false" : type == typeof(int) || type == typeof(long) || type.IsEnum ? "0" : type == typeof(string) ? "\"\"" : null;

    private static string EnumRange(Type enumType, string term)
    {
        var values = Enum.GetValues(enumType).Cast<object>().Select(v => Convert.ToInt64(v, CultureInfo.InvariantCulture)).Distinct().ToList();
        return values.Count == 1 ? $"(= {term} {Integer(values[0])})" : $"(or {string.Join(" ", values.Select(v => $"(= {term} {Integer(v)})"))})";
    }

    private static string Integer(long value) => value < 0 ? $"(- {(value == long.MinValue ? "9223372036854775808" : (-value).ToString(CultureInfo.InvariantCulture))})" : value.ToString(CultureInfo.InvariantCulture);

    // ---- equations ----

    /// <summary>Where a term is evaluated: under which symbol path (a sub-spec inside a component), on which event, between which steps.</summary>
    private sealed record Scope(string Path, string? Event, int Now)
    {
        public int Next => Now + 1;
    }

    private void EmitInitial(StagedSpec spec, string path, int step, StringBuilder text)
    {
        foreach (var variable in spec.Variables)
        {
            for (var i = 0; i < variable.Count; i++)
            {
                if (variable.SubSpec is { } subSpec)
                {
                    EmitInitial(subSpec, $"{path}{variable.Name}[{i}].", step, text);
                    continue;
                }
                var name = path + variable.MemberName(i);
                if (variable.Kind == VariableKind.Partial) text.AppendLine($"(assert (not {Symbol("defined " + name, step)}))");
                else text.AppendLine($"(assert (= {Symbol(name, step)} {Constant(variable.InitialValues![i], variable.ValueType)}))");
            }
        }
    }

    private void EmitTransition(StagedSpec spec, string path, string eventTerm, string? guard, int step, StringBuilder text)
    {
        var scope = new Scope(path, eventTerm, step);
        foreach (var variable in spec.Variables)
        {
            for (var i = 0; i < variable.Count; i++)
            {
                var instance = variable.Instantiate(Expression.Parameter(variable.EventParameter.Type, "e"), i);
                if (variable.SubSpec is { } subSpec)
                {
                    // u_i(σe) = u_i · h_i: the sub-spec steps on the appended event where there is one, and stays otherwise.
                    var subPath = $"{path}{variable.Name}[{i}].";
                    var (defined, appended) = TranslateOptional(instance, scope);
                    if (appended is null) EmitStay(subPath, step, text);
                    else EmitTransition(subSpec, subPath, appended, guard is null ? defined : $"(and {guard} {defined})", step, text);
                    continue;
                }
                var name = path + variable.MemberName(i);
                var value = Translate(instance, scope);
                text.AppendLine(guard is null
                    ? $"(assert (= {Symbol(name, step + 1)} {value}))"
                    : $"(assert (= {Symbol(name, step + 1)} (ite {guard} {value} {Symbol(name, step)})))");
                if (variable.Kind == VariableKind.Partial)
                    text.AppendLine(guard is null
                        ? $"(assert {Symbol("defined " + name, step + 1)})"
                        : $"(assert (= {Symbol("defined " + name, step + 1)} (or {guard} {Symbol("defined " + name, step)})))");
            }
        }
    }

    private void EmitStay(string path, int step, StringBuilder text)
    {
        foreach (var symbol in symbols.Where(s => s.Name.StartsWith(path, StringComparison.Ordinal) || s.Name.StartsWith("defined " + path, StringComparison.Ordinal)))
            text.AppendLine($"(assert (= {symbol.At(step + 1)} {symbol.At(step)}))");
    }

    private static string Symbol(string name, int step) => $"|{name}@{step}|";

    /// <summary>A feed h_i may be null (append nothing): its translation is a pair (appends?, event term).</summary>
    private (string Defined, string? Term) TranslateOptional(Expression node, Scope scope)
    {
        switch (node)
        {
            case ConstantExpression { Value: null }:
                return ("false", null);
            case ConditionalExpression conditional:
                var test = Translate(conditional.Test, scope);
                var (d1, t1) = TranslateOptional(conditional.IfTrue, scope);
                var (d2, t2) = TranslateOptional(conditional.IfFalse, scope);
                if (t1 is null && t2 is null) return ("false", null);
                var defined = $"(ite {test} {d1} {d2})";
                if (t1 is null) return (defined, t2);
                if (t2 is null) return (defined, t1);
                return (defined, $"(ite {test} {t1} {t2})");
            case UnaryExpression { NodeType: ExpressionType.Convert } convert:
                return TranslateOptional(convert.Operand, scope);
            default:
                return ("true", Translate(node, scope));
        }
    }

    private string Translate(Expression node, Scope scope) => new Translator(this, scope).Term(node);

    /// <summary>The SMT term of a C# value of a spec type.</summary>
    public string Constant(object? value, Type type)
    {
        if (value is null) throw new SpecException($"a null {type.Name} has no SMT term (only a feed may be null)");
        return value switch
        {
            bool b => b ? "true" : "false",
            int i => Integer(i),
            long l => Integer(l),
            Enum e => Integer(Convert.ToInt64(e, CultureInfo.InvariantCulture)),
            string s => $"\"{s.Replace("\"", "\"\"")}\"",
            _ when Alphabet.IsEvent(value.GetType()) => EventConstant(value),
            _ => throw new SpecException($"a constant of type {value.GetType().Name} has no SMT term"),
        };
    }

    private string EventConstant(object evt)
    {
        var eventCase = Alphabet.Of(evt.GetType().BaseType!).CaseOf(evt);
        var ctor = constructors[eventCase.Type];
        if (eventCase.Fields.Count == 0) return ctor;
        return $"({ctor} {string.Join(" ", eventCase.Fields.Select(f => Constant(f.Property.GetValue(evt), f.Type)))})";
    }

    private sealed class Translator(SmtEncoding encoding, Scope scope)
    {
        public string Term(Expression node)
        {
            switch (node)
            {
                case ConstantExpression constant:
                    return encoding.Constant(constant.Value, constant.Type);
                case ParameterExpression:
                    return scope.Event ?? throw new SpecException("an invariant cannot read the event");
                case MethodCallExpression call when StagedRead.TryDecode(call, out var site):
                    return Read(site);
                case MethodCallExpression { Method.Name: "Min" or "Max" } call:
                    var a = Term(call.Arguments[0]);
                    var b = Term(call.Arguments[1]);
                    return call.Method.Name == "Min" ? $"(ite (<= {a} {b}) {a} {b})" : $"(ite (>= {a} {b}) {a} {b})";
                case MethodCallExpression { Method.Name: "op_Equality" } call:
                    return $"(= {Term(call.Arguments[0])} {Term(call.Arguments[1])})";
                case MethodCallExpression { Method.Name: "op_Inequality" } call:
                    return $"(not (= {Term(call.Arguments[0])} {Term(call.Arguments[1])}))";
                case ConditionalExpression conditional:
                    return $"(ite {Term(conditional.Test)} {Term(conditional.IfTrue)} {Term(conditional.IfFalse)})";
                case TypeBinaryExpression typeIs:
                    return encoding.constructors.TryGetValue(typeIs.TypeOperand, out var ctor)
                        ? $"((_ is {ctor}) {Term(typeIs.Expression)})"
                        : "true"; // a test against the alphabet's own base type
                case UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } convert:
                    return Term(convert.Operand);
                case UnaryExpression { NodeType: ExpressionType.Not } not:
                    return $"(not {Term(not.Operand)})";
                case UnaryExpression negate:
                    return $"(- {Term(negate.Operand)})";
                case MemberExpression member:
                    {
                        var eventCase = Alphabet.Of(member.Expression!.Type.BaseType!).Cases.Single(c => c.Type == member.Expression.Type);
                        var field = eventCase.Fields.Single(f => f.Name == member.Member.Name);
                        return $"({encoding.Accessor(eventCase, field)} {Term(member.Expression)})";
                    }
                case NewExpression creation:
                    var ctorName = encoding.constructors[creation.Type];
                    return creation.Arguments.Count == 0 ? ctorName : $"({ctorName} {string.Join(" ", creation.Arguments.Select(Term))})";
                case BinaryExpression binary:
                    return Binary(binary);
                default:
                    throw new SpecException($"no SMT translation for '{node}'");
            }
        }

        private string Binary(BinaryExpression binary)
        {
            var left = Term(binary.Left);
            var right = Term(binary.Right);
            return binary.NodeType switch
            {
                ExpressionType.Add or ExpressionType.AddChecked => $"(+ {left} {right})",
                ExpressionType.Subtract or ExpressionType.SubtractChecked => $"(- {left} {right})",
                ExpressionType.Multiply or ExpressionType.MultiplyChecked => $"(* {left} {right})",
                // C# truncates toward zero; SMT-LIB's div/mod are Euclidean.
                ExpressionType.Divide => $"(ite (= (< {left} 0) (< {right} 0)) (div (abs {left}) (abs {right})) (- (div (abs {left}) (abs {right}))))",
                ExpressionType.Modulo => $"(ite (< {left} 0) (- (mod (abs {left}) (abs {right}))) (mod (abs {left}) (abs {right})))",
                ExpressionType.AndAlso or ExpressionType.And => $"(and {left} {right})",
                ExpressionType.OrElse or ExpressionType.Or => $"(or {left} {right})",
                ExpressionType.ExclusiveOr => $"(xor {left} {right})",
                ExpressionType.Equal => $"(= {left} {right})",
                ExpressionType.NotEqual => $"(not (= {left} {right}))",
                ExpressionType.LessThan => $"(< {left} {right})",
                ExpressionType.LessThanOrEqual => $"(<= {left} {right})",
                ExpressionType.GreaterThan => $"(> {left} {right})",
                ExpressionType.GreaterThanOrEqual => $"(>= {left} {right})",
                _ => throw new SpecException($"no SMT translation for '{binary.NodeType}'"),
            };
        }

        private string Read(StagedRead site)
        {
            var step = site.Next ? scope.Next : scope.Now;
            if (site.SubVariable is null)
            {
                if (site.IsDefinedQuery && !site.Variable.IsPartial) return "true";
                return Indexed(site.Variable, site.Index, i =>
                    Symbol((site.IsDefinedQuery ? "defined " : "") + scope.Path + site.Variable.MemberName(i), step));
            }
            if (site.IsDefinedQuery && !site.SubVariable.IsPartial) return "true";
            return Indexed(site.Variable, site.Index, i =>
                Symbol((site.IsDefinedQuery ? "defined " : "") + $"{scope.Path}{site.Variable.Name}[{i}]." + site.SubVariable.Name, step));
        }

        /// <summary>A read at a computed index becomes a choice over the members (families are finite).</summary>
        private string Indexed(Variable variable, Expression index, Func<int, string> member)
        {
            if (index is ConstantExpression { Value: int constant }) return member(constant);
            var term = Term(index);
            var result = member(variable.Count - 1);
            for (var i = variable.Count - 2; i >= 0; i--) result = $"(ite (= {term} {i}) {member(i)} {result})";
            return result;
        }
    }
}
