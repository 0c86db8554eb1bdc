using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Recipes.Locks.Internal;

/// <summary>
/// Curator's default node data: the local host's IP address as text (IPv4 preferred), so an operator listing a lock
/// path sees which machine holds it. Looked up once per process.
/// </summary>
internal static class LockNodeData
{
    private static readonly Lazy<Task<byte[]>> LocalAddress = new(LookUpAsync);

    /// <summary>The caller's data, or the local address.</summary>
    public static Task<byte[]> ResolveAsync(byte[]? callerData) =>
        callerData is not null ? Task.FromResult(callerData) : LocalAddress.Value;

    private static async Task<byte[]> LookUpAsync()
    {
        var address = IPAddress.Loopback;
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(Dns.GetHostName()).ConfigureAwait(false);
            address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
                ?? addresses.FirstOrDefault()
                ?? IPAddress.Loopback;
        }
        catch (SocketException)
        {
            // No resolvable host name: fall back to the loopback address, as Java does.
        }

        return Encoding.UTF8.GetBytes(address.ToString());
    }
}
