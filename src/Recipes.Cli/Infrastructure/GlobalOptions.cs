using System.CommandLine;

namespace Recipes.Cli.Infrastructure;

/// <summary>
/// The options every command accepts (System.CommandLine "recursive" options on the root command): where ZooKeeper
/// is, how to authenticate and secure the connection, and how to print.
/// </summary>
internal static class GlobalOptions
{
    /// <summary>The environment variable holding the connection string when <c>--connect</c> is not given.</summary>
    public const string ConnectVariable = "ZOOKEEPER_CONNECT";

    /// <summary>The environment variable holding digest credentials (<c>user:password</c>) when <c>--auth</c> is not given.</summary>
    public const string AuthVariable = "ZOOKEEPER_AUTH";

    /// <summary>The environment variable holding the password of a PKCS#12 client certificate.</summary>
    public const string CertificatePasswordVariable = "ZOOKEEPER_TLS_CERT_PASSWORD";

    public static readonly Option<string?> Connect = new("--connect", "-s")
    {
        Description = $"ZooKeeper servers, host:port[,host:port...][/chroot]. Default: ${ConnectVariable}.",
        Recursive = true,
    };

    public static readonly Option<TimeSpan?> SessionTimeout = new("--session-timeout")
    {
        Description = "Requested session timeout (the server clamps it), e.g. 10s. Default 10s.",
        Recursive = true,
        CustomParser = Durations.Parse,
    };

    public static readonly Option<TimeSpan?> ConnectTimeout = new("--connect-timeout")
    {
        Description = "How long to wait for the first connection, e.g. 15s. Default 15s.",
        Recursive = true,
        CustomParser = Durations.Parse,
    };

    public static readonly Option<string?> Auth = new("--auth")
    {
        Description = $"Digest credentials user:password (prefer ${AuthVariable}: command lines are visible to other users). Never printed.",
        Recursive = true,
    };

    public static readonly Option<bool> Tls = new("--tls")
    {
        Description = "Connect with TLS (use the servers' secure client port). The server certificate is validated.",
        Recursive = true,
    };

    public static readonly Option<FileInfo?> TlsCa = new("--tls-ca")
    {
        Description = "PEM or DER file of CA certificates to trust for the server certificate (implies --tls).",
        Recursive = true,
    };

    public static readonly Option<FileInfo?> TlsCert = new("--tls-cert")
    {
        Description = $"Client certificate for mutual TLS: a PEM file (with --tls-key) or a PKCS#12 file (password in ${CertificatePasswordVariable}). Implies --tls.",
        Recursive = true,
    };

    public static readonly Option<FileInfo?> TlsKey = new("--tls-key")
    {
        Description = "PEM private key of --tls-cert.",
        Recursive = true,
    };

    public static readonly Option<bool> TlsInsecure = new("--tls-insecure")
    {
        Description = "Do NOT validate the server certificate (development only; prints a warning).",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Machine-readable output: JSON on stdout (results) and JSON lines on stderr (events).",
        Recursive = true,
    };

    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Log what the client does (to stderr), including session ids.",
        Recursive = true,
    };

    public static void AddTo(Command root)
    {
        foreach (var option in new Option[] { Connect, SessionTimeout, ConnectTimeout, Auth, Tls, TlsCa, TlsCert, TlsKey, TlsInsecure, Json, Verbose })
        {
            root.Options.Add(option);
        }
    }
}
