using System.Reflection.PortableExecutable;
using System.Text.Json;
using Mono.Cecil;
using Mono.Cecil.Cil;
using Mono.Cecil.Rocks;

namespace Verification.Controlled.Rewriting;

/// <summary>
/// Rewrites an assembly's call sites of the contract's BCL members to the controlled runtime's interceptors (by exact
/// signature, generic instantiations rebuilt), and changes nothing else: the method bodies keep every other
/// instruction, the pdb keeps its sequence points (stack traces keep file:line), and the output is deterministic.
/// The assembly gets a marker, <c>[assembly: AssemblyMetadata("Verification.Controlled.Rewritten", signature)]</c>,
/// and its report as the resource <see cref="ReportResource"/>, so the runtime can warn about unsupported calls.
/// </summary>
public static class AssemblyRewriter
{
    /// <summary>The key of the marker's AssemblyMetadataAttribute.</summary>
    public const string MarkerKey = "Verification.Controlled.Rewritten";

    /// <summary>The name of the embedded resource holding the report as JSON.</summary>
    public const string ReportResource = "Verification.Controlled.RewriteReport.json";

    /// <summary>What a rewritten assembly's marker says: rewriter version, table hash, runtime identity.</summary>
    public static string Signature(InterceptorAssembly runtime) =>
        $"rewriter {RedirectTable.RewriterVersion}; table {RedirectTable.TableHash}; runtime {runtime.Identity}";

    /// <summary>Rewrites an assembly held in memory.</summary>
    /// <param name="assembly">The input assembly, as the compiler wrote it.</param>
    /// <param name="symbols">Its portable pdb file's bytes, or null (an embedded pdb is found and rewritten in place).</param>
    /// <param name="runtime">The controlled runtime's interceptors.</param>
    /// <param name="path">The input's path, for messages.</param>
    /// <exception cref="RewriteException">Not a .NET assembly, a protected assembly, or rewritten by another rewriter/runtime.</exception>
    public static RewrittenAssembly Rewrite(byte[] assembly, byte[]? symbols, InterceptorAssembly runtime, string path)
    {
        var parameters = new ReaderParameters { ReadingMode = ReadingMode.Immediate };
        var embeddedSymbols = symbols is null && HasEmbeddedPdb(assembly);
        if (symbols is not null)
        {
            parameters.ReadSymbols = true;
            parameters.SymbolStream = new MemoryStream(symbols);
            parameters.SymbolReaderProvider = new PortablePdbReaderProvider();
        }
        else if (embeddedSymbols)
        {
            // Given at read time: Cecil 0.11.6 fails reading embedded symbols into a module already read immediately.
            parameters.ReadSymbols = true;
            parameters.SymbolReaderProvider = new EmbeddedPortablePdbReaderProvider();
        }
        using var module = ModuleFiles.Read(new MemoryStream(assembly), path, "input", parameters);

        if (module.Assembly is null) throw new RewriteException($"{path}: a module without an assembly manifest (a .netmodule), not an assembly");
        var name = module.Assembly.Name;
        if (ProtectedAssemblies.WhyProtected(name, runtime.Name) is { } why)
            throw new RewriteException($"{path}: refusing to rewrite {name.Name}: {why}");
        var signature = Signature(runtime);
        if (FindMarker(module) is { } existing)
        {
            if (existing == signature)
                return new RewrittenAssembly(assembly, symbols, new RewriteReport(name.Name, RewriteOutcome.AlreadyRewritten, [], []));
            throw new RewriteException($"{path}: already rewritten by another rewriter or runtime ({existing}); rewrite the compiler's output instead (rebuild)");
        }

        var rewriting = new CallSiteRewriting(module, runtime, path);
        foreach (var type in AllTypes(module.Types))
            foreach (var method in type.Methods.Where(method => method.HasBody))
                rewriting.Rewrite(method);
        var report = new RewriteReport(name.Name, RewriteOutcome.Rewritten, rewriting.Counts(), rewriting.Unsupported);

        AddMarker(module, signature);
        module.Resources.Add(new EmbeddedResource(ReportResource, ManifestResourceAttributes.Private, ReportJson(report, signature)));
        // .NET does not check strong-name signatures; the identity (public key) stays so references still bind, and
        // the flag goes because the signature no longer matches the content.
        module.Attributes &= ~ModuleAttributes.StrongNameSigned;

        var output = new MemoryStream();
        var symbolOutput = symbols is null ? null : new MemoryStream();
        var writing = new WriterParameters { DeterministicMvid = true };
        if (symbolOutput is not null)
        {
            writing.WriteSymbols = true;
            writing.SymbolStream = symbolOutput;
            writing.SymbolWriterProvider = new PortablePdbWriterProvider();
        }
        else if (embeddedSymbols)
        {
            writing.WriteSymbols = true;
            writing.SymbolWriterProvider = new EmbeddedSymbolsWriterProvider();
        }
        module.Write(output, writing);
        return new RewrittenAssembly(output.ToArray(), symbolOutput?.ToArray(), report);
    }

