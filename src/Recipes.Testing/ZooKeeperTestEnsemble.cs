using System.Diagnostics;
using System.Globalization;
using Recipes.Testing.Internal;

namespace Recipes.Testing;

/// <summary>
/// A real ZooKeeper quorum of N servers (default 3), each a child process on 127.0.0.1 with its own client, quorum
/// and election ports chosen at run time. Nodes are numbered 1..N (their <c>myid</c>).
/// </summary>
/// <remarks>
/// Process lifetime, temp directories and requirements are as for <see cref="ZooKeeperTestServer"/>. TLS is not
/// supported here. A stopped or killed node restarts on the same ports and data.
/// </remarks>
public sealed class ZooKeeperTestEnsemble : IAsyncDisposable
{
    private const int BindAttempts = 3;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RebindDelay = TimeSpan.FromMilliseconds(500);

    private readonly ServerNode[] _nodes;
    private readonly ZooKeeperTestServerOptions _options;
    private readonly string _directory;
    private readonly bool _ownsDirectory;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _disposed;

    private ZooKeeperTestEnsemble(ServerNode[] nodes, ZooKeeperTestServerOptions options, string directory, bool ownsDirectory)
    {
        _nodes = nodes;
        _options = options;
        _directory = directory;
        _ownsDirectory = ownsDirectory;
    }

    /// <summary>How many servers the ensemble has.</summary>
    public int NodeCount => _nodes.Length;

    /// <summary>The connection string listing every node: <c>127.0.0.1:p1,127.0.0.1:p2,...</c>.</summary>
    public string ConnectionString => string.Join(',', Enumerable.Range(1, NodeCount).Select(ConnectionStringFor));

    /// <summary>The root directory; node <c>i</c> lives in <c>node-i</c> under it.</summary>
    public string DataDirectory => _directory;

    /// <summary>
    /// Starts <paramref name="nodeCount"/> servers and waits until a quorum has formed (every node answers, one is the
    /// leader, the rest are followers).
    /// </summary>
    /// <param name="nodeCount">How many servers; at least 2. Default 3.</param>
    /// <param name="options">Settings applied to every node; null for the defaults. <see cref="ZooKeeperTestServerOptions.EnableTls"/> is not supported.</param>
    /// <param name="cancellationToken">Cancels the start (the processes are then killed).</param>
    /// <exception cref="ZooKeeperNotInstalledException">Java or the ZooKeeper jars are missing.</exception>
    /// <exception cref="TimeoutException">No quorum formed within <see cref="ZooKeeperTestServerOptions.StartTimeout"/>.</exception>
    public static async Task<ZooKeeperTestEnsemble> StartAsync(int nodeCount = 3, ZooKeeperTestServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodeCount, 2);
        options = (options ?? new ZooKeeperTestServerOptions()).Clone();
        options.Validate();
        if (options.EnableTls)
        {
            throw new NotSupportedException("TLS is supported by ZooKeeperTestServer only, not by ZooKeeperTestEnsemble.");
        }

