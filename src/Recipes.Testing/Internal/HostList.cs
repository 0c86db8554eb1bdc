using System.Globalization;

namespace Recipes.Testing.Internal;

/// <summary>Parses a ZooKeeper connection string (<c>host:port[,host:port...][/chroot]</c>) into hosts, ignoring the chroot.</summary>
internal static class HostList
{
    private const int DefaultPort = 2181;

    public static IReadOnlyList<(string Host, int Port)> Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var slash = connectionString.IndexOf('/', StringComparison.Ordinal);
        var hostsPart = slash >= 0 ? connectionString[..slash] : connectionString;
        var result = new List<(string, int)>();
        foreach (var raw in hostsPart.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            result.Add(ParseOne(raw, connectionString));
        }

        if (result.Count == 0)
        {
            throw new ArgumentException($"The connection string '{connectionString}' names no host.", nameof(connectionString));
        }

        return result;
    }

    private static (string Host, int Port) ParseOne(string entry, string connectionString)
    {
        string host;
        string? port = null;
        if (entry.StartsWith('['))
        {
            var close = entry.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new ArgumentException($"Bad IPv6 host '{entry}' in '{connectionString}'.", nameof(connectionString));
            }

            host = entry[1..close];
            if (close + 1 < entry.Length)
            {
                if (entry[close + 1] != ':')
                {
                    throw new ArgumentException($"Bad host '{entry}' in '{connectionString}'.", nameof(connectionString));
                }

                port = entry[(close + 2)..];
            }
        }
        else
        {
            var colon = entry.LastIndexOf(':');
            host = colon >= 0 ? entry[..colon] : entry;
            port = colon >= 0 ? entry[(colon + 1)..] : null;
        }

        var portNumber = DefaultPort;
        if (port is not null && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out portNumber) || portNumber is < 1 or > 65535))
        {
            throw new ArgumentException($"Bad port in '{entry}' of '{connectionString}'.", nameof(connectionString));
        }

        if (host.Length == 0)
        {
            throw new ArgumentException($"Empty host in '{connectionString}'.", nameof(connectionString));
        }

        return (host, portNumber);
    }
}
