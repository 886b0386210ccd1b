using Verification.Runtime;
using Verification.Specs;

namespace Verification.Checkers.Teaching;

/// <summary>
/// Every configuration of an <see cref="FlpProtocol{TState, TMessage}"/> reachable from its 2^N initial configurations,
/// with the steps between them. A configuration is the processes' states (null before a process starts), their inputs,
/// and the message buffer as a sorted multiset; configurations are compared by value. A crash is not part of a
/// configuration: a crashed process simply takes no more steps, so the searches that involve one restrict the steps.
/// </summary>
internal sealed class FlpGraph<TState, TMessage>(FlpProtocol<TState, TMessage> protocol) where TState : class where TMessage : notnull
{
    private readonly List<Configuration> configurations = [];
    private readonly Dictionary<Configuration, int> ids = [];
    private readonly List<List<(FlpEvent Event, int Target)>> successors = [];
    private readonly List<(int Parent, FlpEvent? Event)> discoveredBy = [];
    private readonly Dictionary<(int Process, int Input), INode<TState, TMessage, NoTimer, NothingDurable>> nodes = [];

    public int Processes => protocol.Processes;

    public int Count => configurations.Count;

    public long Transitions { get; private set; }

    /// <summary>Explores breadth-first from every initial configuration; false when the configuration limit cut it off.</summary>
    public bool Explore()
    {
        for (var inputs = 0; inputs < 1 << Processes; inputs++)
            Add(new Configuration(new TState?[Processes], Enumerable.Range(0, Processes).Select(p => (inputs >> p) & 1).ToArray(), []), -1, null);
        for (var next = 0; next < configurations.Count; next++)
        {
            if (configurations.Count > protocol.MaxConfigurations) return false;
            foreach (var e in Enabled(configurations[next], crashed: -1))
            {
                var target = Add(Step(configurations[next], e), next, e);
                successors[next].Add((e, target));
                Transitions++;
            }
        }
        return true;
    }

    /// <summary>The initial configuration whose inputs are the bits of <paramref name="inputs"/> (bit p for process p).</summary>
    public static int Initial(int inputs) => inputs;

    /// <summary>The initial configuration in which p0 … p(i−1) have input 1 and the others 0.</summary>
    public static int InitialWithOnesBelow(int i) => (1 << i) - 1;

    public IReadOnlyList<int> InputsOf(int configuration) => configurations[configuration].Inputs;

    public static string Inputs(IReadOnlyList<int> inputs) => string.Join("", inputs);

    /// <summary>The configuration e leads to from <paramref name="configuration"/> (added to the graph if new).</summary>
    public int Apply(int configuration, FlpEvent e) => Add(Step(configurations[configuration], e), configuration, e);

    /// <summary>The events from the configuration's initial configuration to it, along the breadth-first tree.</summary>
    public List<FlpEvent> PathTo(int configuration)
    {
        var path = new List<FlpEvent>();
        for (var at = configuration; discoveredBy[at].Event is { } e; at = discoveredBy[at].Parent) path.Add(e);
        path.Reverse();
        return path;
    }

    private int InitialOf(int configuration)
    {
        var at = configuration;
        while (discoveredBy[at].Parent >= 0) at = discoveredBy[at].Parent;
        return at;
    }

    /// <summary>Two different decisions, a decision no process proposed, or a decision that changed — with the run to it.</summary>
    public FlpRun? SafetyViolation()
    {
        for (var c = 0; c < configurations.Count; c++)
        {
            var decided = Decisions(configurations[c]);
            var inputs = configurations[c].Inputs;
            if (decided == 3) return Run(Flp.Agreement, c, "two processes decide different values");
            if ((decided & 1) != 0 && !inputs.Contains(0)) return Run(Flp.Validity, c, "a process decides 0 though every input is 1");
            if ((decided & 2) != 0 && !inputs.Contains(1)) return Run(Flp.Validity, c, "a process decides 1 though every input is 0");
            foreach (var (e, target) in successors[c])
            {
                var before = configurations[c].States[e.Process];
                var after = configurations[target].States[e.Process];
                if (before is not null && protocol.DecisionOf(before) is { } was && (after is null || protocol.DecisionOf(after) != was))
                {
                    var run = Run(Flp.DecisionsAreFinal, c, $"p{e.Process} decided {was}, then changed its output");
                    return run with { Prefix = [.. run.Prefix, e] };
                }
            }
        }
        return null;
    }

    private FlpRun Run(string property, int configuration, string explanation) =>
        new(property, configurations[InitialOf(configuration)].Inputs, PathTo(configuration), null, explanation);

