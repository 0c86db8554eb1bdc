using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Recipes.Core;
using Recipes.ZooKeeper;

namespace Recipes.Cli.Infrastructure;

/// <summary>Builds the connection options from the global options and the environment.</summary>
internal static class ConnectionFactory
{
    public static readonly TimeSpan DefaultSessionTimeout = TimeSpan.FromSeconds(10);

    public static ZooKeeperConnectionOptions Build(ParseResult parse, ILoggerFactory loggerFactory, CliOutput output)
    {
        var connect = parse.GetValue(GlobalOptions.Connect) ?? Environment.GetEnvironmentVariable(GlobalOptions.ConnectVariable);
        if (string.IsNullOrWhiteSpace(connect))
        {
            throw new CliException(ExitCodes.Usage, $"Where is ZooKeeper? Pass --connect host:port[,host:port...] or set {GlobalOptions.ConnectVariable}.");
        }

        var options = new ZooKeeperConnectionOptions
        {
            ConnectionString = connect.Trim(),
            SessionTimeout = parse.GetValue(GlobalOptions.SessionTimeout) ?? DefaultSessionTimeout,
            LoggerFactory = loggerFactory,
        };
        if (parse.GetValue(GlobalOptions.ConnectTimeout) is { } wait)
        {
            options.ConnectionWaitTimeout = wait;
        }

        if ((parse.GetValue(GlobalOptions.Auth) ?? Environment.GetEnvironmentVariable(GlobalOptions.AuthVariable)) is { Length: > 0 } auth)
        {
            var colon = auth.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                // The value itself is a secret: never echo it.
                throw new CliException(ExitCodes.Usage, $"--auth (or {GlobalOptions.AuthVariable}) must be user:password.");
            }

            options.AuthInfo.Add(ZooKeeperAuthInfo.Digest(auth[..colon], auth[(colon + 1)..]));
        }

        options.Tls = BuildTls(parse, output);
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.Usage, e.Message.Replace("ZooKeeperConnectionOptions.ConnectionString", "--connect", StringComparison.Ordinal), e);
        }

        return options;
    }

    private static ZooKeeperTlsOptions? BuildTls(ParseResult parse, CliOutput output)
    {
        var ca = parse.GetValue(GlobalOptions.TlsCa);
        var cert = parse.GetValue(GlobalOptions.TlsCert);
        var key = parse.GetValue(GlobalOptions.TlsKey);
        var insecure = parse.GetValue(GlobalOptions.TlsInsecure);
        if (!parse.GetValue(GlobalOptions.Tls) && ca is null && cert is null && !insecure)
        {
            if (key is not null)
            {
                throw new CliException(ExitCodes.Usage, "--tls-key needs --tls-cert.");
            }

            return null;
        }

        var tls = new ZooKeeperTlsOptions();
        if (ca is not null)
        {
            tls.TrustedRoots = LoadCertificates(ca);
        }

        if (cert is not null)
        {
            tls.ClientCertificates = [LoadClientCertificate(cert, key)];
        }
        else if (key is not null)
        {
            throw new CliException(ExitCodes.Usage, "--tls-key needs --tls-cert.");
        }

        if (insecure)
        {
            output.Status("warning", "warning: --tls-insecure: the server certificate is NOT validated; anyone on the path can impersonate the server.");
            tls.ServerCertificateValidation = static (_, _, _, _) => true;
        }

        return tls;
    }

    private static X509Certificate2Collection LoadCertificates(FileInfo file)
    {
        RequireFile(file, "--tls-ca");
        var collection = new X509Certificate2Collection();
        try
        {
            if (File.ReadAllText(file.FullName).Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                collection.ImportFromPemFile(file.FullName);
            }
            else
            {
                collection.Add(X509CertificateLoader.LoadCertificateFromFile(file.FullName));
            }
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new CliException(ExitCodes.Usage, $"--tls-ca '{file.FullName}' holds no readable certificate: {e.Message}", e);
        }

        return collection.Count > 0
            ? collection
            : throw new CliException(ExitCodes.Usage, $"--tls-ca '{file.FullName}' holds no certificate.");
    }

    private static X509Certificate2 LoadClientCertificate(FileInfo cert, FileInfo? key)
    {
        RequireFile(cert, "--tls-cert");
        try
        {
            if (key is not null)
            {
                RequireFile(key, "--tls-key");
                return X509Certificate2.CreateFromPemFile(cert.FullName, key.FullName);
            }

            return X509CertificateLoader.LoadPkcs12FromFile(cert.FullName, Environment.GetEnvironmentVariable(GlobalOptions.CertificatePasswordVariable));
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new CliException(ExitCodes.Usage,
                $"Cannot read the client certificate '{cert.FullName}' (a PEM certificate needs --tls-key; a PKCS#12 file's password goes in {GlobalOptions.CertificatePasswordVariable}): {e.Message}", e);
        }
    }

    private static void RequireFile(FileInfo file, string option)
    {
        if (!file.Exists)
        {
            throw new CliException(ExitCodes.Usage, $"{option}: no file '{file.FullName}'.");
        }
    }
}
