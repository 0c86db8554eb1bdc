namespace Recipes.Testing.Internal;

/// <summary>The ports of one server: client, optional TLS client, and (ensemble only) quorum and leader election.</summary>
internal sealed record NodePorts(int Client, int? Secure = null, int Quorum = 0, int Election = 0);