    /// <summary>Bit v set when decision v is reachable: from each configuration, by a reverse search from those where v is decided.</summary>
    public int[] Valences()
    {
        var valence = new int[configurations.Count];
        var predecessors = new List<int>[configurations.Count];
        for (var c = 0; c < configurations.Count; c++) predecessors[c] = [];
        for (var c = 0; c < successors.Count; c++)
            foreach (var (_, target) in successors[c]) predecessors[target].Add(c);
        var work = new Queue<int>();
        for (var c = 0; c < configurations.Count; c++)
        {
            valence[c] = Decisions(configurations[c]);
            if (valence[c] != 0) work.Enqueue(c);
        }
        while (work.TryDequeue(out var c))
            foreach (var p in predecessors[c])
                if ((valence[p] | valence[c]) != valence[p])
                {
                    valence[p] |= valence[c];
                    work.Enqueue(p);
                }
        return valence;
    }

    /// <summary>The decisions reachable from <paramref name="configuration"/> in runs where <paramref name="silent"/> takes no step.</summary>
    public int DecisionsWithout(int configuration, int silent)
    {
        var seen = new HashSet<int> { configuration };
        var work = new Queue<int>([configuration]);
        var decisions = 0;
        while (work.TryDequeue(out var c))
        {
            decisions |= Decisions(configurations[c]);
            foreach (var (e, target) in successors[c])
                if (e.Process != silent && seen.Add(target)) work.Enqueue(target);
        }
        return decisions;
    }

    /// <summary>Bivalent configurations (breadth-first) paired with each step applicable to them: where Lemma 3 can start.</summary>
    public IEnumerable<(int Configuration, FlpEvent Event)> BivalentWithEvents(int[] valence)
    {
        for (var c = 0; c < configurations.Count && c < valence.Length; c++)
            if (valence[c] == 3)
                foreach (var e in Enabled(configurations[c], -1)) yield return (c, e);
    }

    /// <summary>
    /// Lemma 3's search: breadth-first over configurations reachable from C without applying e (e stays applicable in
    /// each), for the first E whose e(E) is bivalent — the path C … E and the configurations along it. Failing that,
    /// the first neighbours E, e'(E) in that set whose e-successors are univalent the two different ways (where the
    /// lemma's proof looks for its contradiction).
    /// </summary>
    public Lemma3Search BivalentAfterDelaying(int start, FlpEvent e, int[] valence)
    {
        var parent = new Dictionary<int, (int From, FlpEvent Step)?> { [start] = null };
        var work = new Queue<int>([start]);
        (int Before, FlpEvent Step, int After)? neighbours = null;
        while (work.TryDequeue(out var c))
        {
            var applied = valence[Apply(c, e)];
            if (applied == 3)
            {
                var path = new List<FlpEvent>();
                var along = new List<int> { c };
                for (var at = c; parent[at] is { } link; at = link.From)
                {
                    path.Add(link.Step);
                    along.Add(link.From);
                }
                path.Reverse();
                along.Reverse();
                return new Lemma3Search(path, along, null);
            }
            foreach (var (step, target) in successors[c])
            {
                if (IsSameReceipt(step, e)) continue;
                var next = valence[Apply(target, e)];
                if (neighbours is null && applied is 1 or 2 && next is 1 or 2 && applied != next) neighbours = (c, step, target);
                if (parent.TryAdd(target, (c, step))) work.Enqueue(target);
            }
        }
        return new Lemma3Search(null, null, neighbours);
    }

    /// <summary>What Lemma 3's search found: a path to a bivalent e(E), or else the neighbours where the proof's contradiction should be.</summary>
    public sealed record Lemma3Search(List<FlpEvent>? Path, List<int>? Configurations, (int Before, FlpEvent Step, int After)? Neighbours);

    private static bool IsSameReceipt(FlpEvent step, FlpEvent e) => step.Equals(e);

    /// <summary>
    /// A fair run in which no process ever decides: a reachable set of undecided configurations, strongly connected,
    /// in which every step enabled anywhere in it (of a live process) is taken somewhere in it — or a configuration in
    /// which no live process can take a step. With <paramref name="crash"/>, one process may crash (once) on the way.
    /// Found by refining strongly connected components (Emerson and Lei), then a lasso is built through one.
    /// </summary>
    public FlpRun? FairNonDecidingRun(bool crash, int preferFrom)
    {
        // Product nodes: configuration × crashed process (−1: none), over undecided configurations only.
        if (preferFrom >= 0 && FairNonDecidingRunFrom(crash, [preferFrom]) is { } fromPreferred) return fromPreferred;
        return FairNonDecidingRunFrom(crash, Enumerable.Range(0, 1 << Processes));
    }

