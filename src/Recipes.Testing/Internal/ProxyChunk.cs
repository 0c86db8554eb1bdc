namespace Recipes.Testing.Internal;

/// <summary>Bytes read from one side of a proxied connection, with when they arrived (a <c>Stopwatch</c> timestamp).</summary>
internal readonly record struct ProxyChunk(byte[] Data, long ArrivedAt);
