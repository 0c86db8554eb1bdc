using Recipes.Chaos.Tests.Invariants;

namespace Recipes.Chaos.Tests;

/// <summary>The discovery and configuration quiescent checks on hand-made states: they pass converged ones and catch every kind of bad one.</summary>
public sealed class ConvergenceCheckTests
{
    private static readonly string[] Live = ["a-1", "b-2"];
    private static readonly string[] Dead = ["c-3"];

    [Fact]
    public void Every_live_instance_once_and_no_dead_one_passes()
    {
        Assert.Empty(DiscoveryConvergence.Problems(Live, Dead, Views(server: ["b-2", "a-1"], cache: ["a-1", "b-2"])));
    }

    [Fact]
    public void A_duplicate_instance_fails()
    {
        var problem = Assert.Single(DiscoveryConvergence.Problems(Live, Dead, Views(server: ["a-1", "b-2"], cache: ["a-1", "b-2", "a-1"])));
        Assert.Equal("cache: live instance a-1 is listed 2 times", problem);
    }

    [Fact]
    public void An_instance_of_a_dead_process_fails()
    {
        var problem = Assert.Single(DiscoveryConvergence.Problems(Live, Dead, Views(server: ["a-1", "b-2", "c-3"], cache: ["a-1", "b-2"])));
        Assert.Equal("server: instance c-3 of a dead process is still listed", problem);
    }

    [Fact]
    public void A_missing_live_instance_fails_in_each_view()
    {
        var problems = DiscoveryConvergence.Problems(Live, Dead, Views(server: ["a-1"], cache: ["b-2"]));
        Assert.Equal(["cache: live instance a-1 is missing", "server: live instance b-2 is missing"], problems);
    }

    [Fact]
    public void An_unknown_instance_fails()
    {
        var problem = Assert.Single(DiscoveryConvergence.Problems(Live, Dead, Views(server: ["a-1", "b-2", "x-9"], cache: ["a-1", "b-2"])));
        Assert.Equal("server: unknown instance x-9 is listed", problem);
    }

    [Fact]
    public void Subscribers_equal_to_the_server_pass()
    {
        var server = Settings(7, "red", null);
        Assert.Empty(ConfigurationConvergence.Problems(server, new Dictionary<string, ChaosAppSettings> { ["s1"] = Settings(7, "red", null), ["s2"] = Settings(7, "red", null) }));
    }

    [Fact]
    public void A_stale_subscriber_fails()
    {
        var server = Settings(7, "red", null);
        var problems = ConfigurationConvergence.Problems(
            server, new Dictionary<string, ChaosAppSettings> { ["s1"] = Settings(7, "red", null), ["s2"] = Settings(6, "red", null), ["s3"] = Settings(7, "red", "left over") });

        Assert.Equal(
            ["s2 sees {Counter=6, Color=red, Note=null} but the server holds {Counter=7, Color=red, Note=null}", "s3 sees {Counter=7, Color=red, Note=left over} but the server holds {Counter=7, Color=red, Note=null}"],
            problems);
    }

    private static Dictionary<string, IReadOnlyList<string>> Views(string[] server, string[] cache) => new() { ["server"] = server, ["cache"] = cache };

    private static ChaosAppSettings Settings(int counter, string? color, string? note) => new() { Counter = counter, Color = color, Note = note };
}
