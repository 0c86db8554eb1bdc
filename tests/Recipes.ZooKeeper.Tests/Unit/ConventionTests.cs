using System.Reflection;

namespace Recipes.ZooKeeper.Tests.Unit;

/// <summary>Conventions of every shipped library, checked by reflection: sealed public classes, namespaces, no Console.</summary>
public sealed class ConventionTests
{
    public static TheoryData<string> Libraries() => new()
    {
        "Recipes.ZooKeeper",
        "Recipes.Testing",
        "Recipes.Discovery",
    };

    [Theory]
    [MemberData(nameof(Libraries))]
    public void Public_classes_are_sealed_or_abstract_or_static(string assemblyName)
    {
        var offenders = Assembly.Load(assemblyName).GetExportedTypes()
            .Where(t => t.IsClass && !t.IsSealed && !t.IsAbstract && !typeof(Exception).IsAssignableFrom(t))
            .Select(t => t.FullName)
            .ToList();
        Assert.Empty(offenders);
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void Public_types_live_in_the_assemblys_namespace(string assemblyName)
    {
        var offenders = Assembly.Load(assemblyName).GetExportedTypes()
            .Where(t => t.Namespace is null || !(t.Namespace == assemblyName || t.Namespace.StartsWith(assemblyName + ".", StringComparison.Ordinal)
                || t.Namespace == "Microsoft.Extensions.DependencyInjection"))
            .Select(t => t.FullName)
            .ToList();
        Assert.Empty(offenders);
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void Library_code_does_not_reference_Console(string assemblyName)
    {
        var assembly = Assembly.Load(assemblyName);
        var usesConsole = assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Where(m => m.GetMethodBody() is not null)
            .Where(m => ReferencesConsole(m))
            .Select(m => $"{m.DeclaringType?.FullName}.{m.Name}")
            .ToList();
        Assert.Empty(usesConsole);
    }

    [Fact]
    public void The_console_scan_finds_a_console_call()
    {
        var probe = typeof(ConventionTests).GetMethod(nameof(WritesToConsole), BindingFlags.Static | BindingFlags.NonPublic)!;
        Assert.True(ReferencesConsole(probe));
        Assert.False(ReferencesConsole(typeof(ConventionTests).GetMethod(nameof(Libraries))!));
    }

    private static void WritesToConsole() => Console.Out.Flush();

    private static bool ReferencesConsole(MethodInfo method)
    {
        // A cheap IL scan: any call whose token resolves to a System.Console member.
        var il = method.GetMethodBody()!.GetILAsByteArray() ?? [];
        for (var i = 0; i + 4 < il.Length; i++)
        {
            if (il[i] is not (0x28 or 0x6F))
            {
                continue;
            }

            try
            {
                var target = method.Module.ResolveMethod(BitConverter.ToInt32(il, i + 1), method.DeclaringType?.GetGenericArguments(), method.IsGenericMethod ? method.GetGenericArguments() : null);
                if (target?.DeclaringType == typeof(Console))
                {
                    return true;
                }
            }
            catch (Exception e) when (e is ArgumentException or BadImageFormatException)
            {
            }
        }

        return false;
    }
}
