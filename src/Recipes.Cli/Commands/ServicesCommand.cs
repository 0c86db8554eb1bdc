using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Recipes.Cli.Infrastructure;
using Recipes.Discovery;

namespace Recipes.Cli.Commands;

/// <summary>
/// <c>recipes services list|show|register|watch</c>: service discovery in Curator's layout
/// (<c>&lt;base path&gt;/&lt;service&gt;/&lt;instance id&gt;</c>), through <see cref="ServiceDiscovery"/>.
/// </summary>
internal static class ServicesCommand
{
    public static Command Create(CliHost host)
    {
        var basePath = new Option<string>("--base-path") { Description = "The discovery base path. Default: /services (Curator's usual one).", DefaultValueFactory = _ => "/services", Recursive = true };
        var command = new Command("services", "Find, register and watch service instances (Curator-compatible service discovery).") { basePath };
        command.Subcommands.Add(List(host, basePath));
        command.Subcommands.Add(Show(host, basePath));
        command.Subcommands.Add(Register(host, basePath));
        command.Subcommands.Add(Watch(host, basePath));
        return command;
    }

    private static Command List(CliHost host, Option<string> basePath)
    {
        var command = new Command("list", "List the services and how many instances each has.");
        host.SetAction(command, async context =>
        {
            await using var discovery = await OpenAsync(context, basePath);
            var result = new JsonArray();
            foreach (var name in await discovery.QueryForNamesAsync(context.Cancellation))
            {
                var instances = await discovery.QueryForInstancesAsync(name, context.Cancellation);
                context.Output.Line($"{name}  {instances.Count} instance{(instances.Count == 1 ? "" : "s")}");
                result.Add(new JsonObject { ["name"] = name, ["instances"] = instances.Count });
            }

            if (result.Count == 0)
            {
                context.Output.Status("empty", $"no services under {discovery.BasePath}");
            }

            context.Output.Document(result);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show(CliHost host, Option<string> basePath)
    {
        var name = new Argument<string>("name") { Description = "The service." };
        var command = new Command("show", "Show a service's instances (with --json: Curator's instance JSON). Exit 3 if it has none.") { name };
        host.SetAction(command, async context =>
        {
            var service = context.Parse.GetValue(name)!;
            await using var discovery = await OpenAsync(context, basePath);
            var instances = await discovery.QueryForInstancesAsync(service, context.Cancellation);
            if (instances.Count == 0)
            {
                throw new CliException(ExitCodes.NoNode, $"No instances of '{service}' under {discovery.BasePath}.");
            }

            foreach (var instance in instances)
            {
                context.Output.Line(Describe(instance));
            }

            context.Output.Document(new JsonArray([.. instances.Select(ToJson)]));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Register(CliHost host, Option<string> basePath)
    {
        var name = new Argument<string>("name") { Description = "The service." };
        var id = new Option<string?>("--id") { Description = "The instance id (its znode name). Default: a new GUID." };
        var address = new Option<string?>("--address") { Description = "The instance's address. Default: this machine's host name." };
        var port = new Option<int?>("--port") { Description = "The instance's port." };
        var sslPort = new Option<int?>("--ssl-port") { Description = "The instance's TLS port." };
        var uri = new Option<string?>("--uri-spec") { Description = "A Curator URI template, e.g. {scheme}://{address}:{port}/api." };
        var payload = new Option<string[]>("--payload") { Description = "A payload entry key=value (repeatable); Java reads it as a Map.", AllowMultipleArgumentsPerToken = false };
        var type = new Option<ServiceType>("--type") { Description = "Dynamic (ephemeral; default), Static or Permanent (persistent).", DefaultValueFactory = _ => ServiceType.Dynamic };
        var command = new Command("register", "Register an instance and keep it registered (re-registered after session loss) until Ctrl-C, which unregisters it (Permanent instances stay).")
        {
            name, id, address, port, sslPort, uri, payload, type,
        };
        host.SetAction(command, async context =>
        {
            var entries = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in context.Parse.GetValue(payload) ?? [])
            {
                var split = entry.IndexOf('=', StringComparison.Ordinal);
                if (split <= 0)
                {
                    throw new CliException(ExitCodes.Usage, $"--payload '{entry}' is not key=value.");
                }

                entries[entry[..split]] = entry[(split + 1)..];
            }

            var instance = new ServiceInstance
            {
                Name = context.Parse.GetValue(name)!,
                Id = context.Parse.GetValue(id) ?? Guid.NewGuid().ToString(),
                Address = context.Parse.GetValue(address) ?? System.Net.Dns.GetHostName(),
                Port = context.Parse.GetValue(port),
                SslPort = context.Parse.GetValue(sslPort),
                UriSpec = context.Parse.GetValue(uri) is { } template ? new UriSpec(template) : null,
                Payload = entries.Count > 0 ? entries : null,
                ServiceType = context.Parse.GetValue(type),
            };
            await using var discovery = await OpenAsync(context, basePath);
            var path = await context.WithProgress(discovery.RegisterAsync(instance, context.Cancellation), $"registering {instance.Name}/{instance.Id}");
            context.Output.Status("registered", $"registered {instance.Name}/{instance.Id} at {path}; Ctrl-C to unregister",
                new JsonObject { ["path"] = path, ["instance"] = ToJson(instance) });
            await Task.Delay(Timeout.Infinite, context.Cancellation);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Watch(CliHost host, Option<string> basePath)
    {
        var name = new Argument<string>("name") { Description = "The service (it need not exist yet)." };
        var command = new Command("watch", "Print instances added, updated and removed until Ctrl-C (survives reconnects and session loss).") { name };
        host.SetAction(command, async context =>
        {
            var service = context.Parse.GetValue(name)!;
            await using var discovery = await OpenAsync(context, basePath);
            await using var cache = discovery.CreateCache(service);
            cache.Changed += (_, e) =>
            {
                // The initial load is reported as Added events before Initialized completes: not changes.
                if (!cache.Initialized.IsCompleted)
                {
                    return;
                }

                var kind = e.Kind.ToString().ToLowerInvariant();
                var time = DateTimeOffset.UtcNow.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
                context.Output.Line($"{time} {kind,-7} {Describe(e.Instance)}");
                context.Output.JsonLine(new JsonObject { ["event"] = kind, ["time"] = DateTimeOffset.UtcNow.ToString("O"), ["instance"] = ToJson(e.Instance) });
            };
            await context.WaitWithProgressAsync(cache.StartAsync(context.Cancellation), $"reading {cache.ServicePath}");
            context.Output.Status("watching", $"watching {cache.ServicePath} ({cache.Instances.Count} instances now); Ctrl-C to stop",
                new JsonObject { ["path"] = cache.ServicePath, ["instances"] = cache.Instances.Count });
            await Task.Delay(Timeout.Infinite, context.Cancellation);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<ServiceDiscovery> OpenAsync(CliContext context, Option<string> basePath)
    {
        var path = NodeFormat.CheckPath(context.Parse.GetValue(basePath));
        return new ServiceDiscovery(await context.ConnectAsync(), new ServiceDiscoveryOptions { BasePath = path });
    }

    private static string Describe(ServiceInstance instance)
    {
        var endpoint = instance.Address + (instance.Port is { } p ? ":" + p.ToString(CultureInfo.InvariantCulture) : "") + (instance.SslPort is { } s ? $" (ssl {s.ToString(CultureInfo.InvariantCulture)})" : "");
        var payload = instance.Payload is { Count: > 0 } map ? "  " + string.Join(", ", map.Select(p => $"{p.Key}={p.Value}")) : instance.RawPayload is { } raw ? "  payload " + raw : "";
        return $"{instance.Name}/{instance.Id}  {endpoint}  {instance.ServiceType.ToString().ToUpperInvariant()}{(instance.Enabled ? "" : " disabled")}  since {instance.RegistrationTimeUtc:u}{payload}";
    }

    private static JsonNode ToJson(ServiceInstance instance) => JsonNode.Parse(ServiceInstanceSerializer.Serialize(instance))!;
}
