using System.ComponentModel.DataAnnotations;

namespace Recipes.Configuration.Tests;

/// <summary>The options type the tests bind from the "Service" section.</summary>
public sealed class ServiceSettings
{
    public string Mode { get; set; } = "default";

    [Range(1, 100)]
    public int Limit { get; set; } = 10;

    public List<string> Hosts { get; set; } = [];

    public Dictionary<string, string> Labels { get; set; } = [];
}