    /// <summary>The marker's signature in an assembly, or null if it was never rewritten.</summary>
    public static string? FindMarker(ModuleDefinition module) =>
        module.Assembly.CustomAttributes
            .Where(attribute => attribute.AttributeType.FullName == "System.Reflection.AssemblyMetadataAttribute"
                && attribute.ConstructorArguments.Count == 2 && attribute.ConstructorArguments[0].Value as string == MarkerKey)
            .Select(attribute => attribute.ConstructorArguments[1].Value as string ?? "")
            .FirstOrDefault();

    private static bool HasEmbeddedPdb(byte[] assembly)
    {
        try
        {
            using var reader = new PEReader(new MemoryStream(assembly));
            return reader.ReadDebugDirectory().Any(entry => entry.Type == DebugDirectoryEntryType.EmbeddedPortablePdb);
        }
        catch (BadImageFormatException)
        {
            return false; // reading the module says so, naming the file
        }
    }

    /// <summary>Cecil's embedded-pdb writer, given the file name it insists on (only checked, not used) when writing to a stream.</summary>
    private sealed class EmbeddedSymbolsWriterProvider : ISymbolWriterProvider
    {
        public ISymbolWriter GetSymbolWriter(ModuleDefinition module, string fileName) =>
            new EmbeddedPortablePdbWriterProvider().GetSymbolWriter(module, string.IsNullOrEmpty(fileName) ? module.Name : fileName);

        public ISymbolWriter GetSymbolWriter(ModuleDefinition module, Stream symbolStream) => throw new NotSupportedException("embedded symbols are written into the assembly");
    }

    private static void AddMarker(ModuleDefinition module, string signature)
    {
        // AssemblyMetadataAttribute lives in the core library the assembly already references (System.Runtime,
        // netstandard), so the marker adds no assembly reference.
        var attributeType = new TypeReference("System.Reflection", "AssemblyMetadataAttribute", module, module.TypeSystem.CoreLibrary);
        var constructor = new MethodReference(".ctor", module.TypeSystem.Void, attributeType) { HasThis = true };
        constructor.Parameters.Add(new ParameterDefinition(module.TypeSystem.String));
        constructor.Parameters.Add(new ParameterDefinition(module.TypeSystem.String));
        var marker = new CustomAttribute(constructor);
        marker.ConstructorArguments.Add(new CustomAttributeArgument(module.TypeSystem.String, MarkerKey));
        marker.ConstructorArguments.Add(new CustomAttributeArgument(module.TypeSystem.String, signature));
        module.Assembly.CustomAttributes.Add(marker);
    }