    private FlpRun? FairNonDecidingRunFrom(bool crash, IEnumerable<int> initial)
    {
        var crashes = crash ? Enumerable.Range(0, Processes).ToArray() : [];
        var starts = initial.Where(c => Decisions(configurations[c]) == 0).ToList();
        var index = new Dictionary<(int Configuration, int Crashed), int>();
        var nodes = new List<(int Configuration, int Crashed)>();
        var edges = new List<List<(FlpEvent Event, int Target)>>();
        var parent = new List<(int From, FlpEvent? Step)>();
        int Node((int, int) key, int from, FlpEvent? step)
        {
            if (index.TryGetValue(key, out var id)) return id;
            index[key] = id = nodes.Count;
            nodes.Add(key);
            edges.Add([]);
            parent.Add((from, step));
            return id;
        }
        foreach (var s in starts) Node((s, -1), -1, null);
        for (var next = 0; next < nodes.Count; next++)
        {
            var (c, crashed) = nodes[next];
            foreach (var (e, target) in successors[c])
                if (e.Process != crashed && Decisions(configurations[target]) == 0) edges[next].Add((e, Node((target, crashed), next, e)));
            if (crashed < 0)
                foreach (var p in crashes) edges[next].Add((new FlpCrash(p), Node((c, p), next, new FlpCrash(p))));
        }
        var fair = FairComponent(nodes, edges);
        if (fair is null) return null;
        var entry = fair.Min();
        var prefix = new List<FlpEvent>();
        for (var at = entry; parent[at].Step is { } step; at = parent[at].From) prefix.Add(step);
        prefix.Reverse();
        var first = entry;
        while (parent[first].From >= 0) first = parent[first].From;
        return new FlpRun(crash ? Flp.DecidesDespiteOneCrash : Flp.DecidesOnEveryFairRun, configurations[nodes[first].Configuration].Inputs, prefix,
            Cycle(entry, fair, nodes, edges), "");
    }

    /// <summary>The classes of steps a live process can take in a product node: its start, or receipt of one distinct message.</summary>
    private IEnumerable<FlpEvent> EnabledClasses((int Configuration, int Crashed) node) => Enabled(configurations[node.Configuration], node.Crashed);

    private HashSet<int>? FairComponent(List<(int Configuration, int Crashed)> nodes, List<List<(FlpEvent Event, int Target)>> edges)
    {
        var candidates = new Stack<HashSet<int>>();
        foreach (var component in Components(Enumerable.Range(0, nodes.Count).ToHashSet(), edges)) candidates.Push(component);
        while (candidates.TryPop(out var component))
        {
            var taken = new HashSet<FlpEvent>();
            foreach (var u in component)
                foreach (var (e, v) in edges[u])
                    if (component.Contains(v) && e is not FlpCrash) taken.Add(e);
            // A single configuration with nothing to take inside is fair only if nothing is enabled in it.
            var unfair = component.Where(u => EnabledClasses(nodes[u]).Any(e => !taken.Contains(e))).ToHashSet();
            if (unfair.Count == 0 && (taken.Count > 0 || !EnabledClasses(nodes[component.First()]).Any())) return component;
            var rest = component.Except(unfair).ToHashSet();
            if (rest.Count == component.Count) continue;
            foreach (var smaller in Components(rest, edges)) candidates.Push(smaller);
        }
        return null;
    }

