using System.CommandLine;
using System.Text.Json.Nodes;
using Recipes.Cli.Infrastructure;
using Recipes.Testing;

namespace Recipes.Cli.Commands;

/// <summary>
/// <c>recipes server start</c>: a local Apache ZooKeeper (standalone or an ensemble) for development, run by the test
/// kit's launcher until Ctrl-C; its data directory is deleted on exit unless <c>--data-dir</c> is given.
/// </summary>
internal static class ServerCommand
{
    public static Command Create(CliHost host)
    {
        var ensemble = new Option<int>("--ensemble") { Description = "Run an ensemble of this many servers (at least 2; 3 is typical). Default: one standalone server.", DefaultValueFactory = _ => 1 };
        var port = new Option<int?>("--port") { Description = "Client port (of server 1; server i uses port + i - 1). Default: a free port." };
        var tls = new Option<bool>("--tls") { Description = "Also open a TLS client port whose certificate a fresh test CA issued (standalone only); the CA's PEM file (for --tls-ca) is printed." };
        var dataDir = new Option<DirectoryInfo?>("--data-dir") { Description = "Keep configuration, data and server.log here (kept on exit). Default: a temporary directory, deleted on exit." };
        var start = new Command("start", "Start a local ZooKeeper on 127.0.0.1 and run it until Ctrl-C (needs Java and Debian's zookeeper package).")
        {
            ensemble, port, tls, dataDir,
        };
        host.SetAction(start, async context =>
        {
            var nodes = context.Parse.GetValue(ensemble);
            var useTls = context.Parse.GetValue(tls);
            if (nodes < 1 || (nodes > 1 && useTls))
            {
                throw new CliException(ExitCodes.Usage, nodes < 1 ? "--ensemble must be at least 1." : "--tls works with a standalone server only.");
            }

            var options = new ZooKeeperTestServerOptions
            {
                ClientPort = context.Parse.GetValue(port),
                EnableTls = useTls,
                DataDirectory = context.Parse.GetValue(dataDir)?.FullName,
                TickTime = TimeSpan.FromSeconds(2), // ZooKeeper's own default: sessions of 4 s to 40 s
                StartTimeout = TimeSpan.FromSeconds(120),
            };
            context.Output.Status("starting", nodes == 1 ? "Starting ZooKeeper..." : $"Starting a {nodes}-server ZooKeeper ensemble...");
            if (nodes == 1)
            {
                await using var server = await context.WithProgress(ZooKeeperTestServer.StartAsync(options, context.Cancellation), "starting ZooKeeper");
                string? certificate = null;
                if (useTls)
                {
                    certificate = Path.Combine(server.DataDirectory, "ca-certificate.pem");
                    await File.WriteAllTextAsync(certificate, server.TlsCertificateAuthority.ExportCertificatePem(), context.Cancellation);
                }

                Report(context.Output, server.ConnectionString, server.DataDirectory, useTls ? server.SecureConnectionString : null, certificate);
                await Task.Delay(Timeout.Infinite, context.Cancellation);
            }
            else
            {
                await using var servers = await context.WithProgress(ZooKeeperTestEnsemble.StartAsync(nodes, options, context.Cancellation), "starting the ensemble");
                Report(context.Output, servers.ConnectionString, servers.DataDirectory, null, null);
                await Task.Delay(Timeout.Infinite, context.Cancellation);
            }

            return ExitCodes.Ok;
        });
        return new Command("server", "Run a local ZooKeeper for development.") { start };
    }

    private static void Report(CliOutput output, string connect, string directory, string? secure, string? certificate)
    {
        output.Line($"ZooKeeper is serving at {connect}");
        if (secure is not null)
        {
            output.Line($"TLS: --connect {secure} --tls-ca {certificate}");
        }

        output.Line($"Data and server.log: {directory}");
        output.Line($"Try: export {GlobalOptions.ConnectVariable}={connect}; recipes tree /");
        output.Line("Ctrl-C stops it.");
        output.Document(new JsonObject
        {
            ["connect"] = connect,
            ["secureConnect"] = secure,
            ["tlsCertificate"] = certificate,
            ["dataDirectory"] = directory,
        });
    }
}