        var java = JavaInstallation.Get();
        TestDirectories.DeleteStaleOnce();
        var ownsDirectory = options.DataDirectory is null;
        var directory = ownsDirectory ? TestDirectories.Create() : Path.GetFullPath(options.DataDirectory!);
        Directory.CreateDirectory(directory);
        var nodes = Enumerable.Range(1, nodeCount)
            .Select(i => new ServerNode($"node {i}", Path.Combine(directory, "node-" + i.ToString(CultureInfo.InvariantCulture)), java, options.Logger))
            .ToArray();
        var ensemble = new ZooKeeperTestEnsemble(nodes, options, directory, ownsDirectory);
        try
        {
            var stopwatch = Stopwatch.StartNew();
            for (var attempt = 1; ; attempt++)
            {
                var ports = FreePorts.Allocate(3 * nodeCount);
                for (var i = 0; options.ClientPort is { } first && i < nodeCount; i++)
                {
                    FreePorts.EnsureFree(first + i);
                }

                var layout = Enumerable.Range(0, nodeCount)
                    .Select(i => new NodePorts(options.ClientPort is { } first ? first + i : ports[3 * i], null, ports[(3 * i) + 1], ports[(3 * i) + 2]))
                    .ToArray();
                for (var i = 0; i < nodeCount; i++)
                {
                    nodes[i].Configure(options, layout[i], tls: null, layout, myId: i + 1);
                }

                var started = await Task.WhenAll(nodes.Select(n => n.TryStartAsync(options.StartTimeout, requireServing: false, cancellationToken)));
                if (started.All(s => s))
                {
                    break;
                }

                await Task.WhenAll(nodes.Select(n => n.KillAsync(CancellationToken.None)));
                if (attempt == BindAttempts || options.ClientPort is not null)
                {
                    throw new InvalidOperationException(options.ClientPort is { } first
                        ? $"The ensemble could not start on client ports {first}..{first + nodeCount - 1} (is one in use?); see the server.log files under {directory}."
                        : $"The ensemble could not bind free ports after {BindAttempts} attempts; see the server.log files under {directory}.");
                }
            }

            var remaining = options.StartTimeout - stopwatch.Elapsed;
            await ensemble.WaitForQuorumAsync(remaining > TimeSpan.FromSeconds(5) ? remaining : TimeSpan.FromSeconds(5), cancellationToken);
            return ensemble;
        }
        catch
        {
            await ensemble.DisposeAsync();
            throw;
        }
    }

    /// <summary>The connection string of one node: <c>127.0.0.1:port</c>.</summary>
    /// <param name="node">The node number, 1..<see cref="NodeCount"/>.</param>
    public string ConnectionStringFor(int node) => "127.0.0.1:" + ClientPortFor(node).ToString(CultureInfo.InvariantCulture);

    /// <summary>The client port of one node.</summary>
    /// <param name="node">The node number, 1..<see cref="NodeCount"/>.</param>
    public int ClientPortFor(int node) => Node(node).Ports.Client;

    /// <summary>Whether one node's process is running.</summary>
    /// <param name="node">The node number, 1..<see cref="NodeCount"/>.</param>
    public bool IsNodeRunning(int node) => Node(node).IsRunning;

    /// <summary>One node's JVM process id while it runs; null otherwise.</summary>
    /// <param name="node">The node number, 1..<see cref="NodeCount"/>.</param>
    public int? ProcessIdOf(int node) => Node(node).ProcessId;

    /// <summary>Stops one node (SIGTERM, then SIGKILL after 10 s). Does nothing if it is not running.</summary>
    /// <param name="node">The node number, 1..<see cref="NodeCount"/>.</param>
    /// <param name="cancellationToken">Cancels the wait for the process to exit.</param>
    public Task StopNodeAsync(int node, CancellationToken cancellationToken = default)
        => WithGateAsync(node, n => n.StopAsync(cancellationToken), cancellationToken);

    /// <summary>Kills one node with SIGKILL at once. Does nothing if it is not running.</summary>
    /// <param name="node">The node number, 1..<see cref="NodeCount"/>.</param>
    /// <param name="cancellationToken">Cancels the wait for the process to exit.</param>
    public Task KillNodeAsync(int node, CancellationToken cancellationToken = default)
        => WithGateAsync(node, n => n.KillAsync(cancellationToken), cancellationToken);

    /// <summary>
    /// Starts a stopped node again on its ports and data and waits until it answers <c>ruok</c>. It does not wait for
    /// the node to join the quorum: call <see cref="WaitForQuorumAsync"/> for that.
    /// </summary>
    /// <param name="node">The node number, 1..<see cref="NodeCount"/>.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public Task StartNodeAsync(int node, CancellationToken cancellationToken = default)
        => WithGateAsync(node, n => StartSamePortsAsync(n, cancellationToken), cancellationToken);

    /// <summary>Sends a four-letter word to one node; see <see cref="FourLetterWords.SendAsync"/>.</summary>
    /// <param name="node">The node number, 1..<see cref="NodeCount"/>.</param>
    /// <param name="word">Exactly four lower-case ASCII letters.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    public Task<string> SendFourLetterWordAsync(int node, string word, CancellationToken cancellationToken = default)
        => Node(node).SendFourLetterWordAsync(word, cancellationToken);

    /// <summary>The number of the node whose <c>srvr</c> says <c>Mode: leader</c>, asking each running node once.</summary>
    /// <param name="cancellationToken">Cancels the queries.</param>
    /// <exception cref="InvalidOperationException">No running node is the leader right now.</exception>
    public async Task<int> FindLeaderAsync(CancellationToken cancellationToken = default)
    {
        var modes = await GetModesAsync(cancellationToken);
        var leader = Array.IndexOf(modes, "leader");
        return leader >= 0
            ? leader + 1
            : throw new InvalidOperationException("No node is the leader right now: " + Describe(modes));
    }

    /// <summary>
    /// Waits until the running nodes form a quorum: they are a majority of the ensemble, each answers <c>srvr</c>,
    /// exactly one is the leader and the others are followers.
    /// </summary>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="TimeoutException">No quorum within <paramref name="timeout"/>; the message lists each node's mode.</exception>
    public async Task WaitForQuorumAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var modes = await GetModesAsync(cancellationToken);
            var running = Enumerable.Range(0, NodeCount).Where(i => _nodes[i].IsRunning).ToList();
            var leaders = running.Count(i => modes[i] == "leader");
            var followers = running.Count(i => modes[i] == "follower");
            if (running.Count > NodeCount / 2 && leaders == 1 && leaders + followers == running.Count)
            {
                return;
            }

            if (stopwatch.Elapsed > timeout)
            {
                throw new TimeoutException($"No quorum within {timeout.TotalSeconds:0.#} s: {Describe(modes)}. Logs are under {_directory}.");
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    /// <summary>Kills every node and deletes the directory unless <see cref="ZooKeeperTestServerOptions.DataDirectory"/> was given.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await Task.WhenAll(_nodes.Select(n => n.KillAsync(CancellationToken.None)));
            if (_ownsDirectory)
            {
                TestDirectories.TryDelete(_directory);
                ProcessRegistry.RemoveDirectory(_directory);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private ServerNode Node(int node)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(node, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(node, _nodes.Length);
        return _nodes[node - 1];
    }

    private async Task<string?[]> GetModesAsync(CancellationToken cancellationToken)
        => await Task.WhenAll(_nodes.Select(n => n.IsRunning ? n.GetModeAsync(cancellationToken) : Task.FromResult<string?>(null)));

    private string Describe(string?[] modes)
        => string.Join(", ", modes.Select((m, i) => $"node {i + 1}: {(_nodes[i].IsRunning ? m ?? "not serving" : "stopped")}"));

    private async Task WithGateAsync(int node, Func<ServerNode, Task> action, CancellationToken cancellationToken)
    {
        var target = Node(node);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await action(target);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task StartSamePortsAsync(ServerNode node, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + _options.StartTimeout;
        while (!await node.TryStartAsync(_options.StartTimeout, requireServing: false, cancellationToken))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"ZooKeeper {node.Name} could not bind its ports again; see {node.LogPath}.");
            }

            await Task.Delay(RebindDelay, cancellationToken);
        }
    }
}
