using System.Globalization;

namespace Recipes.ZooKeeper.Internal;

/// <summary>One server of a connection string.</summary>
internal sealed record HostEndpoint(string Host, int Port)
{
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}

/// <summary>A parsed connection string: <c>host[:port][,host[:port]...][/chroot]</c>.</summary>
internal sealed record ConnectionString(IReadOnlyList<HostEndpoint> Hosts, string Chroot)
{
    public const int DefaultPort = 2181;

    public static ConnectionString Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim();
        var chroot = "";
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            chroot = text[slash..];
            text = text[..slash];
            if (chroot == "/")
            {
                chroot = "";
            }
            else
            {
                var problem = PathUtils.Check(chroot, sequential: false);
                if (problem is not null)
                {
                    throw new ArgumentException($"Invalid chroot '{chroot}' in connection string '{value}': {problem}", nameof(value));
                }
            }
        }

        var hosts = new List<HostEndpoint>();
        foreach (var raw in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            hosts.Add(ParseHost(raw, value));
        }

        if (hosts.Count == 0)
        {
            throw new ArgumentException($"The connection string '{value}' names no host (expected host:port[,host:port...][/chroot]).", nameof(value));
        }

        return new ConnectionString(hosts, chroot);
    }

    private static HostEndpoint ParseHost(string raw, string whole)
    {
        string host;
        string? port = null;
        if (raw.StartsWith('['))
        {
            var close = raw.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new ArgumentException($"Unclosed '[' in host '{raw}' of connection string '{whole}'.", nameof(whole));
            }

            host = raw[1..close];
            var rest = raw[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    throw new ArgumentException($"Unexpected '{rest}' after IPv6 address in '{raw}' of connection string '{whole}'.", nameof(whole));
                }

                port = rest[1..];
            }
        }
        else
        {
            var colon = raw.LastIndexOf(':');
            if (colon >= 0 && raw.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                throw new ArgumentException($"IPv6 address '{raw}' in connection string '{whole}' must be written in brackets, e.g. [::1]:2181.", nameof(whole));
            }

            host = colon >= 0 ? raw[..colon] : raw;
            port = colon >= 0 ? raw[(colon + 1)..] : null;
        }

        if (host.Length == 0)
        {
            throw new ArgumentException($"Empty host in '{raw}' of connection string '{whole}'.", nameof(whole));
        }

        var portNumber = DefaultPort;
        if (port is not null && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out portNumber) || portNumber is < 1 or > 65535))
        {
            throw new ArgumentException($"Invalid port '{port}' in '{raw}' of connection string '{whole}'.", nameof(whole));
        }

        return new HostEndpoint(host, portNumber);
    }
}
