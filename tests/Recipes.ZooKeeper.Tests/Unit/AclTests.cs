namespace Recipes.ZooKeeper.Tests.Unit;

public sealed class AclTests
{
    [Fact]
    public void Digest_id_is_user_colon_base64_sha1_of_user_colon_password()
    {
        var id = ZooKeeperId.Digest("alice", "secret");

        Assert.Equal("digest", id.Scheme);
        Assert.Equal("alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=", id.Identity);
        Assert.Equal("digest:alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=", id.ToString());
    }

    [Fact]
    public void Digest_rejects_a_user_with_a_colon_or_empty()
    {
        Assert.Throws<ArgumentException>(() => ZooKeeperId.Digest("a:b", "pw"));
        Assert.Throws<ArgumentException>(() => ZooKeeperId.Digest("", "pw"));
    }

    [Fact]
    public void Well_known_acls_match_ZooDefs()
    {
        Assert.Equal([new Acl(Permissions.All, new ZooKeeperId("world", "anyone"))], Acl.OpenUnsafe);
        Assert.Equal([new Acl(Permissions.All, new ZooKeeperId("auth", ""))], Acl.CreatorAll);
        Assert.Equal([new Acl(Permissions.Read, new ZooKeeperId("world", "anyone"))], Acl.ReadUnsafe);
        Assert.Equal(31, (int)Permissions.All);
    }

    [Fact]
    public void Digest_auth_info_is_user_colon_password_in_utf8()
    {
        var auth = ZooKeeperAuthInfo.Digest("alice", "sécret");
        Assert.Equal("digest", auth.Scheme);
        Assert.Equal("alice:sécret"u8.ToArray(), auth.Auth);
    }
}
