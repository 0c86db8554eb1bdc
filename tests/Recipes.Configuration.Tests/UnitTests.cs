using System.Text;
using Microsoft.Extensions.Configuration;
using Recipes.Configuration.Internal;
using Recipes.Core;

namespace Recipes.Configuration.Tests;

/// <summary>Key mapping, JSON flattening (checked against the JSON configuration provider itself), options and snapshots.</summary>
public sealed class UnitTests
{
    [Theory]
    [InlineData("""{ "a": { "b": "c", "n": 1.50, "t": true, "f": false } }""")]
    [InlineData("""{ "arr": [ "x", { "y": 1 }, [ 2, 3 ] ], "empty": {}, "none": [], "nil": null }""")]
    [InlineData("""{ /* comment */ "A": { "B": "v", }, "s": "with \"quotes\" and \u00e9" }""")]
    public void Json_is_flattened_exactly_as_the_json_configuration_provider_does(string json)
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var expected = configuration.AsEnumerable().Where(p => !configuration.GetSection(p.Key).GetChildren().Any()).ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);

        var actual = JsonFlattener.Flatten(Encoding.UTF8.GetBytes(json), "");

        foreach (var (key, value) in expected)
        {
            Assert.True(actual.TryGetValue(key, out var ours), $"missing key {key}");
            Assert.True(value == ours, $"{key}: provider {value ?? "null"}, ours {ours ?? "null"}");
        }

        Assert.All(actual.Keys, key => Assert.Contains(key, (IDictionary<string, string?>)expected));
    }

    [Fact]
    public void Json_flattening_rejects_duplicates_and_bad_text_and_nests_under_a_prefix()
    {
        Assert.Throws<FormatException>(() => JsonFlattener.Flatten("""{ "a": 1, "A": 2 }"""u8.ToArray(), ""));
        var error = Assert.Throws<FormatException>(() => JsonFlattener.Flatten("""{ "a": """u8.ToArray(), ""));
        Assert.Contains("Not valid JSON", error.Message, StringComparison.Ordinal);

        var nested = JsonFlattener.Flatten("""{ "b": [ "x" ] }"""u8.ToArray(), "Svc:Part");
        Assert.Equal("x", nested["Svc:Part:b:0"]);
        Assert.Equal("5", JsonFlattener.Flatten("5"u8.ToArray(), "Svc")["Svc"]);
        Assert.Empty(JsonFlattener.Flatten("5"u8.ToArray(), ""));
    }

    [Theory]
    [InlineData("/config/app", "/config/app", "")]
    [InlineData("/config/app", "/config/app/Logging/LogLevel/Default", "Logging:LogLevel:Default")]
    [InlineData("/", "/a/b", "a:b")]
    public void Paths_map_to_keys_and_back(string root, string path, string key)
    {
        Assert.Equal(key, KeyMapping.ToKey(root, path));
        if (key.Length > 0)
        {
            Assert.Equal(path, KeyMapping.ToPath(root, key));
        }
    }

    [Fact]
    public void Sections_match_whole_segments_ignoring_case()
    {
        Assert.True(KeyMapping.IsInSection("Service:Limit", "service"));
        Assert.True(KeyMapping.IsInSection("Service", "Service"));
        Assert.False(KeyMapping.IsInSection("ServiceX:Limit", "Service"));
        Assert.True(KeyMapping.IsInSection("Anything", ""));
    }

    [Fact]
    public void Options_name_the_bad_setting()
    {
        var connectionOptions = new ZooKeeperConnectionOptions { ConnectionString = "127.0.0.1:1" };
        Assert.Contains("Path", Assert.Throws<ArgumentException>(() => new ZooKeeperConfigurationOptions { ConnectionOptions = connectionOptions }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("exactly one", Assert.Throws<ArgumentException>(() => new ZooKeeperConfigurationOptions { Path = "/a" }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("SnapshotPath", Assert.Throws<ArgumentException>(() => new ZooKeeperConfigurationOptions { Path = "/a", ConnectionOptions = connectionOptions, StartFromSnapshot = true }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("StartupTimeout", Assert.Throws<ArgumentException>(() => new ZooKeeperConfigurationOptions { Path = "/a", ConnectionOptions = connectionOptions, StartupTimeout = TimeSpan.Zero }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("KeyPrefix", Assert.Throws<ArgumentException>(() => new ZooKeeperConfigurationOptions { Path = "/a", ConnectionOptions = connectionOptions, KeyPrefix = "A:" }.Validate()).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ConfigurationBuilder().AddZooKeeper(connectionOptions, "not-a-path"));
    }

    [Fact]
    public void Snapshots_are_written_atomically_and_read_back_only_for_their_root()
    {
        var directory = Directory.CreateTempSubdirectory("recipes-config-");
        try
        {
            var path = Path.Combine(directory.FullName, "sub", "snapshot.json");
            var data = new Dictionary<string, string?> { ["A:B"] = "1", ["Nil"] = null, ["E"] = "é" };
            SnapshotFile.Write(path, "/config/app", data, DateTimeOffset.UnixEpoch);
            SnapshotFile.Write(path, "/config/app", data, DateTimeOffset.UnixEpoch.AddDays(1));

            var (read, savedAt) = SnapshotFile.Read(path, "/config/app");
            Assert.Equal(data, read);
            Assert.Equal(DateTimeOffset.UnixEpoch.AddDays(1), savedAt);
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temporary file left behind
            Assert.Contains("/config/other", Assert.Throws<InvalidDataException>(() => SnapshotFile.Read(path, "/config/other")).Message, StringComparison.Ordinal);

            File.WriteAllText(path, "{ torn");
            Assert.Throws<InvalidDataException>(() => SnapshotFile.Read(path, "/config/app"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
