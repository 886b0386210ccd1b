using System.Globalization;
using System.Text.RegularExpressions;
using Mono.Cecil;

namespace Verification.Controlled.Rewriting;

/// <summary>
/// The controlled runtime's assembly, read as metadata (never loaded or referenced at compile time), with every
/// redirect of <see cref="RedirectTable"/> resolved to its interceptor method. Rewritten code refers to the
/// interceptors through this assembly's own metadata, so it gains a reference to this assembly and no other (importing
/// through reflection would add System.Private.CoreLib, as the spike saw).
/// </summary>
public sealed partial class InterceptorAssembly : IDisposable
{
    private readonly ModuleDefinition module;
    private readonly Dictionary<string, (Redirect Redirect, MethodDefinition Interceptor)> byMember;

    private InterceptorAssembly(ModuleDefinition module, Dictionary<string, (Redirect, MethodDefinition)> byMember)
    {
        this.module = module;
        this.byMember = byMember;
    }

    /// <summary>The runtime assembly's simple name.</summary>
    public string Name => module.Assembly.Name.Name;

    /// <summary>The runtime assembly's identity (name, version, culture, public key token).</summary>
    public string Identity => module.Assembly.Name.FullName;

    /// <summary>The runtime module's version id: it changes whenever the runtime is rebuilt with a change.</summary>
    public Guid Mvid => module.Mvid;

    /// <summary>Reads the runtime assembly and resolves every interceptor of the table.</summary>
    /// <exception cref="RewriteException">The file is missing, is not a .NET assembly, or lacks an interceptor of the contract.</exception>
    public static InterceptorAssembly Load(string path)
    {
        var module = ModuleFiles.Read(path, "controlled runtime assembly");
        try
        {
            var byMember = new Dictionary<string, (Redirect, MethodDefinition)>(StringComparer.Ordinal);
            foreach (var redirect in RedirectTable.Redirects)
                byMember.Add(redirect.Member, (redirect, Resolve(module, path, redirect)));
            return new InterceptorAssembly(module, byMember);
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    /// <summary>The redirect and interceptor for a BCL member key, if the table has it.</summary>
    public bool TryFind(string memberKey, out Redirect redirect, out MethodDefinition interceptor)
    {
        if (byMember.TryGetValue(memberKey, out var found))
        {
            (redirect, interceptor) = found;
            return true;
        }
        redirect = null!;
        interceptor = null!;
        return false;
    }

    /// <summary>The interceptor's signature as a key-like text, for messages and reports.</summary>
    public static string Describe(MethodDefinition interceptor) =>
        $"{interceptor.DeclaringType.Name}.{interceptor.Name}{(interceptor.HasGenericParameters ? $"`{interceptor.GenericParameters.Count}" : "")}{Signatures.ParameterList(interceptor)}";

    /// <summary>What the interceptor's parameter list must be for a BCL member: the receiver first, generic parameters moved.</summary>
    internal static (string Type, string Name, int TypeArity, int Arity, string Parameters) ExpectedSignature(Redirect redirect)
    {
        var match = KeyPattern().Match(redirect.Member);
        if (!match.Success) throw new InvalidOperationException($"malformed key in the redirect table: {redirect.Member}");
        var type = match.Groups["type"].Value;
        var backtick = type.LastIndexOf('`');
        var typeArity = backtick < 0 ? 0 : int.Parse(type[(backtick + 1)..], CultureInfo.InvariantCulture);
        var methodArity = match.Groups["arity"].Success ? int.Parse(match.Groups["arity"].Value, CultureInfo.InvariantCulture) : 0;
        var parameters = new List<string>();
        if (redirect.Receiver != Receiver.None)
        {
            var receiver = typeArity == 0 ? type : $"{type}<{string.Join(",", Enumerable.Range(0, typeArity).Select(i => $"!!{i}"))}>";
            parameters.Add(redirect.Receiver == Receiver.ByRef ? receiver + "&" : receiver);
        }
        var own = match.Groups["params"].Value;
        if (own.Length > 0) parameters.Add(Signatures.MoveGenericParameters(own, typeArity));
        return (type, match.Groups["name"].Value, typeArity, typeArity + methodArity, $"({string.Join(",", parameters)})");
    }

    private static MethodDefinition Resolve(ModuleDefinition module, string path, Redirect redirect)
    {
        var (_, _, _, arity, parameters) = ExpectedSignature(redirect);
        var typeName = $"{RedirectTable.InterceptorNamespace}.{redirect.InterceptorType}";
        var type = module.GetType(typeName);
        var wanted = $"{redirect.InterceptorType}.{redirect.InterceptorMethod}{(arity > 0 ? $"`{arity}" : "")}{parameters}";
        if (type is null || !type.IsPublic)
            throw new RewriteException($"{path}: the controlled runtime has no public class {typeName} (needed for {wanted}, the interceptor of {redirect.Member})");
        var found = type.Methods.FirstOrDefault(method =>
            method.IsStatic && method.IsPublic
            && (method.Name == redirect.InterceptorMethod || method.Name == "get_" + redirect.InterceptorMethod)
            && method.GenericParameters.Count == arity
            && Signatures.ParameterList(method) == parameters);
        return found ?? throw new RewriteException($"{path}: the controlled runtime has no public static {wanted}, the interceptor of {redirect.Member}");
    }

    [GeneratedRegex(@"^(?<type>[^:]+)::(?<name>[^`(]+)(`(?<arity>[0-9]+))?\((?<params>.*)\)$")]
    private static partial Regex KeyPattern();

    /// <inheritdoc/>
    public void Dispose() => module.Dispose();
}