    /// <summary>Strongly connected components of the subgraph on <paramref name="within"/> (Tarjan's algorithm, iterative).</summary>
    private static List<HashSet<int>> Components(HashSet<int> within, List<List<(FlpEvent Event, int Target)>> edges)
    {
        var result = new List<HashSet<int>>();
        var order = new Dictionary<int, int>();
        var low = new Dictionary<int, int>();
        var onStack = new HashSet<int>();
        var stack = new Stack<int>();
        foreach (var root in within.Order())
        {
            if (order.ContainsKey(root)) continue;
            var calls = new Stack<(int Node, int Edge)>();
            calls.Push((root, 0));
            order[root] = low[root] = order.Count;
            stack.Push(root);
            onStack.Add(root);
            while (calls.TryPop(out var frame))
            {
                var (u, i) = frame;
                if (i < edges[u].Count)
                {
                    calls.Push((u, i + 1));
                    var v = edges[u][i].Target;
                    if (!within.Contains(v)) continue;
                    if (!order.TryGetValue(v, out var visited))
                    {
                        order[v] = low[v] = order.Count;
                        stack.Push(v);
                        onStack.Add(v);
                        calls.Push((v, 0));
                    }
                    else if (onStack.Contains(v)) low[u] = Math.Min(low[u], visited);
                    continue;
                }
                if (calls.TryPeek(out var caller)) low[caller.Node] = Math.Min(low[caller.Node], low[u]);
                if (low[u] != order[u]) continue;
                var component = new HashSet<int>();
                int w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    component.Add(w);
                } while (w != u);
                result.Add(component);
            }
        }
        return result;
    }

    /// <summary>A closed walk from <paramref name="entry"/> inside the component taking every class of step enabled in it at least once.</summary>
    private List<FlpEvent> Cycle(int entry, HashSet<int> component, List<(int Configuration, int Crashed)> nodes, List<List<(FlpEvent Event, int Target)>> edges)
    {
        var walk = new List<FlpEvent>();
        var needed = component.SelectMany(u => EnabledClasses(nodes[u])).ToHashSet();
        var at = entry;
        while (needed.Count > 0)
        {
            // Shortest path inside the component to an edge of a class still needed, then that edge.
            var parent = new Dictionary<int, (int From, FlpEvent Step)?> { [at] = null };
            var work = new Queue<int>([at]);
            (int From, FlpEvent Step, int To)? found = null;
            while (found is null && work.TryDequeue(out var u))
                foreach (var (e, v) in edges[u])
                {
                    if (!component.Contains(v) || e is FlpCrash) continue;
                    if (needed.Contains(e))
                    {
                        found = (u, e, v);
                        break;
                    }
                    if (parent.TryAdd(v, (u, e))) work.Enqueue(v);
                }
            if (found is not { } edge) throw new InvalidOperationException("a fair component lost an enabled class");
            walk.AddRange(PathWithin(parent, edge.From));
            walk.Add(edge.Step);
            foreach (var taken in needed.Where(c => c.Equals(edge.Step)).ToList()) needed.Remove(taken);
            at = edge.To;
        }
        if (at != entry || walk.Count > 0)
        {
            var parent = new Dictionary<int, (int From, FlpEvent Step)?> { [at] = null };
            var work = new Queue<int>([at]);
            while (!parent.ContainsKey(entry) && work.TryDequeue(out var u))
                foreach (var (e, v) in edges[u])
                    if (component.Contains(v) && e is not FlpCrash && parent.TryAdd(v, (u, e))) work.Enqueue(v);
            if (at != entry) walk.AddRange(PathWithin(parent, entry));
        }
        return walk;
    }

    private static List<FlpEvent> PathWithin(Dictionary<int, (int From, FlpEvent Step)?> parent, int to)
    {
        var path = new List<FlpEvent>();
        for (var at = to; parent[at] is { } link; at = link.From) path.Add(link.Step);
        path.Reverse();
        return path;
    }

    private int Add(Configuration configuration, int parent, FlpEvent? e)
    {
        if (ids.TryGetValue(configuration, out var id)) return id;
        ids[configuration] = id = configurations.Count;
        configurations.Add(configuration);
        successors.Add([]);
        discoveredBy.Add((parent, e));
        return id;
    }

    /// <summary>Decisions taken in a configuration: bit v when some process has decided v.</summary>
    private int Decisions(Configuration configuration)
    {
        var decided = 0;
        foreach (var state in configuration.States)
            if (state is not null && protocol.DecisionOf(state) is { } v)
                decided |= v is 0 or 1 ? 1 << v : throw new SpecException($"{protocol.Name}: a process decided {v}; decisions are 0 or 1");
        return decided;
    }

    /// <summary>The steps live processes can take: a process not started starts; a started one receives any distinct pending message.</summary>
    private IEnumerable<FlpEvent> Enabled(Configuration configuration, int crashed)
    {
        for (var p = 0; p < Processes; p++)
            if (p != crashed && configuration.States[p] is null) yield return new FlpStart(p);
        Message? previous = null;
        foreach (var message in configuration.Buffer)
        {
            if (message == previous) continue;
            previous = message;
            if (message.To != crashed && configuration.States[message.To] is not null) yield return new FlpReceive(message.To, message.From, message.Content);
        }
    }

    private Configuration Step(Configuration configuration, FlpEvent e)
    {
        var states = (TState?[])configuration.States.Clone();
        var buffer = configuration.Buffer.ToList();
        var effects = new Effects<TMessage, NoTimer, NothingDurable>(new NodeId(e.Process), Processes);
        var node = Node(e.Process, configuration.Inputs[e.Process]);
        try
        {
            states[e.Process] = e switch
            {
                FlpStart => node.Start(effects),
                FlpReceive receive => node.OnMessage(configuration.States[e.Process]!, new NodeId(receive.From), (TMessage)receive.Message, effects),
                _ => throw new SpecException($"{protocol.Name}: {e} is not a step of a process"),
            };
        }
        catch (Exception thrown) when (thrown is not SpecException)
        {
            throw new SpecException($"{protocol.Name}: p{e.Process} threw {thrown.GetType().Name} when {e}: {thrown.Message}");
        }
        if (states[e.Process] is null) throw new SpecException($"{protocol.Name}: p{e.Process} returned no state when {e}");
        if (e is FlpReceive delivered) buffer.Remove(new Message(delivered.Process, delivered.From, (TMessage)delivered.Message));
        foreach (var effect in effects.Items)
            buffer.Add(effect switch
            {
                Send<TMessage> send => new Message(send.To.Index, e.Process, send.Message),
                _ => throw new SpecException($"{protocol.Name}: p{e.Process} asked for {effect.GetType().Name} when {e}; FLP's processes only send messages"),
            });
        if (protocol.IgnoredForever is { } ignored) buffer.RemoveAll(m => states[m.To] is { } state && IsIgnored(ignored, m, state, configuration.Inputs[m.To]));
        buffer.Sort();
        return new Configuration(states, configuration.Inputs, [.. buffer]);
    }

    /// <summary>Receipts taken at once because the addressee ignores the message for ever (checked to change nothing).</summary>
    public long IgnoredReceipts { get; private set; }

    private bool IsIgnored(Func<TState, TMessage, bool> ignored, Message message, TState state, int input)
    {
        bool declared;
        try
        {
            declared = ignored(state, message.Content);
        }
        catch (Exception thrown)
        {
            throw new SpecException($"{protocol.Name}: IgnoredForever threw {thrown.GetType().Name} for {message.Content} to p{message.To}: {thrown.Message}");
        }
        if (!declared) return false;
        // Trust, but check: the receipt must leave the state as it is and send nothing.
        var effects = new Effects<TMessage, NoTimer, NothingDurable>(new NodeId(message.To), Processes);
        var after = Node(message.To, input).OnMessage(state, new NodeId(message.From), message.Content, effects);
        if (!Equals(after, state) || effects.Items.Count > 0)
            throw new SpecException($"{protocol.Name}: {message.Content} from p{message.From} is declared ignored by p{message.To}, but receiving it {(effects.Items.Count > 0 ? "sends or observes something" : "changes its state")}");
        IgnoredReceipts++;
        return true;
    }

    private INode<TState, TMessage, NoTimer, NothingDurable> Node(int process, int input)
    {
        if (!nodes.TryGetValue((process, input), out var node)) nodes[(process, input)] = node = protocol.Create(process, input);
        return node;
    }

    /// <summary>A message in the buffer; ordered by addressee, sender, then text, so a multiset has one sorted form.</summary>
    private sealed record Message(int To, int From, TMessage Content) : IComparable<Message>
    {
        public int CompareTo(Message? other) =>
            other is null ? 1 : To != other.To ? To.CompareTo(other.To) : From != other.From ? From.CompareTo(other.From)
                : string.CompareOrdinal(Content.ToString(), other.Content.ToString()) is var byText && byText != 0 ? byText
                : Content.GetHashCode().CompareTo(other.Content.GetHashCode());
    }

    private sealed class Configuration(TState?[] states, int[] inputs, Message[] buffer) : IEquatable<Configuration>
    {
        private readonly int hash = Hash(states, inputs, buffer);

        public TState?[] States { get; } = states;

        public int[] Inputs { get; } = inputs;

        public Message[] Buffer { get; } = buffer;

        public bool Equals(Configuration? other) =>
            other is not null && hash == other.hash && Inputs.AsSpan().SequenceEqual(other.Inputs) && States.AsSpan().SequenceEqual(other.States) && Buffer.AsSpan().SequenceEqual(other.Buffer);

        public override bool Equals(object? obj) => Equals(obj as Configuration);

        public override int GetHashCode() => hash;

        private static int Hash(TState?[] states, int[] inputs, Message[] buffer)
        {
            var hash = new HashCode();
            foreach (var x in inputs) hash.Add(x);
            foreach (var s in states) hash.Add(s);
            foreach (var m in buffer) hash.Add(m);
            return hash.ToHashCode();
        }
    }
}
