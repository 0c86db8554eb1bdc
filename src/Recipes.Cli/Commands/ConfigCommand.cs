using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;
using Recipes.Cli.Infrastructure;
using Recipes.Configuration;

namespace Recipes.Cli.Commands;

/// <summary>
/// <c>recipes config get|set|delete|import|export|watch</c>: the configuration tree under a root (Tree layout: the key
/// <c>A:B</c> is the znode <c>&lt;root&gt;/A/B</c>). Reads go through the configuration provider (what applications see),
/// writes through <see cref="ZooKeeperConfigurationWriter"/>.
/// </summary>
internal static class ConfigCommand
{
    public static Command Create(CliHost host)
    {
        var root = new Option<string>("--root") { Description = "The config root znode. Default: /config.", DefaultValueFactory = _ => "/config", Recursive = true };
        var command = new Command("config", "Read and write configuration in ZooKeeper as applications see it through AddZooKeeper (keys like Logging:LogLevel:Default).") { root };
        command.Subcommands.Add(Get(host, root));
        command.Subcommands.Add(Set(host, root));
        command.Subcommands.Add(Delete(host, root));
        command.Subcommands.Add(Import(host, root));
        command.Subcommands.Add(Export(host, root));
        command.Subcommands.Add(Watch(host, root));
        return command;
    }

