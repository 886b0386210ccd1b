using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using Verification.Checkers.Linearizability;
using Verification.Checkers.Smt;
using Verification.Checkers.Systematic;
using Verification.Cli.Catalog;
using Verification.Specs;

namespace Verification.Cli;

/// <summary>The command line's exit codes, the same for every command (and listed in <c>verify --help</c>).</summary>
public static class ExitCodes
{
    /// <summary>Every verdict as expected; the history, claim or histories hold.</summary>
    public const int AsExpected = 0;

    /// <summary>A verdict differs from the expected one; a violation, counterexample or non-linearizable history was found.</summary>
    public const int Differs = 1;

    /// <summary>Bad input (a file, an option) or an environment problem (libz3 missing): the message on stderr says which.</summary>
    public const int BadInputOrEnvironment = 2;

    /// <summary>A budget (time, memory, solver) ran out before a verdict: unknown, not a failure of what was checked.</summary>
    public const int Unknown = 3;

    /// <summary>A defect of the tool itself.</summary>
    public const int InternalError = 4;

    public const string Help = "Exit codes: 0 as expected / holds, 1 a verdict differs / a violation was found, 2 bad input or environment (e.g. libz3 missing), 3 unknown (a budget ran out), 4 internal error.";
}

/// <summary>
/// verify — the toolkit's command line. With no command it runs every check with its embedded defaults
/// (the same as <c>verify check</c>). Exit codes: <see cref="ExitCodes"/>.
/// </summary>
public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = output == Console.Out && !Console.IsOutputRedirected ? AnsiSupport.Detect : AnsiSupport.No });
        if (output != Console.Out || Console.IsOutputRedirected) console.Profile.Width = 160; // logs and CI: no terminal width to respect
        var root = BuildCommands(console, output);
        try
        {
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                foreach (var parseError in parsed.Errors) error.WriteLine($"verify: {parseError.Message}");
                error.WriteLine("verify: see 'verify --help'");
                return ExitCodes.BadInputOrEnvironment;
            }
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (VerificationException ex)
        {
            error.WriteLine($"verify: {ex.Message}");
            return ExitCodes.BadInputOrEnvironment;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"verify: {ex.Message}");
            return ExitCodes.BadInputOrEnvironment;
        }
        catch (Exception ex)
        {
            // A defect of ours, not of the input: say so plainly, without a stack trace.
            error.WriteLine($"verify: internal error ({ex.GetType().Name}): {ex.Message}");
            error.WriteLine("verify: please report it with the command line that produced it");
            return ExitCodes.InternalError;
        }
    }

    private static RootCommand BuildCommands(IAnsiConsole console, TextWriter output)
    {
        var json = new Option<string?>("--json") { Description = "Also write the report as JSON to this path" };
        var filter = new Option<string?>("--filter") { Description = "Run only the checks whose name contains this text" };
        var seed = new Option<int>("--seed") { Description = "Seed for the random histories", DefaultValueFactory = _ => 1 };
        var shard = new Option<string?>("--shard") { Description = "i/n: run only checks i, i+n, i+2n, … of the list (n machines together run the whole check)" };

        var check = new Command("check", "Run every check (spec examples, recorded histories, proofs) and compare each verdict with the expected one");
        check.Options.Add(json);
        check.Options.Add(filter);
        check.Options.Add(seed);
        check.Options.Add(shard);
        var userSystems = new Option<string?>("--assembly") { Description = "Run instead the checks declared by the systems registered in this assembly (.dll) of yours" };
        check.Options.Add(userSystems);
        check.SetAction(result => RunChecks(console, result.GetValue(json), result.GetValue(filter), result.GetValue(seed), result.GetValue(shard), result.GetValue(userSystems)));

        var list = new Command("list", "List the shipped specs and the default checks");
        list.Options.Add(userSystems);
        list.SetAction(result =>
        {
            if (result.GetValue(userSystems) is { } userAssembly)
            {
                var systems = Systems.In(userAssembly);
                foreach (var system in systems)
                    output.WriteLine($"system {system.Name,-24} {system.Description}; configurations: {string.Join(", ", system.ConfigurationNames)}");
                foreach (var definition in CheckCatalog.OfSystems(systems)) output.WriteLine($"check  {Words<CheckKind>.Name(definition.Kind),-11} expect {definition.Expected,-22} {definition.Name}");
                return 0;
            }
            foreach (var entry in CheckCatalog.Specs) output.WriteLine($"spec   {entry.Name,-24} {entry.Description}");
            foreach (var model in CheckCatalog.RelationalModels)
                output.WriteLine($"model  {model.Name,-24} {model.Sorts.Count} sorts, {model.Actions.Count} actions, {model.Invariants.Count} invariants: proved for every size ('verify prove {model.Name}')");
            foreach (var system in Systems.Shipped)
                output.WriteLine($"system {system.Name,-24} {system.Description}; configurations: {string.Join(", ", system.ConfigurationNames)}");
            foreach (var definition in CheckCatalog.Default()) output.WriteLine($"check  {Words<CheckKind>.Name(definition.Kind),-11} expect {definition.Expected,-22} {definition.Name}");
            return 0;
        });

        var specName = new Argument<string>("spec") { Description = "A spec name (see 'verify list')" };
        var smt = new Option<bool>("--smt") { Description = "Print the SMT-LIB2 translation instead of the equations" };
        var print = new Command("print", "Print a spec's equations in the seed's notation (or its SMT-LIB2 translation)");
        print.Arguments.Add(specName);
        print.Options.Add(smt);
        print.SetAction(result =>
        {
            var entry = CheckCatalog.Spec(result.GetValue(specName)!);
            output.WriteLine(result.GetValue(smt) ? new SmtEncoding(entry.Spec).Describe() : EquationPrinter.Print(entry.Spec));
            return 0;
        });

        var file = new Argument<string>("file") { Description = "History file: JSON Lines, one event per line, e.g. {\"event\": \"Dispatch\", \"Process\": 1}" };
        var history = new Command("history", "Check a recorded history file against a spec (trace validation)");
        history.Arguments.Add(specName);
        history.Arguments.Add(file);
        history.SetAction(result =>
        {
            var entry = CheckCatalog.Spec(result.GetValue(specName)!);
            var outcome = entry.CheckHistoryFile(result.GetValue(file)!);
            output.WriteLine(outcome.ToString());
            return outcome.Holds ? ExitCodes.AsExpected : ExitCodes.Differs;
        });

        var claims = new Option<string[]>("--claim") { Description = "A property to prove (repeatable); default: every invariant and step property", AllowMultipleArgumentsPerToken = true };
        var depth = new Option<int>("--depth") { Description = "Bounded unrolling depth used when induction fails", DefaultValueFactory = _ => 8 };
        var timeout = new Option<int>("--timeout") { Description = "Solver deadline per query, in seconds", DefaultValueFactory = _ => 30 };
        var prove = new Command("prove", "Send a spec's claims to Z3: induction, then bounded unrolling for a readable counterexample");
        prove.Arguments.Add(specName);
        prove.Options.Add(claims);
        prove.Options.Add(depth);
        prove.Options.Add(timeout);
        prove.SetAction(result =>
        {
            if (result.GetValue(depth) < 0) throw new SpecException($"--depth must be at least 0 (got {result.GetValue(depth)})");
            if (result.GetValue(timeout) <= 0) throw new SpecException($"--timeout must be positive (got {result.GetValue(timeout)})");
            var selected = result.GetValue(claims) is { Length: > 0 } names ? names : null;
            var options = new ProverOptions { Timeout = TimeSpan.FromSeconds(result.GetValue(timeout)), UnrollingDepth = result.GetValue(depth), Parallelism = Environment.ProcessorCount };
            if (CheckCatalog.RelationalModel(result.GetValue(specName)!) is { } model)
            {
                var relational = RelationalProver.Prove(selected is null ? model : model.WithInvariants(selected), options);
                output.WriteLine(relational.ToString());
                return ExitCode(relational);
            }
            var entry = CheckCatalog.Spec(result.GetValue(specName)!);
            var proof = entry.Prove(selected, options);
            output.WriteLine(proof.ToString());
            return ExitCode(proof);
        });

        var scheduleFile = new Argument<string>("schedule") { Description = "A schedule file written by the systematic tester (*.schedule.json)" };
        var assembly = new Option<string?>("--assembly") { Description = "The assembly (.dll) that defines the schedule's system, when it is not a shipped one (default: the one the schedule names)" };
        var replay = new Command("replay", "Replay a saved counterexample schedule of a registered system (shipped, or a user's) and print its history");
        replay.Arguments.Add(scheduleFile);
        replay.Options.Add(assembly);
        replay.SetAction(result =>
        {
            var schedule = Schedule.Load(result.GetValue(scheduleFile)!);
            var outcome = Systems.Replay(schedule, result.GetValue(assembly));
            output.WriteLine($"{schedule.Protocol}: {schedule.Steps.Count} steps (strategy {schedule.Strategy}, seed {schedule.Seed}, iteration {schedule.Iteration})");
            foreach (var line in outcome.Trace) output.WriteLine("  " + line);
            if (outcome.Divergence is not null)
            {
                output.WriteLine(outcome.Divergence);
                return 1;
            }
            output.WriteLine(outcome.Details ?? "no violation: the schedule runs to its end without failing");
            return outcome.Property is null ? 0 : 1;
        });

        var historyFiles = new Argument<string[]>("files") { Description = "History files: Jepsen etcd logs, Porcupine key-value logs, or Jepsen EDN histories (cas register); a directory means every file in it (but .md and .csv files)", Arity = ArgumentArity.OneOrMore };
        var format = new Option<string?>("--format") { Description = "etcd-log, kv or jepsen-edn (default: recognised from the content)" };
        var historyTimeout = new Option<double>("--timeout") { Description = "Seconds per history before the verdict is 'unknown'", DefaultValueFactory = _ => 60 };
        var historyMemory = new Option<int>("--memory") { Description = "Megabytes the search of one history may memoise before the verdict is 'unknown'", DefaultValueFactory = _ => 1024 };
        var linearizability = new Command("linearizability",
            "Check client histories for linearizability (Wing–Gong–Lowe search, memoised, per-key partitions). Every file is checked, " +
            "an unreadable one reported on stderr and skipped. Exit codes: 0 every history linearizable; 1 some history not linearizable; " +
            "2 bad input (an unreadable file, a bad option); 3 unknown (a time or memory budget ran out); 4 internal error. " +
            "With several files, the first of 1, 2, 3 that applies.");
        linearizability.Arguments.Add(historyFiles);
        linearizability.Options.Add(format);
        linearizability.Options.Add(historyTimeout);
        linearizability.Options.Add(historyMemory);
        linearizability.SetAction(result => CheckHistories(result.GetValue(historyFiles)!, result.GetValue(format), result.GetValue(historyTimeout), result.GetValue(historyMemory), output, result.InvocationConfiguration.Error));

        var exerciseName = new Argument<string?>("name") { Description = "The exercise (none: list them)", Arity = ArgumentArity.ZeroOrOne };
        var exerciseFile = new Argument<string?>("file") { Description = "Your C# file (default: the exercise's Starter.cs under exercises/)", Arity = ArgumentArity.ZeroOrOne };
        var exercise = new Command("exercise", "Check your answer to a teaching exercise and print what holds and what does not");
        exercise.Arguments.Add(exerciseName);
        exercise.Arguments.Add(exerciseFile);
        exercise.SetAction(result =>
        {
            if (result.GetValue(exerciseName) is not { } name)
            {
                foreach (var each in Exercises.Exercises.All) output.WriteLine($"exercise {each.Name,-24} {each.Minutes,3} min  {each.Title}");
                return ExitCodes.AsExpected;
            }
            var chosen = Exercises.Exercises.Named(name);
            var path = result.GetValue(exerciseFile) ?? Path.Combine("exercises", chosen.Folder, "Starter.cs");
            var report = Exercises.Exercises.Check(chosen, path);
            output.WriteLine(report.ToString());
            return report.Passed ? ExitCodes.AsExpected : ExitCodes.Differs;
        });

        var root = new RootCommand($"verify: spec-driven verification of fault-tolerant distributed protocols. With no command, runs every check. {ExitCodes.Help}");
        root.Options.Add(json);
        root.Options.Add(filter);
        root.Options.Add(seed);
        root.Options.Add(shard);
        root.Subcommands.Add(check);
        root.Subcommands.Add(list);
        root.Subcommands.Add(print);
        root.Subcommands.Add(history);
        root.Subcommands.Add(prove);
        root.Subcommands.Add(replay);
        root.Subcommands.Add(linearizability);
        root.Subcommands.Add(exercise);
        root.SetAction(result => RunChecks(console, result.GetValue(json), result.GetValue(filter), result.GetValue(seed), result.GetValue(shard), userAssembly: null));
        return root;
    }

    /// <summary>One history's verdict in the words of linearizability, with what the search covered, and why when it is not or unknown.</summary>
    private static string Linearizability(CheckResult result)
    {
        var verdict = result.Verdict switch { Verdict.Holds => "linearizable", Verdict.Violated => "NOT linearizable", _ => "unknown (budget exhausted)" };
        var line = $"{verdict}: {result.Subject}, {result.Coverage.Configurations} configurations explored, {result.Elapsed.TotalMilliseconds:F1} ms";
        return result.Explanation is { } why ? $"{line}\n{why}" : line;
    }

    /// <summary>The exit code of one check's result: holds 0, violated 1, unknown 3.</summary>
    private static int ExitCode(CheckResult result) => result.Verdict switch
    {
        Verdict.Holds => ExitCodes.AsExpected,
        Verdict.Violated => ExitCodes.Differs,
        _ => ExitCodes.Unknown,
    };

    /// <summary>The linearizability command: every file checked, each unreadable one reported, a summary, the exit code.</summary>
    private static int CheckHistories(string[] arguments, string? formatName, double timeoutSeconds, int memoryMegabytes, TextWriter output, TextWriter error)
    {
        if (!(timeoutSeconds is > 0 and <= 1e9)) throw new SpecException($"--timeout must be a positive number of seconds, at most 1e9 (got {timeoutSeconds})");
        if (memoryMegabytes <= 0) throw new SpecException($"--memory must be a positive number of megabytes (got {memoryMegabytes})");
        HistoryFormat? chosen = formatName switch
        {
            null => null,
            "etcd-log" => HistoryFormat.EtcdLog,
            "kv" => HistoryFormat.KeyValue,
            "jepsen-edn" => HistoryFormat.JepsenEdn,
            var other => throw new SpecException($"--format must be etcd-log, kv or jepsen-edn (got '{other}')"),
        };
        var budget = new LinearizabilityBudget { Timeout = TimeSpan.FromSeconds(timeoutSeconds), MaxMemoryBytes = (long)memoryMegabytes << 20 };
        int linearizable = 0, not = 0, unknown = 0, unreadable = 0;
        var total = TimeSpan.Zero;
        foreach (var argument in arguments)
        {
            var files = Directory.Exists(argument)
                ? Directory.GetFiles(argument, "*", SearchOption.AllDirectories).Where(p => !p.EndsWith(".md", StringComparison.Ordinal) && !p.EndsWith(".csv", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList()
                : [argument];
            if (files.Count == 0)
            {
                error.WriteLine($"verify: {argument}: a directory with no history files");
                unreadable++;
            }
            foreach (var path in files)
            {
                try
                {
                    var outcome = PorcupineFiles.Check(path, chosen, budget);
                    total += outcome.Elapsed;
                    output.WriteLine($"{path}: {Linearizability(outcome)}");
                    if (outcome.Verdict == Verdict.Holds) linearizable++;
                    else if (outcome.Verdict == Verdict.Violated) not++;
                    else unknown++;
                }
                catch (Exception ex) when (ex is VerificationException or IOException or UnauthorizedAccessException)
                {
                    // Reported, and the other files still checked: one bad file must not hide the verdicts on the rest.
                    error.WriteLine($"verify: {(ex.Message.StartsWith(path, StringComparison.Ordinal) ? ex.Message : $"{path}: {ex.Message}")}");
                    unreadable++;
                }
            }
        }
        var histories = linearizable + not + unknown + unreadable;
        output.WriteLine($"{histories} histor{(histories == 1 ? "y" : "ies")}: {linearizable} linearizable, {not} not, {unknown} unknown, {unreadable} unreadable ({total.TotalMilliseconds:F1} ms checking)");
        return not > 0 ? ExitCodes.Differs : unreadable > 0 ? ExitCodes.BadInputOrEnvironment : unknown > 0 ? ExitCodes.Unknown : ExitCodes.AsExpected;
    }

    private static int RunChecks(IAnsiConsole console, string? jsonPath, string? filter, int seed, string? shard, string? userAssembly)
    {
        var catalog = userAssembly is null ? CheckCatalog.Default() : CheckCatalog.OfSystems(Systems.In(userAssembly)).ToList();
        if (catalog.Count == 0) throw new SpecException($"{userAssembly}: its systems declare no check (override SystemDefinition.Checks)");
        var checks = catalog.Where(d => filter is null || d.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)).ToList();
        if (checks.Count == 0) throw new SpecException($"no check matches --filter '{filter}' (see 'verify list')");
        if (shard is not null)
        {
            // Shard i of n: checks i, i + n, i + 2n, … of the list, so n machines together run each check once.
            var (index, count) = TestOptions.ParseShard(shard);
            checks = checks.Where((_, i) => i % count == index).ToList();
            if (checks.Count == 0) throw new SpecException($"shard {shard} has no check (there are fewer checks than shards)");
        }
        if (jsonPath is not null) Report.EnsureWritable(jsonPath); // fail before spending minutes on checks
        var total = Stopwatch.StartNew();
        var records = new List<CheckRecord>();
        for (var i = 0; i < checks.Count; i++)
        {
            var check = checks[i];
            var watch = Stopwatch.StartNew();
            var record = Judge(check, () => CheckCatalog.Run(check, seed), watch);
            records.Add(record);
            var mark = record.Passed ? "[green]ok  [/]" : record.Actual == NotRun ? "[yellow]skip[/]" : "[red]FAIL[/]";
            console.MarkupLine($"[grey][[{i + 1}/{checks.Count}]][/] {mark} {Markup.Escape(check.Name)} [grey]({Markup.Escape(record.Actual)}; {Markup.Escape(record.Coverage)}; {record.Seconds:F2} s)[/]");
            if (!record.Passed) console.WriteLine($"      expected {record.Expected}, got {record.Actual}:\n      " + record.Detail.Replace("\n", "\n      "));
        }
        var report = new Report(records, total.Elapsed.TotalSeconds);
        var table = new Table().Border(TableBorder.Rounded).AddColumns("check", "kind", "expected", "actual", "covered", "s");
        foreach (var record in records)
            table.AddRow(Markup.Escape(record.Name), Words<CheckKind>.Name(record.Kind), Markup.Escape(record.Expected),
                record.Passed ? Markup.Escape(record.Actual) : $"[red]{Markup.Escape(record.Actual)}[/]", Markup.Escape(record.Coverage), record.Seconds.ToString("F2"));
        console.Write(table);
        var notRun = records.Count(r => r.Actual == NotRun);
        console.MarkupLine($"{report.Passed} as expected, {report.Failed - notRun} not{(notRun > 0 ? $", {notRun} not run (install libz3-4: sudo apt-get install libz3-4)" : "")}, in {report.Seconds:F1} s");
        if (jsonPath is not null) report.WriteJson(jsonPath);
        return ExitCode(records);
    }

    internal const string NotRun = "not run";
    internal const string Error = "error";

    /// <summary>
    /// The one place a check's outcome is judged: its result must match the expectation and have covered something;
    /// a problem of the check itself is an error; a check that needs Z3 where there is none is "not run".
    /// </summary>
    internal static CheckRecord Judge(CatalogCheck check, Func<CheckResult> run, Stopwatch watch)
    {
        CheckResult result;
        try
        {
            result = run();
        }
        catch (Z3UnavailableException ex)
        {
            return Record(NotRun, passed: false, $"not run: libz3 missing ({ex.Message})", "nothing");
        }
        catch (VerificationException ex)
        {
            return Record(Error, passed: false, ex.Message, "nothing");
        }
        var actual = Describe(result);
        if (result.Coverage.IsEmpty)
            return Record(Error, passed: false,
                $"covered nothing (no run, event, state or solver obligation), so its verdict '{actual}' means nothing:\n{result}", result.Coverage.ToString());
        return Record(actual, check.Expected.Matches(result), result.ToString(), result.Coverage.ToString());

        CheckRecord Record(string actual, bool passed, string detail, string coverage) => new(
            Name: check.Name, Kind: check.Kind, Expected: check.Expected.ToString(), Actual: actual, Passed: passed,
            Seconds: watch.Elapsed.TotalSeconds, Detail: detail, Coverage: coverage);
    }

    /// <summary>A result's verdict in the words of the report: "holds", "violated (P)", "not inductive", "unknown (budget exhausted)".</summary>
    private static string Describe(CheckResult result) => result.Verdict switch
    {
        Verdict.Holds => "holds",
        Verdict.Violated => $"violated ({result.Counterexample?.Property})",
        _ => result.Why == Inconclusive.NotInductive ? "not inductive" : $"unknown ({result.Why?.ToString().ToLowerInvariant()}: {result.Reason})",
    };

    /// <summary>The exit code of a full check: see <see cref="ExitCodes"/>.</summary>
    private static int ExitCode(IReadOnlyList<CheckRecord> records)
    {
        var failed = records.Where(r => !r.Passed).ToList();
        if (failed.Count == 0) return ExitCodes.AsExpected;
        if (failed.Any(r => r.Actual == NotRun)) return ExitCodes.BadInputOrEnvironment;
        return failed.All(r => r.Actual.StartsWith("unknown", StringComparison.Ordinal)) ? ExitCodes.Unknown : ExitCodes.Differs;
    }
}
