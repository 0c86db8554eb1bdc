using Recipes.ZooKeeper;

namespace Recipes.Discovery.Internal;

/// <summary>Checks that service names, instance ids and member ids can be one znode name.</summary>
internal static class NodeNames
{
    public static void Validate(string? value, string what, string parameterName)
    {
        if (string.IsNullOrEmpty(value) || value.Contains('/', StringComparison.Ordinal) || value is "." or ".." || !PathUtils.IsValid("/" + value))
        {
            throw new ArgumentException($"The {what} '{value}' is not a valid znode name (non-empty, no '/', not '.' or '..').", parameterName);
        }
    }

    public static string Combine(string parent, string child) => parent == "/" ? "/" + child : parent + "/" + child;
}