    private static Command Get(CliHost host, Option<string> root)
    {
        var key = new Argument<string>("key") { Description = "The key, e.g. Logging:LogLevel:Default." };
        var command = new Command("get", "Print a key's value as configuration reads it. Exit 3 if the key has no value.") { key };
        host.SetAction(command, async context =>
        {
            var path = NodeFormat.CheckPath(context.Parse.GetValue(root));
            var name = context.Parse.GetValue(key)!;
            using var configuration = await LoadAsync(context, path);
            var value = configuration[name] ?? throw new CliException(ExitCodes.NoNode, $"No value for '{name}' under {path}.");
            context.Output.Line(value);
            context.Output.Document(new JsonObject { ["root"] = path, ["key"] = name, ["value"] = value });
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Set(CliHost host, Option<string> root)
    {
        var key = new Argument<string>("key") { Description = "The key, e.g. Logging:LogLevel:Default." };
        var value = new Argument<string>("value") { Description = "The value (stored as UTF-8)." };
        var command = new Command("set", "Set a key (creating its znode and missing parents); applications' IOptionsMonitor sees it at once.") { key, value };
        host.SetAction(command, async context =>
        {
            var path = NodeFormat.CheckPath(context.Parse.GetValue(root));
            var name = context.Parse.GetValue(key)!;
            var text = context.Parse.GetValue(value)!;
            var writer = new ZooKeeperConfigurationWriter(await context.ConnectAsync(), path);
            await writer.SetAsync(name, text, context.Cancellation);
            context.Output.Status("set", $"set {name} under {path}");
            context.Output.Document(new JsonObject { ["root"] = path, ["key"] = name, ["value"] = text });
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Delete(CliHost host, Option<string> root)
    {
        var key = new Argument<string>("key") { Description = "The key; every key below it goes too." };
        var command = new Command("delete", "Delete a key and every key below it. Exit 3 if there was no such key.") { key };
        host.SetAction(command, async context =>
        {
            var path = NodeFormat.CheckPath(context.Parse.GetValue(root));
            var name = context.Parse.GetValue(key)!;
            var writer = new ZooKeeperConfigurationWriter(await context.ConnectAsync(), path);
            if (!await writer.DeleteAsync(name, context.Cancellation))
            {
                throw new CliException(ExitCodes.NoNode, $"No key '{name}' under {path}.");
            }

            context.Output.Status("deleted", $"deleted {name} under {path}");
            context.Output.Document(new JsonObject { ["root"] = path, ["key"] = name, ["deleted"] = true });
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Import(CliHost host, Option<string> root)
    {
        var file = new Argument<FileInfo>("file") { Description = "A JSON file (as appsettings.json; comments and trailing commas allowed)." };
        var replace = new Option<bool>("--replace") { Description = "Also delete the keys the file does not hold, so the tree equals the file." };
        var command = new Command("import", "Write a JSON file's keys under the root in one transaction.") { file, replace };
        host.SetAction(command, async context =>
        {
            var path = NodeFormat.CheckPath(context.Parse.GetValue(root));
            var source = context.Parse.GetValue(file)!;
            if (!source.Exists)
            {
                throw new CliException(ExitCodes.Usage, $"No such file: {source.FullName}.");
            }

            var writer = new ZooKeeperConfigurationWriter(await context.ConnectAsync(), path);
            await using var stream = source.OpenRead();
            int count;
            try
            {
                count = await writer.ImportJsonAsync(stream, context.Parse.GetValue(replace), context.Cancellation);
            }
            catch (FormatException e)
            {
                throw new CliException(ExitCodes.Usage, $"{source.Name} is not a configuration JSON document: {e.Message}", e);
            }

            context.Output.Status("imported", $"imported {count} keys from {source.Name} under {path}");
            context.Output.Document(new JsonObject { ["root"] = path, ["file"] = source.FullName, ["keys"] = count });
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Export(CliHost host, Option<string> root)
    {
        var command = new Command("export", "Print the tree under the root as one JSON document (what import reads back).");
        host.SetAction(command, async context =>
        {
            var path = NodeFormat.CheckPath(context.Parse.GetValue(root));
            var writer = new ZooKeeperConfigurationWriter(await context.ConnectAsync(), path);
            using var buffer = new MemoryStream();
            await writer.ExportJsonAsync(buffer, context.Cancellation);

            // The document is the result in both modes.
            await context.Output.Out.WriteLineAsync(Encoding.UTF8.GetString(buffer.ToArray()));
            await context.Output.Out.FlushAsync();
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Watch(CliHost host, Option<string> root)
    {
        var command = new Command("watch", "Print every key that changes (as configuration reloads it) until Ctrl-C.");
        host.SetAction(command, async context =>
        {
            var path = NodeFormat.CheckPath(context.Parse.GetValue(root));
            using var configuration = await LoadAsync(context, path);
            var gate = new Lock();
            var last = Flatten(configuration);
            context.Output.Status("watching", $"watching {path} ({last.Count} keys now); Ctrl-C to stop", new JsonObject { ["root"] = path, ["keys"] = last.Count });
            using var subscription = ChangeToken.OnChange(configuration.GetReloadToken, () =>
            {
                lock (gate)
                {
                    var now = Flatten(configuration);
                    foreach (var (name, value) in now.Where(p => !last.TryGetValue(p.Key, out var old) || old != p.Value))
                    {
                        Print(context.Output, last.ContainsKey(name) ? "changed" : "added", name, value);
                    }

                    foreach (var name in last.Keys.Where(k => !now.ContainsKey(k)))
                    {
                        Print(context.Output, "removed", name, null);
                    }

                    last = now;
                }
            });
            await Task.Delay(Timeout.Infinite, context.Cancellation);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<ConfigurationRoot> LoadAsync(CliContext context, string path)
    {
        var connection = await context.ConnectAsync();
        var builder = new ConfigurationBuilder().AddZooKeeper(connection, path, o => o.LoggerFactory = context.LoggerFactory);

        // Building waits (bounded) for the first load: off the caller's thread, with progress.
        return (ConfigurationRoot)await context.WithProgress(Task.Run(builder.Build, context.Cancellation), $"reading {path}");
    }

    private static Dictionary<string, string?> Flatten(IConfiguration configuration) =>
        configuration.AsEnumerable().Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);

    private static void Print(CliOutput output, string kind, string key, string? value)
    {
        var time = DateTimeOffset.UtcNow.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);
        output.Line($"{time} {kind,-7} {key}" + (value is null ? "" : $" = {value}"));
        output.JsonLine(new JsonObject { ["event"] = kind, ["key"] = key, ["value"] = value, ["time"] = DateTimeOffset.UtcNow.ToString("O") });
    }
}
