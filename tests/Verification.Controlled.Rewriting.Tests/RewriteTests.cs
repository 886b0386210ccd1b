using System.Reflection;
using System.Text;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Verification.Controlled.Rewriting.Tests;

/// <summary>
/// The samples (ordinary async C#: lambdas, local functions, struct and class state machines, generic methods, lock,
/// Monitor.Wait/Pulse, SemaphoreSlim, Interlocked, Task.Run&lt;T&gt;, Task.Delay, ConfigureAwait(false), .Result,
/// .GetAwaiter().GetResult(), Thread.Sleep, new Thread, TimeProvider.System) rewritten against the interceptor double.
/// </summary>
[Collection(RewrittenSamplesGroup.Name)]
public class RewriteTests(RewrittenSamples samples)
{
    public static TheoryData<string> Variants => new() { Assets.Optimized, Assets.Unoptimized };

    [Theory]
    [MemberData(nameof(Variants))]
    public void EveryCallSiteOfEveryContractMemberIsRedirected_CountedPerMember(string variant)
    {
        using var original = Assets.ReadModule(Assets.Samples(variant));
        using var rewritten = Assets.ReadModule(samples.Path(variant));
        var report = samples.Report(variant);
        Assert.Equal(RewriteOutcome.Rewritten, report.Outcome);
        foreach (var redirect in RedirectTable.Redirects)
        {
            Assert.True(samples.Runtime.TryFind(redirect.Member, out _, out var interceptor));
            var before = CallSites(original, redirect.Member);
            var leftAlone = report.Unsupported.Count(call => call.Member == redirect.Member);
            Assert.True(before > leftAlone, $"the samples never call {redirect.Member} (or every call is left alone)");
            Assert.Equal(leftAlone, CallSites(rewritten, redirect.Member));
            Assert.Equal(before - leftAlone, CallSites(rewritten, Signatures.KeyOf(interceptor)));
            Assert.Equal(before - leftAlone, report.Redirects.Single(count => count.Member == redirect.Member).Count);
        }
        Assert.Equal(report.Redirects.Sum(count => count.Count), report.CallSites);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void NothingElseChanges_EveryOtherInstructionTypeAndReferenceIsAsCompiled(string variant)
    {
        using var original = Assets.ReadModule(Assets.Samples(variant));
        using var rewritten = Assets.ReadModule(samples.Path(variant));
        var redirected = RedirectTable.Redirects.Select(redirect => redirect.Member).ToHashSet();
        var rewrittenMethods = AllMethods(rewritten).ToDictionary(method => method.FullName);
        var changed = 0;
        foreach (var method in AllMethods(original))
        {
            var copy = rewrittenMethods[method.FullName];
            Assert.Equal(method.HasBody, copy.HasBody);
            if (!method.HasBody) continue;
            Assert.Equal(method.Body.Instructions.Count, copy.Body.Instructions.Count);
            Assert.Equal(method.Body.Variables.Select(v => v.VariableType.FullName), copy.Body.Variables.Select(v => v.VariableType.FullName));
            Assert.Equal(method.Body.ExceptionHandlers.Count, copy.Body.ExceptionHandlers.Count);
            for (var i = 0; i < method.Body.Instructions.Count; i++)
            {
                var before = method.Body.Instructions[i];
                var after = copy.Body.Instructions[i];
                if (before.ToString() == after.ToString()) continue;
                // The only change allowed: a call (or ldftn) of a redirected member becomes a call of an interceptor.
                Assert.True(before.Operand is MethodReference called && redirected.Contains(Signatures.KeyOf(called)), $"{method.FullName}: {before} became {after}");
                Assert.Equal(before.OpCode == OpCodes.Ldftn ? OpCodes.Ldftn : OpCodes.Call, after.OpCode);
                Assert.Equal(RedirectTable.InterceptorNamespace, ((MethodReference)after.Operand).DeclaringType.Namespace);
                changed++;
            }
        }
        Assert.Equal(samples.Report(variant).CallSites, changed);
        Assert.Equal(AllMethods(original).Count(), rewrittenMethods.Count);
        Assert.Equal(original.GetTypes().Select(t => t.FullName).Order(), rewritten.GetTypes().Select(t => t.FullName).Order());
        // One new reference, the runtime's (imported from its metadata: no System.Private.CoreLib or other leak).
        Assert.Equal(original.AssemblyReferences.Select(r => r.FullName).Append("CountingInterceptors, Version=0.1.0.0, Culture=neutral, PublicKeyToken=null").Order(),
            rewritten.AssemblyReferences.Select(r => r.FullName).Order());
        Assert.Null(AssemblyRewriter.FindMarker(original));
        Assert.Equal(AssemblyRewriter.Signature(samples.Runtime), AssemblyRewriter.FindMarker(rewritten));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task TheRewrittenAssemblyLoadsRunsAndGivesTheOriginalsResults_ThroughEveryInterceptor(string variant)
    {
        var originalContext = new IsolatedContext(Path.GetDirectoryName(Assets.Samples(variant))!);
        var rewrittenContext = new IsolatedContext(samples.Directory(variant));
        try
        {
            var methods = originalContext.SamplesType.GetMethods(BindingFlags.Public | BindingFlags.Static)
                .Where(method => method.GetParameters().Length == 0 && method.Name != "Throws").Select(method => method.Name).Order().ToList();
            Assert.True(methods.Count >= 14, string.Join(", ", methods));
            var expected = new StringBuilder();
            var actual = new StringBuilder();
            foreach (var method in methods)
            {
                expected.AppendLine($"{method} = {await originalContext.Run(method)}");
                actual.AppendLine($"{method} = {await rewrittenContext.Run(method)}");
            }
            Assert.Equal(expected.ToString(), actual.ToString());
            Assert.Contains("RunOverloads = 255", actual.ToString());
            Assert.Contains("BoundedBufferWithWaitAndPulse = 55", actual.ToString());

            // Every interceptor of the contract was called (the double has one counter per member: 64).
            var calls = rewrittenContext.InterceptorCalls();
            Assert.Equal(64, calls.Count);
            Assert.All(calls, call => Assert.True(call.Value > 0, call.Key));
        }
        finally
        {
            originalContext.Unload();
            rewrittenContext.Unload();
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task StackTracesOfTheRewrittenAssemblyKeepFileAndLine(string variant)
    {
        var context = new IsolatedContext(samples.Directory(variant));
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => context.Run("Throws"));
            var line = Assets.LineOf("Samples.cs", "throw new InvalidOperationException(\"thrown on purpose\")");
            Assert.Contains($"Samples.cs:line {line}", error.StackTrace);
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public void UnsupportedCallsAreReportedWithMethodOffsetAndSourceLine_AndEmbeddedForTheRuntime()
    {
        var report = samples.Report(Assets.Optimized);
        var expected = new (string Member, string File, string Line)[]
        {
            ("System.Threading.Tasks.Parallel::For(System.Int32,System.Int32,System.Action`1<System.Int32>)", "Escapes.cs", "Parallel.For"),
            ("System.Threading.Timer::.ctor(System.Threading.TimerCallback,System.Object,System.Int32,System.Int32)", "Escapes.cs", "new Timer("),
            ("System.Threading.PeriodicTimer::.ctor(System.TimeSpan)", "Escapes.cs", "new PeriodicTimer("),
            ("System.Threading.CancellationTokenSource::CancelAfter(System.Int32)", "Escapes.cs", "CancelAfter"),
            ("System.Threading.ThreadPool::UnsafeQueueUserWorkItem(System.Threading.WaitCallback,System.Object)", "Escapes.cs", "UnsafeQueueUserWorkItem"),
            ("System.Threading.Tasks.Task::WaitAll(System.ReadOnlySpan`1<System.Threading.Tasks.Task>)", "Escapes.cs", "Task.WaitAll(task, task)"),
            ("System.Threading.Tasks.ValueTask::ConfigureAwait(System.Boolean)", "Escapes.cs", "new ValueTask(task).ConfigureAwait(false)"),
            ("System.Threading.Monitor::Wait(System.Object,System.TimeSpan)", "Escapes.cs", "Monitor.Wait(gate, TimeSpan.Zero)"),
            ("System.Threading.SemaphoreSlim::Wait(System.TimeSpan)", "Escapes.cs", "semaphore.Wait(TimeSpan.Zero)"),
            ("System.Threading.Interlocked::Exchange`1(!!0&,!!0)", "Escapes.cs", "Interlocked.Exchange(ref mode"),
            ("System.Threading.Tasks.Task::Wait()", "Escapes.cs", "Action wait = task.Wait"),
            // Roslyn emits no sequence point for the header of a lock on System.Threading.Lock, so the closest one
            // before the EnterScope call is the statement before it.
            ("System.Threading.Lock::EnterScope()", "Escapes.cs", "wait();"),
            ("System.Threading.Thread::Join()", "Samples.cs", "first.Join()"),
            ("System.Threading.Thread::Join()", "Samples.cs", "second.Join()"),
        };
        Assert.Equal(expected.Length, report.Unsupported.Count);
        foreach (var (member, file, text) in expected)
        {
            var source = $"{Assets.SourceOf(file)}:{Assets.LineOf(file, text)}";
            var call = Assert.Single(report.Unsupported, call => call.Member == member && call.Source == source);
            Assert.True(call.Offset > 0);
            Assert.False(string.IsNullOrWhiteSpace(call.Reason));
        }
        // An async method's calls are named by the method the user wrote, not only its compiler-generated MoveNext.
        Assert.Contains("AsyncSamples.Escapes::All(", report.Unsupported.First(call => call.Source!.Contains("Escapes.cs", StringComparison.Ordinal)).Method);

        using var rewritten = Assets.ReadModule(samples.Path(Assets.Optimized));
        var resource = Assert.Single(rewritten.Resources.OfType<EmbeddedResource>(), r => r.Name == AssemblyRewriter.ReportResource);
        Assert.Equal(AssemblyRewriter.ReportJson(report, AssemblyRewriter.Signature(samples.Runtime)), resource.GetResourceData());
    }

    [Fact]
    public async Task AnEmbeddedPdbIsRewrittenInPlace_StackTracesKeepFileAndLine()
    {
        using var directory = new TemporaryDirectory();
        var input = directory.File("input/AsyncSamples.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(input)!);
        using (var module = ModuleDefinition.ReadModule(Assets.Samples(Assets.Optimized), new ReaderParameters { ReadSymbols = true }))
            module.Write(input, new WriterParameters { WriteSymbols = true, SymbolWriterProvider = new EmbeddedPortablePdbWriterProvider() });
        Assert.False(File.Exists(Path.ChangeExtension(input, ".pdb")));
        var output = directory.File("AsyncSamples.dll");
        Assert.Equal(RewriteOutcome.Rewritten, RewriteFiles.Rewrite(input, output, samples.Runtime, cacheDirectory: null).Outcome);
        Assert.False(File.Exists(Path.ChangeExtension(output, ".pdb")));
        File.Copy(Assets.Double, directory.File("CountingInterceptors.dll"));
        var context = new IsolatedContext(directory.Path);
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => context.Run("Throws"));
            Assert.Contains($"Samples.cs:line {Assets.LineOf("Samples.cs", "throw new InvalidOperationException(\"thrown on purpose\")")}", error.StackTrace);
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public void RewritingIsDeterministic_TheSameInputGivesTheSameBytes()
    {
        var input = File.ReadAllBytes(Assets.Samples(Assets.Optimized));
        var symbols = File.ReadAllBytes(Path.ChangeExtension(Assets.Samples(Assets.Optimized), ".pdb"));
        var first = AssemblyRewriter.Rewrite(input, symbols, samples.Runtime, "first");
        var second = AssemblyRewriter.Rewrite(input, symbols, samples.Runtime, "second");
        Assert.Equal(first.Assembly, second.Assembly);
        Assert.Equal(first.Symbols, second.Symbols);
        Assert.Equal(File.ReadAllBytes(samples.Path(Assets.Optimized)), first.Assembly);
    }

    [Fact]
    public void ASecondRewriteOfARewrittenAssemblyChangesNothing()
    {
        using var directory = new TemporaryDirectory();
        var copy = directory.File("AsyncSamples.dll");
        File.Copy(samples.Path(Assets.Optimized), copy);
        File.Copy(Path.ChangeExtension(samples.Path(Assets.Optimized), ".pdb"), Path.ChangeExtension(copy, ".pdb"));
        var before = File.ReadAllBytes(copy);
        var report = RewriteFiles.Rewrite(copy, copy, samples.Runtime, cacheDirectory: null);
        Assert.Equal(RewriteOutcome.AlreadyRewritten, report.Outcome);
        Assert.Equal(0, report.CallSites);
        Assert.Equal(before, File.ReadAllBytes(copy));
    }

    [Fact]
    public async Task AConstrainedCallOfARedirectedMemberBecomesLoadBoxAndCall()
    {
        // C# boxes a type-parameter receiver (box T; callvirt); other compilers and hand-written IL use
        // 'constrained. T callvirt' on its address. Make WaitOn<T> so, then rewrite and run it.
        using var directory = new TemporaryDirectory();
        var input = directory.File("input/AsyncSamples.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(input)!);
        using (var module = Assets.ReadModule(Assets.Samples(Assets.Optimized)))
        {
            var waitOn = module.GetType("AsyncSamples.Samples").Methods.Single(method => method.Name == "WaitOn");
            var instructions = waitOn.Body.Instructions;
            Assert.Equal([Code.Ldarg_0, Code.Box, Code.Callvirt], instructions.Take(3).Select(instruction => instruction.OpCode.Code));
            var typeParameter = (TypeReference)instructions[1].Operand;
            instructions[0].OpCode = OpCodes.Ldarga_S;
            instructions[0].Operand = waitOn.Parameters[0];
            instructions[1].OpCode = OpCodes.Constrained;
            instructions[1].Operand = typeParameter;
            module.Write(input);
        }
        var output = directory.File("AsyncSamples.dll");
        var report = RewriteFiles.Rewrite(input, output, samples.Runtime, cacheDirectory: null);
        Assert.Equal(2, report.Redirects.Single(count => count.Member == "System.Threading.Tasks.Task::Wait()").Count);
        using (var rewritten = Assets.ReadModule(output))
        {
            var waitOn = rewritten.GetType("AsyncSamples.Samples").Methods.Single(method => method.Name == "WaitOn");
            Assert.Equal([Code.Ldarga_S, Code.Ldobj, Code.Box, Code.Call], waitOn.Body.Instructions.Take(4).Select(instruction => instruction.OpCode.Code));
        }
        File.Copy(Assets.Double, directory.File("CountingInterceptors.dll"));
        var context = new IsolatedContext(directory.Path);
        try
        {
            Assert.Equal(2, await context.Run("ThroughTypeParameter"));
            Assert.Equal(2, context.InterceptorCalls()["ControlledTask.Wait(Task)"]);
        }
        finally
        {
            context.Unload();
        }
    }

    private static int CallSites(ModuleDefinition module, string key) =>
        AllMethods(module).Where(method => method.HasBody).SelectMany(method => method.Body.Instructions)
            .Count(instruction => instruction.Operand is MethodReference called && Signatures.KeyOf(called) == key);

    private static IEnumerable<MethodDefinition> AllMethods(ModuleDefinition module) => module.GetTypes().SelectMany(type => type.Methods);
}
