using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Recipes.Configuration.Internal;

/// <summary>Binds a section to a fresh <typeparamref name="TOptions"/> and runs an <see cref="IValidateOptions{TOptions}"/> on it.</summary>
internal sealed class SectionValidator<TOptions>(string section, IValidateOptions<TOptions> validator) : SectionValidator(section)
    where TOptions : class, new()
{
    public override IReadOnlyList<string> Validate(IConfiguration configuration)
    {
        var value = new TOptions();
        try
        {
            (Section.Length == 0 ? configuration : configuration.GetSection(Section)).Bind(value);
        }
        catch (InvalidOperationException exception)
        {
            // The binder's conversion failures (e.g. "abc" for an int) name the key and the type.
            return [exception.Message];
        }

        var result = validator.Validate(Options.DefaultName, value);
        return result.Failed ? result.Failures?.ToList() ?? [result.FailureMessage] : [];
    }
}
