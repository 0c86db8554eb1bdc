using System.Globalization;
using System.Text;

namespace Recipes.Discovery;

/// <summary>
/// A URI template as Curator's <c>UriSpec</c>: text with <c>{variables}</c>, e.g. <c>{scheme}://{address}:{port}/api</c>,
/// stored in the instance JSON as its parts (<c>{"parts":[{"value":"scheme","variable":true},...]}</c>).
/// </summary>
/// <remarks>
/// Variables <see cref="Build"/> knows: <c>scheme</c> (<c>https</c> when the instance has an SSL port, else
/// <c>http</c>), <c>name</c>, <c>id</c>, <c>address</c>, <c>port</c>, <c>ssl-port</c>, <c>registration-time-utc</c>
/// (epoch milliseconds), <c>service-type</c> (lower case), <c>[</c> (a literal <c>{</c>) and <c>]</c> (a literal
/// <c>}</c>). Caller-supplied variables override them; unknown variables expand to nothing.
/// </remarks>
public sealed class UriSpec
{
    /// <summary>Parses a template: <c>{</c> starts a variable, <c>}</c> ends it (names are trimmed), the rest is literal.</summary>
    /// <param name="template">The template, e.g. <c>{scheme}://{address}:{port}</c>.</param>
    public UriSpec(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var parts = new List<UriSpecPart>();
        var current = new StringBuilder();
        var inVariable = false;
        foreach (var c in template)
        {
            if (c == '{' && !inVariable)
            {
                Flush(parts, current, variable: false);
                inVariable = true;
            }
            else if (c == '}' && inVariable)
            {
                Flush(parts, current, variable: true);
                inVariable = false;
            }
            else
            {
                current.Append(c);
            }
        }

        Flush(parts, current, inVariable);
        Parts = parts;
    }

    /// <summary>Creates a spec from its parts (as read from JSON).</summary>
    /// <param name="parts">The parts, in order.</param>
    public UriSpec(IEnumerable<UriSpecPart> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        Parts = parts.ToList();
        if (Parts.Any(p => p is null || p.Value is null))
        {
            throw new ArgumentException("A UriSpec part and its value must not be null.", nameof(parts));
        }
    }

    /// <summary>The parts, in order.</summary>
    public IReadOnlyList<UriSpecPart> Parts { get; }

    /// <summary>Expands the template for <paramref name="instance"/>.</summary>
    /// <param name="instance">The instance whose fields fill the standard variables.</param>
    /// <param name="variables">Extra variables, overriding the standard ones.</param>
    /// <returns>The expanded text, e.g. <c>http://10.0.0.5:8080/api</c>.</returns>
    public string Build(ServiceInstance instance, IReadOnlyDictionary<string, object?>? variables = null)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var builder = new StringBuilder();
        foreach (var part in Parts)
        {
            if (!part.Variable)
            {
                builder.Append(part.Value);
                continue;
            }

            object? value = null;
            if (variables is not null && variables.TryGetValue(part.Value, out var supplied))
            {
                value = supplied;
            }
            else
            {
                value = part.Value switch
                {
                    "scheme" => instance.SslPort is null ? "http" : "https",
                    "name" => instance.Name,
                    "id" => instance.Id,
                    "address" => instance.Address,
                    "port" => instance.Port,
                    "ssl-port" => instance.SslPort,
                    "registration-time-utc" => instance.RegistrationTimeUtc.ToUnixTimeMilliseconds(),
                    "service-type" => ServiceInstanceSerializer.TypeName(instance.ServiceType).ToLowerInvariant(),
                    "[" => "{",
                    "]" => "}",
                    _ => null,
                };
            }

            builder.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    /// <summary>The template text (variables in braces).</summary>
    public override string ToString() =>
        string.Concat(Parts.Select(p => p.Variable ? "{" + p.Value + "}" : p.Value));

    private static void Flush(List<UriSpecPart> parts, StringBuilder current, bool variable)
    {
        if (current.Length > 0)
        {
            parts.Add(new UriSpecPart(variable ? current.ToString().Trim() : current.ToString(), variable));
        }

        current.Clear();
    }
}
