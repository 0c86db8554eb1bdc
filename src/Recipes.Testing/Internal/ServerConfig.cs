using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Recipes.Testing.Internal;

/// <summary>Builds <c>zoo.cfg</c> and the JVM command line from the options.</summary>
internal static class ServerConfig
{
    public const string MainClass = "org.apache.zookeeper.server.quorum.QuorumPeerMain";

    /// <summary>The text of <c>zoo.cfg</c>; <paramref name="ensemble"/> is null for a standalone server.</summary>
    public static string Build(
        ZooKeeperTestServerOptions options,
        string dataDirectory,
        NodePorts ports,
        TlsMaterial? tls,
        IReadOnlyList<NodePorts>? ensemble)
    {
        var lines = new List<KeyValuePair<string, string>>();
        void Add(string key, object value) => lines.Add(new(key, Convert.ToString(value, CultureInfo.InvariantCulture)!));

        Add("tickTime", Milliseconds(options.TickTime));
        Add("initLimit", 10);
        Add("syncLimit", 5);
        Add("dataDir", dataDirectory);
        Add("clientPort", ports.Client);
        Add("clientPortAddress", "127.0.0.1");
        Add("maxClientCnxns", options.MaxClientConnections);
        Add("4lw.commands.whitelist", "*");
        Add("admin.enableServer", "false");
        Add("forceSync", options.ForceSync ? "yes" : "no");
        Add("extendedTypesEnabled", options.ExtendedTypesEnabled ? "true" : "false");
        Add("autopurge.purgeInterval", 0);
        if (options.MinSessionTimeout is { } min)
        {
            Add("minSessionTimeout", Milliseconds(min));
        }

        if (options.MaxSessionTimeout is { } max)
        {
            Add("maxSessionTimeout", Milliseconds(max));
        }

        if (tls is not null && ports.Secure is { } secure)
        {
            Add("secureClientPort", secure);
            Add("secureClientPortAddress", "127.0.0.1");
            Add("serverCnxnFactory", "org.apache.zookeeper.server.NettyServerCnxnFactory");
            Add("ssl.keyStore.location", tls.KeyStorePath);
            Add("ssl.keyStore.password", tls.KeyStorePassword);
            Add("ssl.keyStore.type", "PKCS12");
            Add("ssl.clientAuth", "none");
        }

        if (ensemble is not null)
        {
            for (var i = 0; i < ensemble.Count; i++)
            {
                Add($"server.{i + 1}", $"127.0.0.1:{ensemble[i].Quorum}:{ensemble[i].Election}");
            }
        }

        foreach (var pair in options.ExtraConfig)
        {
            Add(pair.Key, pair.Value);
        }

        var text = new StringBuilder();
        text.AppendLine("# Written by Recipes.Testing; later lines override earlier ones.");
        foreach (var (key, value) in lines)
        {
            text.Append(key).Append('=').Append(EscapeValue(value)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The arguments after <c>java</c>: JVM flags, system properties, class path, main class and config file.</summary>
    public static List<string> JvmArguments(ZooKeeperTestServerOptions options, JavaInstallation java, string configPath)
    {
        var arguments = new List<string>
        {
            $"-Xmx{options.MaxHeapMegabytes.ToString(CultureInfo.InvariantCulture)}m",
            "-Xms16m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-XX:-UsePerfData",
            "-Djava.net.preferIPv4Stack=true",
            "-Dorg.slf4j.simpleLogger.showDateTime=true",
            "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
            $"-Dznode.container.checkIntervalMs={Milliseconds(options.ContainerCheckInterval)}",
            // Transaction logs are preallocated in 64 MB steps by default; 1 MB is plenty for tests.
            "-Dzookeeper.preAllocSize=1024",
        };

        if (options.SuperDigest is { } superDigest)
        {
            arguments.Add($"-Dzookeeper.DigestAuthenticationProvider.superDigest={HashDigest(superDigest)}");
        }

        foreach (var pair in options.SystemProperties)
        {
            arguments.Add($"-D{pair.Key}={pair.Value}");
        }

        arguments.Add("-cp");
        arguments.Add(string.Join(Path.PathSeparator, java.ClassPath));
        arguments.Add(MainClass);
        arguments.Add(configPath);
        return arguments;
    }

    /// <summary><c>user:password</c> to ZooKeeper's digest form <c>user:base64(sha1("user:password"))</c>.</summary>
    internal static string HashDigest(string userAndPassword)
    {
        var user = userAndPassword[..userAndPassword.IndexOf(':', StringComparison.Ordinal)];
#pragma warning disable CA5350 // SHA-1 is what ZooKeeper's digest scheme is defined with.
        var hash = SHA1.HashData(Encoding.UTF8.GetBytes(userAndPassword));
#pragma warning restore CA5350
        return user + ":" + Convert.ToBase64String(hash);
    }

    private static long Milliseconds(TimeSpan value) => (long)value.TotalMilliseconds;

    // java.util.Properties treats a backslash as an escape; nothing else we write needs escaping in a value.
    private static string EscapeValue(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal);
}
