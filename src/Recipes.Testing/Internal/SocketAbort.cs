using System.Net.Sockets;

namespace Recipes.Testing.Internal;

/// <summary>Closing a socket with a TCP reset (RST) instead of a FIN.</summary>
internal static class SocketAbort
{
    public static void Reset(Socket? socket)
    {
        if (socket is null)
        {
            return;
        }

        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
            // Not connected any more; disposing is all that is left.
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        socket.Dispose();
    }
}
