using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Recipes.Cli.Tests;

/// <summary>The CLI is an application: it exports nothing, and its classes are sealed or static (read from its metadata).</summary>
public sealed class ConventionTests
{
    [Fact]
    public void The_cli_exports_no_types_and_its_classes_are_sealed_or_static()
    {
        using var pe = new PEReader(File.OpenRead(CliProcess.CliPath));
        var metadata = pe.GetMetadataReader();
        var exported = new List<string>();
        var open = new List<string>();
        foreach (var handle in metadata.TypeDefinitions)
        {
            var type = metadata.GetTypeDefinition(handle);
            var name = metadata.GetString(type.Name);
            if (name.Contains('<', StringComparison.Ordinal) || name == "Program")
            {
                continue; // compiler-generated
            }

            var visibility = type.Attributes & TypeAttributes.VisibilityMask;
            if (visibility is TypeAttributes.Public or TypeAttributes.NestedPublic)
            {
                exported.Add(name);
            }

            var isClass = (type.Attributes & TypeAttributes.Interface) == 0 && !type.BaseType.IsNil;
            if (isClass && (type.Attributes & (TypeAttributes.Sealed | TypeAttributes.Abstract)) == 0)
            {
                open.Add(name);
            }
        }

        Assert.Empty(exported);
        Assert.Empty(open);
    }
}
