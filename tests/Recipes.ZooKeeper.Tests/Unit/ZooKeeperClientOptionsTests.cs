namespace Recipes.ZooKeeper.Tests.Unit;

public sealed class ZooKeeperClientOptionsTests
{
    public static TheoryData<string, Action<ZooKeeperClientOptions>> BadSettings => new()
    {
        { "ConnectionString", o => o.ConnectionString = "" },
        { "ConnectionString", o => o.ConnectionString = "   " },
        { "SessionTimeout", o => o.SessionTimeout = TimeSpan.Zero },
        { "SessionTimeout", o => o.SessionTimeout = TimeSpan.FromMilliseconds(-1) },
        { "SessionTimeout", o => o.SessionTimeout = TimeSpan.FromDays(30) },
        { "ConnectTimeout", o => o.ConnectTimeout = TimeSpan.Zero },
        { "MaxIncomingFrameSize", o => o.MaxIncomingFrameSize = 1023 },
        { "MaxOutgoingFrameSize", o => o.MaxOutgoingFrameSize = 0 },
        { "SessionPassword", o => o.SessionId = 5 },
        { "SessionPassword", o => { o.SessionId = 5; o.SessionPassword = new byte[15]; } },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Validate_names_the_bad_setting(string setting, Action<ZooKeeperClientOptions> spoil)
    {
        var options = new ZooKeeperClientOptions { ConnectionString = "127.0.0.1:2181" };
        spoil(options);

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains($"ZooKeeperClientOptions.{setting}", error.Message, StringComparison.Ordinal);
        Assert.Equal(setting, error.ParamName);
    }

    [Fact]
    public void Validate_reports_a_bad_connection_string_with_the_parse_problem()
    {
        var options = new ZooKeeperClientOptions { ConnectionString = "zk1:notaport" };
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("connection string", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("notaport", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_are_valid_and_documented_values()
    {
        var options = new ZooKeeperClientOptions { ConnectionString = "zk1" };
        options.Validate();

        Assert.Equal(TimeSpan.FromSeconds(30), options.SessionTimeout);
        Assert.Equal(4 * 1024 * 1024, options.MaxIncomingFrameSize);
        Assert.Equal(0xfffff, options.MaxOutgoingFrameSize);
        Assert.Null(options.ConnectTimeout);
        Assert.True(options.ShuffleHosts);
        Assert.False(options.CanBeReadOnly);
        Assert.Same(TimeProvider.System, options.TimeProvider);
    }

    [Fact]
    public void A_re_attach_with_a_16_byte_password_is_valid()
    {
        var options = new ZooKeeperClientOptions { ConnectionString = "zk1", SessionId = 5, SessionPassword = new byte[16] };
        options.Validate();
    }

    [Fact]
    public void Clone_copies_every_setting_and_the_auth_list()
    {
        var options = new ZooKeeperClientOptions
        {
            ConnectionString = "zk1/app",
            SessionTimeout = TimeSpan.FromSeconds(7),
            ConnectTimeout = TimeSpan.FromSeconds(2),
            CanBeReadOnly = true,
            ShuffleHosts = false,
            MaxIncomingFrameSize = 2048,
            MaxOutgoingFrameSize = 4096,
            SessionId = 9,
            SessionPassword = new byte[16],
            Tls = new ZooKeeperTlsOptions(),
        };
        options.AuthInfo.Add(ZooKeeperAuthInfo.Digest("a", "b"));

        var copy = options.Clone();
        options.AuthInfo.Clear();

        Assert.Equal(
            (options.ConnectionString, options.SessionTimeout, options.ConnectTimeout, options.CanBeReadOnly, options.ShuffleHosts,
                options.MaxIncomingFrameSize, options.MaxOutgoingFrameSize, options.SessionId, options.SessionPassword, options.Tls),
            (copy.ConnectionString, copy.SessionTimeout, copy.ConnectTimeout, copy.CanBeReadOnly, copy.ShuffleHosts,
                copy.MaxIncomingFrameSize, copy.MaxOutgoingFrameSize, copy.SessionId, copy.SessionPassword, copy.Tls));
        Assert.Single(copy.AuthInfo);
    }
}
