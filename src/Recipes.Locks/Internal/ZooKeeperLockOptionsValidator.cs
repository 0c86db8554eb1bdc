using Microsoft.Extensions.Options;

namespace Recipes.Locks.Internal;

/// <summary>Validates <see cref="ZooKeeperLockOptions"/> for <c>ValidateOnStart</c>.</summary>
internal sealed class ZooKeeperLockOptionsValidator : IValidateOptions<ZooKeeperLockOptions>
{
    public ValidateOptionsResult Validate(string? name, ZooKeeperLockOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
