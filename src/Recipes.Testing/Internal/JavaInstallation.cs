namespace Recipes.Testing.Internal;

/// <summary>Where <c>java</c> and the ZooKeeper jars are: <c>ZOOKEEPER_HOME</c> when set, else Debian's layout.</summary>
internal sealed class JavaInstallation
{
    internal const string InstallHint =
        "On Debian or Ubuntu install them with 'apt-get install -y zookeeper default-jdk-headless', " +
        "or set ZOOKEEPER_HOME to an unpacked Apache ZooKeeper release and JAVA_HOME to a JDK.";

    private const string DebianJars = "/usr/share/java";

    private static readonly Lazy<JavaInstallation> Current = new(Locate, LazyThreadSafetyMode.PublicationOnly);

    private JavaInstallation(string javaPath, IReadOnlyList<string> classPath)
    {
        JavaPath = javaPath;
        ClassPath = classPath;
    }

    /// <summary>The <c>java</c> executable.</summary>
    public string JavaPath { get; }

    /// <summary>The class path entries (jars and configuration directories).</summary>
    public IReadOnlyList<string> ClassPath { get; }

    /// <summary>Whether Netty's codec jar is on the class path (needed by the Netty connection factory, hence TLS).</summary>
    public bool HasNettyCodec => ClassPath.Any(p => Path.GetFileName(p).StartsWith("netty-codec", StringComparison.Ordinal)
        || Path.GetFileName(p).StartsWith("netty-all", StringComparison.Ordinal));

    /// <summary>The installation found on this machine (looked up once; a failed look-up is retried next time).</summary>
    public static JavaInstallation Get() => Current.Value;

    private static JavaInstallation Locate()
    {
        var java = FindJava() ?? throw new ZooKeeperNotInstalledException(
            "Java was not found (looked at JAVA_HOME, PATH and /usr/bin/java). " + InstallHint);
        return new JavaInstallation(java, FindClassPath());
    }

    private static string? FindJava()
    {
        var javaHome = Environment.GetEnvironmentVariable("JAVA_HOME");
        if (!string.IsNullOrEmpty(javaHome))
        {
            var candidate = Path.Combine(javaHome, "bin", "java");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, "java");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return File.Exists("/usr/bin/java") ? "/usr/bin/java" : null;
    }

    private static List<string> FindClassPath()
    {
        var home = Environment.GetEnvironmentVariable("ZOOKEEPER_HOME");
        if (!string.IsNullOrEmpty(home))
        {
            var entries = new List<string>();
            var conf = Path.Combine(home, "conf");
            if (Directory.Exists(conf))
            {
                // An Apache release logs through logback and configures it from conf/.
                entries.Add(conf);
            }

            foreach (var directory in new[] { home, Path.Combine(home, "lib") })
            {
                if (Directory.Exists(directory))
                {
                    entries.AddRange(Directory.GetFiles(directory, "*.jar").Order(StringComparer.Ordinal));
                }
            }

            if (!entries.Any(e => Path.GetFileName(e).StartsWith("zookeeper", StringComparison.Ordinal)))
            {
                throw new ZooKeeperNotInstalledException(
                    $"ZOOKEEPER_HOME is '{home}' but no zookeeper*.jar was found in it or in its lib/ directory. " + InstallHint);
            }

            return entries;
        }

        var required = new[] { "zookeeper.jar", "zookeeper-jute.jar" };
        var missing = required.Where(j => !File.Exists(Path.Combine(DebianJars, j))).ToList();
        if (missing.Count > 0)
        {
            throw new ZooKeeperNotInstalledException(
                $"The ZooKeeper jars were not found ({string.Join(", ", missing.Select(j => Path.Combine(DebianJars, j)))}). " + InstallHint);
        }

        // Debian's zookeeper.jar manifest lists most dependencies but not netty-codec, without which the Netty
        // connection factory (and so TLS) fails; slf4j-simple makes the server log to stderr (our server.log).
        var result = required.Select(j => Path.Combine(DebianJars, j)).ToList();
        foreach (var optional in new[] { "netty-codec.jar", "slf4j-simple.jar" })
        {
            var jar = Path.Combine(DebianJars, optional);
            if (File.Exists(jar))
            {
                result.Add(jar);
            }
        }

        return result;
    }
}
