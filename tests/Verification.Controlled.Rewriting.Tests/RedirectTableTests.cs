using System.Reflection;

namespace Verification.Controlled.Rewriting.Tests;

/// <summary>The redirect table against the framework it rewrites calls to and against the contract's interceptors.</summary>
public class RedirectTableTests
{
    [Fact]
    public void EveryRedirectNamesARealMemberOfTheRunningFramework()
    {
        var missing = RedirectTable.Redirects.Where(redirect => FindBclMember(redirect.Member) is null).Select(redirect => redirect.Member).ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void EveryRedirectedInstanceMemberIsNonVirtual_SoCallvirtBecomingACallSkipsNoOverride()
    {
        var instanceMembers = RedirectTable.Redirects.Where(redirect => redirect.Receiver != Receiver.None).ToList();
        Assert.NotEmpty(instanceMembers);
        foreach (var redirect in instanceMembers)
        {
            var member = FindBclMember(redirect.Member)!;
            Assert.False(member.IsStatic, redirect.Member);
            Assert.False(member.IsVirtual, redirect.Member);
            Assert.Equal(redirect.Receiver == Receiver.ByRef, member.DeclaringType!.IsValueType);
        }
    }

    [Fact]
    public void EveryInterceptorOfTheContractIsTheTargetOfExactlyOneRedirect()
    {
        using var runtime = InterceptorAssembly.Load(Assets.Double);
        var targets = RedirectTable.Redirects.Select(redirect =>
        {
            Assert.True(runtime.TryFind(redirect.Member, out _, out var interceptor));
            return Signatures.KeyOf(interceptor);
        }).ToList();
        Assert.Equal(targets.Count, targets.Distinct().Count());

        using var contract = Assets.ReadModule(Assets.Double);
        var interceptors = contract.Types
            .Where(type => type.Namespace == RedirectTable.InterceptorNamespace && type.Name.StartsWith("Controlled", StringComparison.Ordinal))
            .SelectMany(type => type.Methods.Where(method => method.IsPublic && method.IsStatic))
            .Select(Signatures.KeyOf)
            .ToList();
        Assert.Equal(64, interceptors.Count); // the contract's members, counted in the issue's list
        Assert.Equal(interceptors.Order(), targets.Order());
    }

    [Fact]
    public void ARuntimeWithoutAnInterceptorOfTheContractIsRefusedByName()
    {
        var error = Assert.Throws<RewriteException>(() => InterceptorAssembly.Load(Assets.Samples(Assets.Optimized)));
        Assert.Contains("has no public class Verification.Controlled.ControlledTask", error.Message);
        Assert.Contains("AsyncSamples.dll", error.Message);
    }

    [Fact]
    public void TheTableHashIsStableAndSixteenHexDigits()
    {
        Assert.Matches("^[0-9A-F]{16}$", RedirectTable.TableHash);
        Assert.Equal(RedirectTable.TableHash, RedirectTable.TableHash);
    }

    /// <summary>The BCL method with the key, found by reflection (an implementation of the key independent of Cecil's).</summary>
    private static MethodInfo? FindBclMember(string key)
    {
        var typeName = key[..key.IndexOf("::", StringComparison.Ordinal)];
        var type = typeof(Task).Assembly.GetType(typeName);
        return type?.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .FirstOrDefault(method => ReflectionKey(method) == key);
    }

    private static string ReflectionKey(MethodInfo method)
    {
        var arity = method.IsGenericMethodDefinition ? method.GetGenericArguments().Length : 0;
        return $"{method.DeclaringType!.FullName}::{method.Name}{(arity > 0 ? $"`{arity}" : "")}({string.Join(",", method.GetParameters().Select(parameter => Text(parameter.ParameterType)))})";
    }

    private static string Text(Type type) =>
        type.IsGenericMethodParameter ? $"!!{type.GenericParameterPosition}"
        : type.IsGenericTypeParameter ? $"!{type.GenericParameterPosition}"
        : type.IsByRef ? Text(type.GetElementType()!) + "&"
        : type.IsArray ? Text(type.GetElementType()!) + "[]"
        : type.IsGenericType ? $"{type.GetGenericTypeDefinition().FullName}<{string.Join(",", type.GetGenericArguments().Select(Text))}>"
        : type.FullName!;
}
