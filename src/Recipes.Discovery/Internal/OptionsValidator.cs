using Microsoft.Extensions.Options;

namespace Recipes.Discovery.Internal;

/// <summary>Runs an options class's own <c>Validate()</c> for <c>ValidateOnStart</c>, turning its ArgumentException into a failure.</summary>
internal sealed class OptionsValidator<T>(Action<T> validate) : IValidateOptions<T>
    where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        try
        {
            validate(options);
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
