using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Recipes.Bench;

/// <summary>The server's "srvr" four-letter word: packets received and the last zxid, as the peers read them.</summary>
internal static class ServerCounters
{
    internal readonly record struct Snapshot(long Received, long Zxid)
    {
        public bool IsValid => Received >= 0 && Zxid >= 0;
    }

    /// <summary>Reads the counters of the first server of <paramref name="connect"/>; (-1, -1) when that fails.</summary>
    public static async Task<Snapshot> ReadAsync(string connect)
    {
        try
        {
            var hostPort = connect.Split(',')[0];
            var slash = hostPort.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                hostPort = hostPort[..slash];
            }

            var colon = hostPort.LastIndexOf(':');
            var host = hostPort[..colon].Trim('[', ']');
            var port = int.Parse(hostPort[(colon + 1)..], CultureInfo.InvariantCulture);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("srvr"u8.ToArray(), timeout.Token);
            using var memory = new MemoryStream();
            await stream.CopyToAsync(memory, timeout.Token);
            long received = -1, zxid = -1;
            foreach (var line in Encoding.ASCII.GetString(memory.ToArray()).Split('\n'))
            {
                if (line.StartsWith("Received: ", StringComparison.Ordinal))
                {
                    received = long.Parse(line[10..].Trim(), CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("Zxid: ", StringComparison.Ordinal))
                {
                    var text = line[6..].Trim();
                    zxid = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                        ? long.Parse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
                        : long.Parse(text, CultureInfo.InvariantCulture);
                }
            }

            return new Snapshot(received, zxid);
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or FormatException or ArgumentException)
        {
            return new Snapshot(-1, -1);
        }
    }
}
