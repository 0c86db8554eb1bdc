using Xunit;

namespace Recipes.Testing.Interop;

/// <summary>
/// A fact that needs a <see cref="CuratorPeer"/>: it runs when Java and the Curator jars are installed and is
/// skipped otherwise, with <see cref="CuratorPeer.IsAvailable"/>'s reason (what is missing and how to install it).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class CuratorInteropFactAttribute : FactAttribute
{
    /// <summary>Creates the attribute, setting <see cref="FactAttribute.Skip"/> when the peer cannot run here.</summary>
    public CuratorInteropFactAttribute()
    {
        if (!CuratorPeer.IsAvailable(out var reason))
        {
            Skip = reason;
        }
    }
}
