using System.Linq.Expressions;
using System.Text;
using Verification.Protocols.Paxos;
using Verification.Protocols.Raft;
using Verification.Specs.Examples;
using Verification.Specs.Replication;

namespace Verification.Specs.Tests;

/// <summary>
/// The staged form as a back end outside the kernel sees it. This project has no access to the kernel's internals,
/// so everything here compiles against the public API only: a back end (a TLA+ printer, a refinement checker, a code
/// generator) can be written the same way.
/// </summary>
public class StagedFormTests
{
    [Fact]
    public void ATinyBackEnd_ListsEachEquationsReads_NowOrNext_ForTheCounter()
    {
        Assert.Equal(
            """
            C (Scalar, 1): C Now
            SinceReset (Scalar, 1): SinceReset Now
            invariant SinceResetNonNegative: SinceReset Now
            invariant SinceResetAtMostLength: SinceReset Now, C Now
            step property LengthGrowsByOne: C Next, C Now

            """,
            ListReads(Counter.Create().Staged));
    }

    [Fact]
    public void ATinyBackEnd_ListsEachEquationsReads_ThroughComponents_ForTheShiftRegister()
    {
        // The feed reads the neighbours' L before the event; the sub-spec's own bodies decode without being told
        // which spec they belong to.
        Assert.Equal(
            """
            u (Component, 4): defined L of u[i - 1] Now, L of u[i - 1] Now, defined L of u[i + 1] Now, L of u[i + 1] Now
              L (Partial, 1): nothing
              step property LastIsTheEvent: defined L Next, L Next
            step property RightFillsCellZero: defined L of u[0] Next, L of u[0] Next
            step property LeftFillsLastCell: defined L of u[3] Next, L of u[3] Next

            """,
            ListReads(ShiftRegister.Create(cells: 4).Staged));
    }

    [Fact]
    public void Instantiate_SubstitutesTheIndex_AndFoldsTheBranchesItDecides()
    {
        var u = ShiftRegister.Create(cells: 4).Staged.Variables.Single();
        string ReadsOfMember(int i) => string.Join(", ", Reads(u.Instantiate(null, i)).Select(Describe).Distinct());

        // i = 0 takes Right's value from the event and only Left's from u_1; i = 3 the other way round.
        Assert.Equal("defined L of u[1] Now, L of u[1] Now", ReadsOfMember(0));
        Assert.Equal("defined L of u[0] Now, L of u[0] Now, defined L of u[2] Now, L of u[2] Now", ReadsOfMember(1));
        Assert.Equal("defined L of u[2] Now, L of u[2] Now", ReadsOfMember(3));
        Assert.All(Reads(u.Instantiate(null, 1)), read => Assert.NotNull(read.ConstantIndex));
        Assert.Throws<ArgumentOutOfRangeException>(() => u.Instantiate(null, 4));
    }

    [Fact]
    public void Instantiate_ReplacesTheEvent_WhenGivenOne()
    {
        var staged = Counter.Create().Staged;
        var sinceReset = staged.Variables.Single(v => v.Name == "SinceReset");
        var instance = sinceReset.Instantiate(Expression.Constant(new Reset(), typeof(CounterEvent)), 0);
        Assert.Equal("0", EquationPrinter.Print(instance)); // "e is Reset ? 0 : …" decided by the constant event
        Assert.Equal("if e is Reset then 0 else 1 + SinceReset", EquationPrinter.Print(sinceReset.Instantiate(null, 0))); // no event given: e stays
        var step = staged.Properties.Single(p => p.Kind == PropertyKind.Step);
        Assert.Null(step.IndexParameter);
        Assert.NotNull(step.EventParameter);
        Assert.Equal("C(σe) = C + 1", EquationPrinter.Print(step.Instantiate(null, 0)));
    }

