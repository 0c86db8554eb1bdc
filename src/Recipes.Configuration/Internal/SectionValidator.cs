using Microsoft.Extensions.Configuration;

namespace Recipes.Configuration.Internal;

/// <summary>A validation registered for one configuration section: binds the section and lists what is wrong.</summary>
internal abstract class SectionValidator(string section)
{
    /// <summary>The section's key (prefix included), "" for the whole configuration.</summary>
    public string Section { get; } = section;

    /// <summary>The failures of the section as <paramref name="configuration"/> holds it; empty when valid.</summary>
    public abstract IReadOnlyList<string> Validate(IConfiguration configuration);
}
