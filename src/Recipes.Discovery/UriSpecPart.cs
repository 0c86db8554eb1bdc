namespace Recipes.Discovery;

/// <summary>One part of a <see cref="UriSpec"/>: literal text, or the name of a variable to substitute.</summary>
/// <param name="Value">The literal text or the variable's name.</param>
/// <param name="Variable">Whether <paramref name="Value"/> names a variable.</param>
public sealed record UriSpecPart(string Value, bool Variable);