    [Fact]
    public void TheStagedSpec_GivesKinds_InitialValues_AndTheEvaluationOrder()
    {
        var staged = Scheduler.Create(processes: 3).Staged;
        Assert.Equal(["waiting", "priority", "Executing", "Clock"], staged.Variables.Select(v => v.Name));
        Assert.Equal([0, 1, 2, 3], staged.Variables.Select(v => v.Position));
        Assert.Equal([VariableKind.Family, VariableKind.Family, VariableKind.Scalar, VariableKind.Scalar], staged.Variables.Select(v => v.Kind));
        Assert.Equal(["p", "p", null, null], staged.Variables.Select(v => v.IndexParameter?.Name));
        Assert.Equal([0, 0, 0], staged.Variables[0].InitialValues!);
        Assert.Equal([-1], staged.Variables[2].InitialValues!);
        Assert.Throws<NotSupportedException>(() => ((IList<object?>)staged.Variables[0].InitialValues!)[0] = 5);

        // Every variable comes after those whose value after the event (Next) it reads.
        var order = staged.EvaluationOrder.Select(v => v.Name).ToList();
        foreach (var variable in staged.Variables)
            foreach (var read in Reads(variable.Body).Where(r => r.Next))
                Assert.True(order.IndexOf(read.Variable.Name) < order.IndexOf(variable.Name), $"{variable.Name} reads {read.Variable.Name}(σe)");
        Assert.Equal("Executing", order[0]);
        Assert.Same(staged.Variables[0], staged[staged.Variables[0].Variable]);
    }

    [Fact]
    public void TheStagedSpec_KnowsItsOwnVariablesOnly_AndExistsOnlyOnceBuilt()
    {
        var staged = Counter.Create().Staged;
        var foreign = Counter.Create().Variable<Var<int>>("C");
        var error = Assert.Throws<SpecException>(() => staged[foreign]);
        Assert.Equal("'C' is not a variable of spec 'Counter'", error.Message);

        var builder = new SpecBuilder<CounterEvent>("Unbuilt");
        Assert.Throws<InvalidOperationException>(() => ((ISpec)builder).Staged);
        Assert.False(StagedRead.TryDecode(Expression.Constant(1), out _));
    }

    /// <summary>
    /// The vocabulary documented on <see cref="StagedSpec"/> is complete: every node of every shipped spec's staged
    /// bodies is one of the kinds it lists (a new construct in the equation language must be documented there).
    /// </summary>
    [Fact]
    public void EveryStagedBodyOfTheShippedSpecs_UsesOnlyTheDocumentedVocabulary()
    {
        ISpec[] specs =
        [
            Counter.Create(), Counter.Create(withFalseClaim: true), Scheduler.Create(), ShiftRegister.Create(),
            LastEvent.Create<CounterEvent>(), LockService.Create(clients: 2), InOrderDelivery.Create(),
            PaxosSpec.Create(acceptors: 3, values: 2, ballots: 2), ConsensusSpec.Create(values: 2),
            RaftSpec.Create(servers: 3, logLength: 2, terms: 2, commands: 2), ReplicatedLogSpec.Create(slots: 2, commands: 2, replicas: 3),
        ];
        var seen = new HashSet<string>();
        foreach (var spec in specs)
        {
            var staged = spec.Staged;
            foreach (var variable in staged.Variables.Concat(staged.Variables.Where(v => v.SubSpec is not null).SelectMany(v => v.SubSpec!.Variables)))
                new VocabularyCheck($"{spec.Name}: {variable.Name}", seen).Visit(variable.Body);
            foreach (var property in staged.Properties)
                new VocabularyCheck($"{spec.Name}: {property.Name}", seen).Visit(property.Body);
        }
        // The walk did meet the kinds a back end must handle (so the check above is not vacuous).
        Assert.Superset(new HashSet<string> { "read", "Constant", "Parameter", "AddChecked", "Conditional", "TypeIs", "MemberAccess", "New", "AndAlso", "Equal" }, seen);
    }

    // ---- the tiny back end: lists the reads of every staged body ----

    private static string ListReads(StagedSpec spec, string indent = "")
    {
        var text = new StringBuilder();
        foreach (var variable in spec.Variables)
        {
            text.AppendLine($"{indent}{variable.Name} ({variable.Kind}, {variable.Count}): {ReadsOf(variable.Body)}");
            if (variable.SubSpec is { } subSpec) text.Append(ListReads(subSpec, indent + "  "));
        }
        foreach (var property in spec.Properties)
            text.AppendLine($"{indent}{property.KindName} {property.Name}: {ReadsOf(property.Body)}");
        return text.ToString();
    }

    private static string ReadsOf(Expression body)
    {
        var reads = Reads(body).Select(Describe).Distinct().ToList();
        return reads.Count == 0 ? "nothing" : string.Join(", ", reads);
    }

