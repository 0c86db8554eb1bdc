using System.Net;
using System.Net.Sockets;

namespace Recipes.Testing.Internal;

/// <summary>Picks ports that are free right now on 127.0.0.1 (the OS chooses them; they are released at once).</summary>
internal static class FreePorts
{
    public static int[] Allocate(int count)
    {
        // All listeners are open at the same time, so the ports are distinct.
        var listeners = new List<TcpListener>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }

            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }

    /// <summary>
    /// Throws when <paramref name="port"/> cannot be bound on 127.0.0.1 right now. A server started on a taken port
    /// would fail, but its readiness probe would be answered by whoever holds the port, so fixed ports are checked first.
    /// </summary>
    public static void EnsureFree(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
        }
        catch (SocketException e)
        {
            throw new InvalidOperationException($"Port {port} on 127.0.0.1 is in use.", e);
        }
        finally
        {
            listener.Stop();
        }
    }
}
