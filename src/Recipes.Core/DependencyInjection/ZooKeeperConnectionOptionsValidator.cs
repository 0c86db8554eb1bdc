using Microsoft.Extensions.Options;

namespace Recipes.Core;

/// <summary>Runs <see cref="ZooKeeperConnectionOptions.Validate"/> for the options system (so <c>ValidateOnStart</c> reports it).</summary>
internal sealed class ZooKeeperConnectionOptionsValidator : IValidateOptions<ZooKeeperConnectionOptions>
{
    public ValidateOptionsResult Validate(string? name, ZooKeeperConnectionOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException exception)
        {
            return ValidateOptionsResult.Fail(exception.Message);
        }
    }
}
