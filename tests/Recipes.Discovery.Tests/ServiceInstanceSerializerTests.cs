using System.Text;

namespace Recipes.Discovery.Tests;

/// <summary>The JSON contract with Curator's JsonInstanceSerializer (shared/reference/curator.md §3.2), byte for byte.</summary>
public sealed class ServiceInstanceSerializerTests
{
    // Curator 5.4.0's output for this instance, with a Map payload instead of the POJO of the reference's sample.
    private const string CuratorJson =
        """{"name":"myservice","id":"2b4f1b2a-1111-2222-3333-444455556666","address":"10.0.0.5","port":8080,"sslPort":null,"payload":{"@class":"java.util.HashMap","val":"v1"},"registrationTimeUTC":1700000000000,"serviceType":"DYNAMIC","uriSpec":{"parts":[{"value":"scheme","variable":true},{"value":"://","variable":false},{"value":"address","variable":true},{"value":":","variable":false},{"value":"port","variable":true},{"value":"/x","variable":false}]}}""";

    private static ServiceInstance Sample() => new()
    {
        Name = "myservice",
        Id = "2b4f1b2a-1111-2222-3333-444455556666",
        Address = "10.0.0.5",
        Port = 8080,
        Payload = new Dictionary<string, string> { ["val"] = "v1" },
        RegistrationTimeUtc = DateTimeOffset.FromUnixTimeMilliseconds(1700000000000),
        UriSpec = new UriSpec("{scheme}://{address}:{port}/x"),
    };

    [Fact]
    public void Writes_fields_in_Curators_order_with_nulls_and_a_java_map_payload()
    {
        Assert.Equal(CuratorJson, Encoding.UTF8.GetString(ServiceInstanceSerializer.Serialize(Sample())));
    }

    [Fact]
    public void Writes_null_payload_and_uriSpec_and_upper_case_types()
    {
        var json = Encoding.UTF8.GetString(ServiceInstanceSerializer.Serialize(new ServiceInstance
        {
            Name = "s",
            Id = "i",
            RegistrationTimeUtc = DateTimeOffset.FromUnixTimeMilliseconds(5),
            ServiceType = ServiceType.DynamicSequential,
        }));
        Assert.Equal("""{"name":"s","id":"i","address":null,"port":null,"sslPort":null,"payload":null,"registrationTimeUTC":5,"serviceType":"DYNAMIC_SEQUENTIAL","uriSpec":null}""", json);
    }

    [Fact]
    public void Writes_enabled_only_when_disabled()
    {
        var json = Encoding.UTF8.GetString(ServiceInstanceSerializer.Serialize(new ServiceInstance { Name = "s", Id = "i", Enabled = false }));
        Assert.EndsWith(""","uriSpec":null,"enabled":false}""", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_Curators_json_and_writes_it_back_identically()
    {
        var read = ServiceInstanceSerializer.Deserialize(Encoding.UTF8.GetBytes(CuratorJson));
        Assert.Equal("myservice", read.Name);
        Assert.Equal(8080, read.Port);
        Assert.Null(read.SslPort);
        Assert.Equal("v1", read.Payload!["val"]);
        Assert.False(read.Payload.ContainsKey("@class"));
        Assert.Equal(ServiceType.Dynamic, read.ServiceType);
        Assert.True(read.Enabled);
        Assert.Equal("http://10.0.0.5:8080/x", read.BuildUri());
        Assert.Equal(CuratorJson, Encoding.UTF8.GetString(ServiceInstanceSerializer.Serialize(read)));
    }

    [Fact]
    public void Ignores_unknown_fields_and_reads_missing_ones_as_Curator_does()
    {
        var read = ServiceInstanceSerializer.Deserialize("""{"id":"i","name":"s","future":{"x":[1,2]},"serviceType":"permanent","enabled":false}"""u8);
        Assert.Equal("s", read.Name);
        Assert.Null(read.Address);
        Assert.Null(read.Port);
        Assert.Equal(ServiceType.Permanent, read.ServiceType);
        Assert.False(read.Enabled);
        Assert.Equal(DateTimeOffset.UnixEpoch, read.RegistrationTimeUtc);
    }

    [Fact]
    public void Keeps_a_pojo_payload_raw_and_writes_it_back_verbatim()
    {
        const string json = """{"name":"s","id":"i","address":null,"port":null,"sslPort":null,"payload":{"@class":"J$Payload","val":"v1","n":3},"registrationTimeUTC":1,"serviceType":"DYNAMIC","uriSpec":null}""";
        var read = ServiceInstanceSerializer.Deserialize(Encoding.UTF8.GetBytes(json));
        Assert.Equal("""{"@class":"J$Payload","val":"v1","n":3}""", read.RawPayload);
        Assert.Equal("3", read.Payload!["n"]);
        var copy = new ServiceInstance { Name = read.Name, Id = read.Id, RawPayload = read.RawPayload, RegistrationTimeUtc = read.RegistrationTimeUtc };
        Assert.Equal(json, Encoding.UTF8.GetString(ServiceInstanceSerializer.Serialize(copy)));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("[1,2]", "JSON object")]
    [InlineData("""{"id":"i"}""", "'name'")]
    [InlineData("""{"name":"s"}""", "'id'")]
    [InlineData("""{"name":"s","id":"i","port":"80"}""", "'port'")]
    [InlineData("""{"name":"s","id":"i","serviceType":"EPHEMERAL"}""", "'serviceType'")]
    [InlineData("""{"name":"s","id":"i","uriSpec":{"parts":[{"variable":true}]}}""", "'uriSpec'")]
    public void Malformed_json_fails_naming_the_problem(string json, string expected)
    {
        Assert.False(ServiceInstanceSerializer.TryDeserialize(Encoding.UTF8.GetBytes(json), out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => ServiceInstanceSerializer.Deserialize(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void UriSpec_expands_Curators_variables()
    {
        var instance = new ServiceInstance
        {
            Name = "orders",
            Id = "a",
            Address = "h",
            Port = 80,
            SslPort = 443,
            ServiceType = ServiceType.Permanent,
            RegistrationTimeUtc = DateTimeOffset.FromUnixTimeMilliseconds(7),
        };
        var spec = new UriSpec("{scheme}://{address}:{ssl-port}/{name}/{id}?t={registration-time-utc}&k={service-type}{[}x{]}{ unknown }");
        Assert.Equal("https://h:443/orders/a?t=7&k=permanent{x}", spec.Build(instance));
        Assert.Equal("http://h:80", new UriSpec("{scheme}://{address}:{port}").Build(instance, new Dictionary<string, object?> { ["scheme"] = "http" }));
        Assert.Equal("{scheme}://{address}:{port}", new UriSpec("{scheme}://{address}:{ port }").ToString());
    }
}
