using System.Net.Sockets;
using System.Text;

namespace Recipes.Testing;

/// <summary>
/// ZooKeeper's four-letter words (<c>ruok</c>, <c>srvr</c>, <c>mntr</c>, <c>cons</c>, <c>dump</c>...): open a TCP
/// connection, send the four ASCII letters, read the answer until the server closes the connection. Test servers
/// started by this kit enable every word; other servers may allow only <c>srvr</c>.
/// </summary>
public static class FourLetterWords
{
    /// <summary>Sends <paramref name="word"/> to <paramref name="host"/>:<paramref name="port"/> and returns the whole answer.</summary>
    /// <param name="host">The server's host name or address.</param>
    /// <param name="port">The server's plaintext client port (four-letter words are not served over TLS).</param>
    /// <param name="word">Exactly four ASCII letters, for example <c>ruok</c>.</param>
    /// <param name="cancellationToken">Cancels the exchange; there is no other timeout (a silent server waits forever).</param>
    public static async Task<string> SendAsync(string host, int port, string word, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentNullException.ThrowIfNull(word);
        if (word.Length != 4 || !word.All(char.IsAsciiLetterLower))
        {
            throw new ArgumentException("A four-letter word is exactly four lower-case ASCII letters.", nameof(word));
        }

        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(host, port, cancellationToken);
        await socket.SendAsync(Encoding.ASCII.GetBytes(word), SocketFlags.None, cancellationToken);
        using var answer = new MemoryStream();
        var buffer = new byte[8192];
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                break;
            }

            answer.Write(buffer, 0, read);
        }

        return Encoding.UTF8.GetString(answer.GetBuffer(), 0, (int)answer.Length);
    }

    /// <summary>Sends <c>mntr</c> and parses the answer with <see cref="ParseMonitorStats"/>.</summary>
    /// <param name="host">The server's host name or address.</param>
    /// <param name="port">The server's plaintext client port.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    public static async Task<IReadOnlyDictionary<string, string>> GetMonitorStatsAsync(string host, int port, CancellationToken cancellationToken = default)
        => ParseMonitorStats(await SendAsync(host, port, "mntr", cancellationToken));

    /// <summary>
    /// Parses <c>mntr</c> output (<c>key&lt;TAB&gt;value</c> lines, e.g. <c>zk_watch_count</c>,
    /// <c>zk_ephemerals_count</c>, <c>zk_server_state</c>) into a dictionary. Lines without a tab are skipped.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ParseMonitorStats(string mntrOutput)
    {
        ArgumentNullException.ThrowIfNull(mntrOutput);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var rawLine in mntrOutput.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab > 0)
            {
                result[line[..tab].Trim()] = line[(tab + 1)..].Trim();
            }
        }

        return result;
    }

    /// <summary>The value of the <c>Mode:</c> line of <c>srvr</c> or <c>stat</c> output (<c>standalone</c>, <c>leader</c>, <c>follower</c>...), or null.</summary>
    public static string? ParseMode(string srvrOutput)
    {
        ArgumentNullException.ThrowIfNull(srvrOutput);
        foreach (var rawLine in srvrOutput.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.StartsWith("Mode:", StringComparison.Ordinal))
            {
                return line["Mode:".Length..].Trim();
            }
        }

        return null;
    }

    /// <summary>
    /// Parses <c>wchp</c> output (each watched path, followed by the ids of the sessions watching it as <c>0x…</c>
    /// lines) into path → session ids.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlySet<long>> ParseWatchesByPath(string wchpOutput)
    {
        ArgumentNullException.ThrowIfNull(wchpOutput);
        var result = new Dictionary<string, IReadOnlySet<long>>(StringComparer.Ordinal);
        HashSet<long>? current = null;
        foreach (var raw in wchpOutput.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('/'))
            {
                current = [];
                result[line] = current;
            }
            else if (current is not null && line.StartsWith("0x", StringComparison.Ordinal))
            {
                current.Add(Convert.ToInt64(line[2..], 16));
            }
        }

        return result;
    }
}
