using Recipes.ZooKeeper.Internal;

namespace Recipes.ZooKeeper.Tests.Unit;

public sealed class ConnectionStringTests
{
    [Fact]
    public void Several_hosts_with_and_without_ports()
    {
        var parsed = ConnectionString.Parse("zk1:2181, zk2:2182 ,zk3");

        Assert.Equal([new HostEndpoint("zk1", 2181), new HostEndpoint("zk2", 2182), new HostEndpoint("zk3", 2181)], parsed.Hosts);
        Assert.Equal("", parsed.Chroot);
    }

    [Theory]
    [InlineData("[::1]:2181", "::1", 2181)]
    [InlineData("[::1]", "::1", 2181)]
    [InlineData("[fe80::1%eth0]:3000", "fe80::1%eth0", 3000)]
    [InlineData("127.0.0.1:1", "127.0.0.1", 1)]
    [InlineData("localhost:65535", "localhost", 65535)]
    public void One_host(string text, string host, int port)
    {
        Assert.Equal([new HostEndpoint(host, port)], ConnectionString.Parse(text).Hosts);
    }

    [Fact]
    public void IPv6_hosts_print_in_brackets()
    {
        Assert.Equal("[::1]:2181", new HostEndpoint("::1", 2181).ToString());
        Assert.Equal("zk1:2181", new HostEndpoint("zk1", 2181).ToString());
    }

    [Theory]
    [InlineData("zk1:2181/app", "/app")]
    [InlineData("zk1:2181,zk2:2181/app/sub", "/app/sub")]
    [InlineData("[::1]:2181/app", "/app")]
    [InlineData("zk1/app", "/app")]
    [InlineData("zk1:2181/", "")]
    [InlineData("zk1:2181", "")]
    public void The_chroot_starts_at_the_first_slash_and_slash_alone_means_none(string text, string chroot)
    {
        Assert.Equal(chroot, ConnectionString.Parse(text).Chroot);
    }

    [Theory]
    [InlineData("zk1:abc", "Invalid port 'abc'")]
    [InlineData("zk1:0", "Invalid port '0'")]
    [InlineData("zk1:65536", "Invalid port '65536'")]
    [InlineData("zk1:-1", "Invalid port '-1'")]
    [InlineData("zk1:", "Invalid port ''")]
    [InlineData("[::1]:x", "Invalid port 'x'")]
    [InlineData("::1", "brackets")]
    [InlineData("fe80::1:2181", "brackets")]
    [InlineData("[::1", "Unclosed '['")]
    [InlineData("[::1]2181", "after IPv6 address")]
    [InlineData(":2181", "Empty host")]
    [InlineData("", "names no host")]
    [InlineData(" , ", "names no host")]
    [InlineData("/app", "names no host")]
    [InlineData("zk1:2181/app/", "Invalid chroot '/app/'")]
    [InlineData("zk1:2181/a//b", "Invalid chroot")]
    [InlineData("zk1:2181/a/../b", "Invalid chroot")]
    public void Bad_strings_are_argument_errors_that_say_what_is_wrong(string text, string problem)
    {
        var error = Assert.Throws<ArgumentException>(() => ConnectionString.Parse(text));
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
    }
}
