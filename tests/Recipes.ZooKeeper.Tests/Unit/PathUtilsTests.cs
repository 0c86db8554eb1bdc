namespace Recipes.ZooKeeper.Tests.Unit;

/// <summary>Path rules of the reference's §11 (Java's <c>PathUtils.validatePath</c>).</summary>
public sealed class PathUtilsTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/a")]
    [InlineData("/a/b/c")]
    [InlineData("/...")]
    [InlineData("/a/.a")]
    [InlineData("/a/a.")]
    [InlineData("/a/..b")]
    [InlineData("/zookeeper/config")]
    [InlineData("/with space/and-dash_and.dot")]
    [InlineData("/ünïcödé/日本")]
    public void Valid_paths(string path)
    {
        Assert.True(PathUtils.IsValid(path));
        PathUtils.Validate(path);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("a", "must start with '/'")]
    [InlineData("a/b", "must start with '/'")]
    [InlineData("/a/", "must not end with '/'")]
    [InlineData("//", "must not end with '/'")]
    [InlineData("//a", "'//'")]
    [InlineData("/a//b", "'//'")]
    [InlineData("/.", "'.'")]
    [InlineData("/a/./b", "'.'")]
    [InlineData("/..", "'..'")]
    [InlineData("/a/../b", "'..'")]
    [InlineData("/a/..", "'..'")]
    public void Invalid_paths_say_what_is_wrong(string path, string problem)
    {
        Assert.False(PathUtils.IsValid(path));
        var error = Assert.Throws<ArgumentException>(() => PathUtils.Validate(path));
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Equal("path", error.ParamName);
    }

    [Fact]
    public void Null_is_invalid()
    {
        Assert.False(PathUtils.IsValid(null));
        Assert.Contains("null", Assert.Throws<ArgumentException>(() => PathUtils.Validate(null!)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x0000)]
    [InlineData(0x0001)]
    [InlineData(0x001f)]
    [InlineData(0x007f)]
    [InlineData(0x009f)]
    [InlineData(0xd800)]
    [InlineData(0xdbff)]
    [InlineData(0xdc00)]
    [InlineData(0xdfff)]
    [InlineData(0xe000)]
    [InlineData(0xf8ff)]
    [InlineData(0xfff0)]
    [InlineData(0xfffe)]
    [InlineData(0xffff)]
    public void Control_surrogate_private_use_and_special_characters_are_invalid(int code)
    {
        var path = "/a" + (char)code + "b";
        var error = Assert.Throws<ArgumentException>(() => PathUtils.Validate(path));
        Assert.Contains("index 2", error.Message, StringComparison.Ordinal);
        if (code != 0)
        {
            Assert.Contains($"U+{code:X4}", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(0x0020)]
    [InlineData(0x007e)]
    [InlineData(0x00a0)]
    [InlineData(0xd7ff)]
    [InlineData(0xf900)]
    [InlineData(0xffef)]
    public void Characters_just_outside_the_invalid_ranges_are_valid(int code)
    {
        Assert.True(PathUtils.IsValid("/a" + (char)code + "b"));
    }

    [Fact]
    public void Characters_outside_the_BMP_are_invalid()
    {
        Assert.False(PathUtils.IsValid("/emoji-\U0001F600"));
    }

    [Theory]
    [InlineData("/a/")]
    [InlineData("/")]
    [InlineData("/lock-")]
    [InlineData("/a/b/")]
    public void A_sequential_create_may_end_with_a_slash(string path)
    {
        Assert.True(PathUtils.IsValid(path, sequential: true));
        PathUtils.Validate(path, sequential: true);
    }

    [Theory]
    [InlineData("/a//")]
    [InlineData("a/")]
    [InlineData("/a/./")]
    public void A_sequential_create_still_follows_the_other_rules(string path)
    {
        Assert.False(PathUtils.IsValid(path, sequential: true));
    }

    /// <summary>
    /// Java validates a sequential path as <c>path + "1"</c>: "/a/." becomes "/a/.1", a valid name, and the server
    /// creates "/a/.0000000001". The client must accept it too.
    /// </summary>
    [Theory]
    [InlineData("/a/.")]
    [InlineData("/a/..")]
    public void A_sequential_create_validates_the_path_as_if_a_digit_followed(string path)
    {
        Assert.True(PathUtils.IsValid(path + "1"));
        Assert.True(PathUtils.IsValid(path, sequential: true), $"'{path}' + sequence suffix is a valid path, but the client rejects the create.");
    }

    [Theory]
    [InlineData("/", null)]
    [InlineData("/a", "/")]
    [InlineData("/a/b", "/a")]
    [InlineData("/a/b/c", "/a/b")]
    public void GetParent(string path, string? parent) => Assert.Equal(parent, PathUtils.GetParent(path));

    [Theory]
    [InlineData("/", "")]
    [InlineData("/a", "a")]
    [InlineData("/a/b-0000000001", "b-0000000001")]
    public void GetNodeName(string path, string name) => Assert.Equal(name, PathUtils.GetNodeName(path));

    [Theory]
    [InlineData("/", "a", "/a")]
    [InlineData("/x", "a", "/x/a")]
    [InlineData("/x", "/a/b", "/x/a/b")]
    [InlineData("/x/", "a", "/x/a")]
    [InlineData("/x", "", "/x")]
    public void Combine(string parent, string child, string expected) => Assert.Equal(expected, PathUtils.Combine(parent, child));
}
