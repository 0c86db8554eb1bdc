using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;
using Recipes.Core;

namespace Recipes.Locks.Tests;

public sealed class ProviderTests
{
    private static IZooKeeperConnection Connection()
    {
        var connection = new Mock<IZooKeeperConnection>();
        connection.SetupGet(c => c.LoggerFactory).Returns(NullLoggerFactory.Instance);
        connection.SetupGet(c => c.TimeProvider).Returns(TimeProvider.System);
        connection.SetupGet(c => c.Options).Returns(new ZooKeeperConnectionOptions { ConnectionString = "127.0.0.1:2181" });
        return connection.Object;
    }

    [Fact]
    public void NamesBecomePathsUnderTheBasePath()
    {
        var provider = new ZooKeeperLockProvider(Connection(), new ZooKeeperLockOptions { BasePath = "/app/locks" });

        Assert.Equal("/app/locks/orders", provider.CreateMutex("orders").Path);
        Assert.Equal("/app/locks/cache", provider.CreateReadWriteLock("cache").Path);
        var semaphore = provider.CreateSemaphore("pool", 3);
        Assert.Equal("/app/locks/pool", semaphore.Path);
        Assert.Equal("/app/locks/pool/leases", semaphore.LeasesPath);
        Assert.Equal(3, semaphore.MaxLeases);
        Assert.Throws<ArgumentException>(() => provider.CreateMutex("a/b"));
        Assert.ThrowsAny<ArgumentException>(() => provider.CreateMutex(""));
        Assert.Throws<ArgumentOutOfRangeException>(() => provider.CreateSemaphore("pool", 0));
    }

    [Fact]
    public void AddZooKeeperLocksRegistersTheProviderWithConfiguredOptions()
    {
        var services = new ServiceCollection();
        services.AddSingleton(Connection());
        services.AddZooKeeperLocks(o => o.BasePath = "/mine");
        using var sp = services.BuildServiceProvider();

        var provider = sp.GetRequiredService<ZooKeeperLockProvider>();
        Assert.Equal("/mine", provider.BasePath);
        Assert.Same(provider, sp.GetRequiredService<ZooKeeperLockProvider>());
    }

    [Theory]
    [InlineData("locks")]
    [InlineData("/locks/")]
    [InlineData("")]
    public void AnInvalidBasePathIsRejected(string basePath)
    {
        var services = new ServiceCollection();
        services.AddSingleton(Connection());
        services.AddZooKeeperLocks(o => o.BasePath = basePath);
        using var sp = services.BuildServiceProvider();

        Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<ZooKeeperLockProvider>());
        Assert.Throws<ArgumentException>(() => new ZooKeeperLockOptions { BasePath = basePath }.Validate());
    }

    [Fact]
    public void AMultiLockNeedsLocks()
    {
        Assert.Throws<ArgumentException>(() => new ZooKeeperMultiLock([]));
    }
}