    private static string Describe(StagedRead read)
    {
        var member = read.Variable.Count == 1 && read.Variable.Kind != VariableKind.Component
            ? read.Variable.Name
            : $"{read.Variable.Name}[{EquationPrinter.Print(read.Index)}]";
        var target = read.SubVariable is null ? member : $"{read.SubVariable.Name} of {member}";
        return $"{(read.IsDefinedQuery ? "defined " : "")}{target} {(read.Next ? "Next" : "Now")}";
    }

    private static List<StagedRead> Reads(Expression body)
    {
        var collector = new ReadCollector();
        collector.Visit(body);
        return collector.Reads;
    }

    private sealed class ReadCollector : ExpressionVisitor
    {
        public List<StagedRead> Reads { get; } = [];

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            if (!StagedRead.TryDecode(node, out var read)) return base.VisitMethodCall(node);
            Reads.Add(read);
            Visit(read.Index);
            return node;
        }
    }

    /// <summary>The list on <see cref="StagedSpec"/>, as a check.</summary>
    private sealed class VocabularyCheck(string where, HashSet<string> seen) : ExpressionVisitor
    {
        private static bool IsValue(Type type) =>
            type == typeof(int) || type == typeof(long) || type == typeof(bool) || type == typeof(string) || type.IsEnum || Alphabet.IsEvent(type);

        private static bool IsInteger(Type type) => type == typeof(int) || type == typeof(long);

        public override Expression? Visit(Expression? node)
        {
            if (node is null) return null;
            if (StagedRead.TryDecode(node, out var read))
            {
                seen.Add("read");
                Visit(read.Index);
                return node;
            }
            var allowed = node switch
            {
                ConstantExpression constant => IsValue(constant.Type),
                ParameterExpression parameter => parameter.Type == typeof(int) || Alphabet.IsEvent(parameter.Type),
                BinaryExpression { NodeType: ExpressionType.AddChecked or ExpressionType.SubtractChecked or ExpressionType.MultiplyChecked
                    or ExpressionType.Divide or ExpressionType.Modulo } arithmetic => IsInteger(arithmetic.Left.Type),
                BinaryExpression { NodeType: ExpressionType.Equal or ExpressionType.NotEqual } => true,
                BinaryExpression { NodeType: ExpressionType.LessThan or ExpressionType.LessThanOrEqual
                    or ExpressionType.GreaterThan or ExpressionType.GreaterThanOrEqual } comparison => IsInteger(comparison.Left.Type) || comparison.Left.Type.IsEnum,
                BinaryExpression { NodeType: ExpressionType.AndAlso or ExpressionType.OrElse or ExpressionType.And
                    or ExpressionType.Or or ExpressionType.ExclusiveOr } logical => logical.Type == typeof(bool),
                UnaryExpression { NodeType: ExpressionType.Not } not => not.Type == typeof(bool),
                UnaryExpression { NodeType: ExpressionType.NegateChecked } negate => IsInteger(negate.Type),
                UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } convert =>
                    (IsInteger(convert.Type) || convert.Type.IsEnum) && (IsInteger(convert.Operand.Type) || convert.Operand.Type.IsEnum)
                    || Alphabet.IsEvent(convert.Type) && Alphabet.IsEvent(convert.Operand.Type),
                ConditionalExpression => true,
                TypeBinaryExpression { NodeType: ExpressionType.TypeIs } typeIs => Alphabet.IsEvent(typeIs.TypeOperand),
                MemberExpression { Expression: { } receiver } member => Alphabet.IsEvent(receiver.Type)
                    && Alphabet.Of(receiver.Type.BaseType!).Cases.Single(c => c.Type == receiver.Type).Fields.Any(f => f.Name == member.Member.Name),
                NewExpression creation => Alphabet.IsEvent(creation.Type),
                MethodCallExpression call => call.Method.DeclaringType == typeof(Math) && call.Method.Name is "Min" or "Max" && IsInteger(call.Type)
                    || call.Method.Name is "op_Equality" or "op_Inequality",
                _ => false,
            };
            Assert.True(allowed, $"{where}: '{node}' ({node.NodeType}) is not in the documented staged vocabulary");
            seen.Add(node.NodeType.ToString());
            return base.Visit(node);
        }
    }
}
