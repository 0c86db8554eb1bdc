using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Recipes.ZooKeeper;

namespace Recipes.Cli.Infrastructure;

/// <summary>How znodes, their data and stats are shown, as text and as JSON.</summary>
internal static class NodeFormat
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Validates a path argument; a bad one is a usage error naming the problem.</summary>
    public static string CheckPath(string? path)
    {
        path = string.IsNullOrEmpty(path) ? "/" : path;
        try
        {
            PathUtils.Validate(path);
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.Usage, $"'{path}' is not a valid znode path: {e.Message}", e);
        }

        return path;
    }

    /// <summary>The data as text when it is valid UTF-8, otherwise null.</summary>
    public static string? AsText(byte[]? data)
    {
        if (data is null)
        {
            return null;
        }

        try
        {
            return StrictUtf8.GetString(data);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    public static JsonObject DataJson(byte[]? data) => new()
    {
        ["data"] = AsText(data),
        ["dataBase64"] = data is null ? null : Convert.ToBase64String(data),
    };

    public static JsonObject StatJson(Stat stat) => new()
    {
        ["czxid"] = stat.Czxid,
        ["mzxid"] = stat.Mzxid,
        ["pzxid"] = stat.Pzxid,
        ["ctime"] = Time(stat.Ctime),
        ["mtime"] = Time(stat.Mtime),
        ["version"] = stat.Version,
        ["cversion"] = stat.Cversion,
        ["aversion"] = stat.Aversion,
        ["ephemeralOwner"] = stat.EphemeralOwner == 0 ? null : Hex(stat.EphemeralOwner),
        ["dataLength"] = stat.DataLength,
        ["numChildren"] = stat.NumChildren,
    };

    public static IEnumerable<string> StatLines(Stat stat) =>
    [
        $"czxid          0x{stat.Czxid:x}",
        $"ctime          {Time(stat.Ctime)}",
        $"mzxid          0x{stat.Mzxid:x}",
        $"mtime          {Time(stat.Mtime)}",
        $"pzxid          0x{stat.Pzxid:x}",
        $"version        {stat.Version}",
        $"cversion       {stat.Cversion}",
        $"aversion       {stat.Aversion}",
        $"ephemeralOwner {(stat.EphemeralOwner == 0 ? "none (persistent)" : Hex(stat.EphemeralOwner))}",
        $"dataLength     {stat.DataLength}",
        $"numChildren    {stat.NumChildren}",
    ];

    public static string Hex(long value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    private static string Time(long unixMilliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