    /// <summary>The report as the JSON embedded in the rewritten assembly (deterministic: no time, no machine state).</summary>
    public static byte[] ReportJson(RewriteReport report, string signature)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("assembly", report.Assembly);
            json.WriteString("signature", signature);
            json.WriteStartArray("redirects");
            foreach (var redirect in report.Redirects)
            {
                json.WriteStartObject();
                json.WriteString("member", redirect.Member);
                json.WriteString("interceptor", redirect.Interceptor);
                json.WriteNumber("count", redirect.Count);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("unsupported");
            foreach (var call in report.Unsupported)
            {
                json.WriteStartObject();
                json.WriteString("member", call.Member);
                json.WriteString("reason", call.Reason);
                json.WriteString("method", call.Method);
                json.WriteNumber("offset", call.Offset);
                if (call.Source is null) json.WriteNull("source");
                else json.WriteString("source", call.Source);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static IEnumerable<TypeDefinition> AllTypes(IEnumerable<TypeDefinition> types)
    {
        foreach (var type in types)
        {
            yield return type;
            foreach (var nested in AllTypes(type.NestedTypes)) yield return nested;
        }
    }

    /// <summary>The call-site rewriting of one module: redirects counted, unsupported calls collected.</summary>
    private sealed class CallSiteRewriting(ModuleDefinition module, InterceptorAssembly runtime, string path)
    {
        private readonly Dictionary<string, int> counts = new(StringComparer.Ordinal);
        private readonly Dictionary<MethodDefinition, MethodReference> imported = [];
        private readonly HashSet<string> returnTypesChecked = new(StringComparer.Ordinal);
        private readonly ILookup<string, UnsupportedPattern> unsupportedByType = RedirectTable.Unsupported.ToLookup(pattern => pattern.DeclaringType, StringComparer.Ordinal);

        public List<UnsupportedCall> Unsupported { get; } = [];

        public IReadOnlyList<RedirectCount> Counts() =>
            RedirectTable.Redirects
                .Where(redirect => counts.ContainsKey(redirect.Member))
                .Select(redirect =>
                {
                    runtime.TryFind(redirect.Member, out _, out var interceptor);
                    return new RedirectCount(redirect.Member, InterceptorAssembly.Describe(interceptor), counts[redirect.Member]);
                })
                .ToList();

        public void Rewrite(MethodDefinition method)
        {
            var instructions = method.Body.Instructions;
            var macrosSimplified = false;
            for (var i = 0; i < instructions.Count; i++)
            {
                var instruction = instructions[i];
                if (instruction.Operand is not MethodReference called || called.DeclaringType.Scope is not AssemblyNameReference) continue;
                var code = instruction.OpCode.Code;
                if (code is not (Code.Call or Code.Callvirt or Code.Newobj or Code.Ldftn or Code.Ldvirtftn)) continue;
                var key = Signatures.KeyOf(called);
                if (code is not Code.Newobj && runtime.TryFind(key, out var redirect, out var interceptor))
                {
                    if (redirect.ReferenceTypeArgumentsOnly && !GenericArguments(called).All(IsReferenceType))
                    {
                        Report(method, instruction, key, "a value-type type argument: the interceptor takes classes only, so this call is not a scheduling point");
                        continue;
                    }
                    if (code is Code.Ldftn or Code.Ldvirtftn && redirect.Receiver != Receiver.None)
                    {
                        Report(method, instruction, key, "a delegate to an instance member the runtime intercepts (call it directly instead)");
                        continue;
                    }
                    var target = InterceptorReference(called, redirect, interceptor);
                    if (code is Code.Call or Code.Callvirt)
                    {
                        if (i > 0 && instructions[i - 1].OpCode.Code == Code.Constrained)
                        {
                            // constrained. T callvirt M on a T& receiver: the static interceptor takes the object, so
                            // load it (ldobj T) and box it (a no-op for the reference types these members belong to).
                            if (!macrosSimplified) method.Body.SimplifyMacros();
                            macrosSimplified = true;
                            var prefix = instructions[i - 1];
                            var constrainedType = (TypeReference)prefix.Operand;
                            prefix.OpCode = OpCodes.Ldobj;
                            method.Body.GetILProcessor().InsertAfter(prefix, Instruction.Create(OpCodes.Box, constrainedType));
                            i++;
                        }
                        instruction.OpCode = OpCodes.Call;
                    }
                    instruction.Operand = target;
                    counts[key] = counts.GetValueOrDefault(key) + 1;
                    continue;
                }
                if (FindUnsupported(called, key) is { } reason) Report(method, instruction, key, reason);
            }
            if (macrosSimplified) method.Body.OptimizeMacros();
        }

        private string? FindUnsupported(MethodReference called, string key)
        {
            var type = Signatures.DeclaringTypeName(called);
            if (!unsupportedByType.Contains(type)) return null;
            var element = called is GenericInstanceMethod instance ? instance.ElementMethod : called;
            var parameters = Signatures.ParameterList(element);
            return unsupportedByType[type]
                .FirstOrDefault(pattern => (pattern.Member is null || pattern.Member == element.Name) && (pattern.Parameters is null || pattern.Parameters == parameters))
                ?.Reason;
        }

        private void Report(MethodDefinition method, Instruction instruction, string key, string reason) =>
            Unsupported.Add(new UnsupportedCall(key, reason, MethodName(method), instruction.Offset, SourceOf(method, instruction)));

        /// <summary>A method as a user knows it: a state machine's MoveNext by the async or iterator method it implements.</summary>
        private string MethodName(MethodDefinition method)
        {
            kickoffs ??= KickoffMethods();
            return method.Name == "MoveNext" && kickoffs.TryGetValue(method.DeclaringType, out var kickoff)
                ? $"{kickoff.FullName} (state machine {method.DeclaringType.Name})"
                : method.FullName;
        }

        private Dictionary<TypeDefinition, MethodDefinition>? kickoffs;

        private Dictionary<TypeDefinition, MethodDefinition> KickoffMethods()
        {
            var found = new Dictionary<TypeDefinition, MethodDefinition>();
            foreach (var method in AllTypes(module.Types).SelectMany(type => type.Methods))
                foreach (var attribute in method.CustomAttributes)
                    if (attribute.AttributeType.Namespace == "System.Runtime.CompilerServices"
                        && attribute.AttributeType.Name is "AsyncStateMachineAttribute" or "IteratorStateMachineAttribute" or "AsyncIteratorStateMachineAttribute"
                        && attribute.ConstructorArguments is [{ Value: TypeReference stateMachine }]
                        && stateMachine.Resolve() is { } definition && definition.Module == module)
                        found.TryAdd(definition, method);
            return found;
        }

        private static string? SourceOf(MethodDefinition method, Instruction instruction)
        {
            SequencePoint? closest = null;
            foreach (var point in method.DebugInformation.SequencePoints)
            {
                if (point.Offset > instruction.Offset) break;
                if (!point.IsHidden) closest = point;
            }
            return closest is null ? null : $"{closest.Document.Url}:{closest.StartLine}";
        }

        private static IEnumerable<TypeReference> GenericArguments(MethodReference called) =>
            (called.DeclaringType is GenericInstanceType type ? type.GenericArguments : Enumerable.Empty<TypeReference>())
                .Concat(called is GenericInstanceMethod method ? method.GenericArguments : Enumerable.Empty<TypeReference>());

        private static bool IsReferenceType(TypeReference type) => type switch
        {
            GenericParameter parameter => parameter.HasReferenceTypeConstraint,
            ByReferenceType or PointerType or FunctionPointerType => false,
            _ => !type.IsValueType,
        };

        /// <summary>The interceptor as this module refers to it: imported from the runtime's metadata, instantiated with the call site's type arguments (the declaring type's first).</summary>
        private MethodReference InterceptorReference(MethodReference called, Redirect redirect, MethodDefinition interceptor)
        {
            CheckReturnType(called, redirect, interceptor);
            if (!imported.TryGetValue(interceptor, out var reference))
                imported[interceptor] = reference = module.ImportReference(interceptor);
            if (!interceptor.HasGenericParameters) return reference;
            var instance = new GenericInstanceMethod(reference);
            foreach (var argument in GenericArguments(called)) instance.GenericArguments.Add(argument);
            if (instance.GenericArguments.Count != interceptor.GenericParameters.Count)
                throw new InvalidOperationException($"{Signatures.KeyOf(called)}: {instance.GenericArguments.Count} type arguments for {InterceptorAssembly.Describe(interceptor)}");
            return instance;
        }

        private void CheckReturnType(MethodReference called, Redirect redirect, MethodDefinition interceptor)
        {
            if (!returnTypesChecked.Add(redirect.Member)) return;
            var element = called is GenericInstanceMethod instance ? instance.ElementMethod : called;
            var typeArity = InterceptorAssembly.ExpectedSignature(redirect).TypeArity;
            var expected = Signatures.MoveGenericParameters(Signatures.Text(element.ReturnType), typeArity);
            var actual = Signatures.Text(interceptor.ReturnType);
            if (expected != actual)
                throw new RewriteException($"{path}: the controlled runtime's {InterceptorAssembly.Describe(interceptor)} returns {actual}, but {redirect.Member} returns {expected}");
        }
    }
}
