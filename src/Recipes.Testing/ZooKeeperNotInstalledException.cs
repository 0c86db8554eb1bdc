namespace Recipes.Testing;

/// <summary>
/// Thrown when Java or the ZooKeeper jars cannot be found. On Debian or Ubuntu install them with
/// <c>apt-get install -y zookeeper default-jdk-headless</c>, or point <c>ZOOKEEPER_HOME</c> at an unpacked Apache
/// ZooKeeper release and <c>JAVA_HOME</c> at a JDK.
/// </summary>
public sealed class ZooKeeperNotInstalledException : Exception
{
    /// <summary>Creates the exception with a message that says what is missing and how to install it.</summary>
    public ZooKeeperNotInstalledException(string message)
        : base(message)
    {
    }
}
