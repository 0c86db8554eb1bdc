using Recipes.ZooKeeper.Internal;

namespace Recipes.ZooKeeper.Tests.Unit;

public sealed class ChrootTests
{
    [Theory]
    [InlineData("/", "/app")]
    [InlineData("/a", "/app/a")]
    [InlineData("/a/b", "/app/a/b")]
    public void Client_paths_map_under_the_chroot(string client, string server)
    {
        var chroot = new Chroot("/app");
        Assert.Equal(server, chroot.ToServer(client));
        Assert.Equal(client, chroot.ToClient(server));
    }

    [Theory]
    [InlineData("/apple")]
    [InlineData("/zookeeper/config")]
    [InlineData("/")]
    public void Server_paths_outside_the_chroot_are_kept(string server)
    {
        Assert.Equal(server, new Chroot("/app").ToClient(server));
    }

    [Fact]
    public void A_nested_chroot_strips_the_whole_prefix()
    {
        var chroot = new Chroot("/a/b");
        Assert.Equal("/c", chroot.ToClient("/a/b/c"));
        Assert.Equal("/", chroot.ToClient("/a/b"));
        Assert.Equal("/a/bc", chroot.ToClient("/a/bc"));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/a/b")]
    public void No_chroot_is_the_identity(string path)
    {
        var chroot = new Chroot("");
        Assert.True(chroot.IsEmpty);
        Assert.Equal(path, chroot.ToServer(path));
        Assert.Equal(path, chroot.ToClient(path));
    }
}
