namespace Recipes.Testing.Internal;

/// <summary>The server's answer to a ConnectRequest. <see cref="Timeout"/> 0 means the session is expired or unknown.</summary>
internal sealed record ConnectResponse(int ProtocolVersion, int Timeout, long SessionId, byte[] Password, bool ReadOnly)
{
    public bool IsExpired => Timeout == 0;
}
