using System.Text;
using System.Text.Json;
using Recipes.Configuration.Internal;
using Recipes.Core;
using Recipes.ZooKeeper;

namespace Recipes.Configuration;

/// <summary>
/// Writes configuration into a ZooKeeper tree in the <see cref="ZooKeeperConfigurationMode.Tree"/> layout (one znode
/// per key, <c>Logging:LogLevel:Default</c> at <c>&lt;root&gt;/Logging/LogLevel/Default</c>). Every call is one atomic
/// multi: readers (and <see cref="ZooKeeperConfigurationProvider"/>) see all of it or none of it.
/// </summary>
/// <remarks>
/// Keys are relative to the root (no key prefix). Missing parents are created as persistent znodes with empty data.
/// Values are stored as UTF-8; null is stored as empty data. A multi is bounded by the server's request size
/// (<c>jute.maxbuffer</c>, 1 MB by default), which limits how much one import can carry. When a concurrent writer
/// changes the same nodes between the read and the multi, the call reads again and retries (a few times).
/// </remarks>
public sealed class ZooKeeperConfigurationWriter
{
    private const int Attempts = 5;
    private readonly IZooKeeperConnection _connection;
    private readonly string _root;

    /// <summary>Creates a writer for the tree at <paramref name="path"/>.</summary>
    /// <param name="connection">The connection (not owned).</param>
    /// <param name="path">The root znode, e.g. <c>/config/myapp</c>.</param>
    /// <exception cref="ArgumentException">The path is invalid.</exception>
    public ZooKeeperConfigurationWriter(IZooKeeperConnection connection, string path)
    {
        ArgumentNullException.ThrowIfNull(connection);
        PathUtils.Validate(path);
        _connection = connection;
        _root = path;
    }

    /// <summary>The root znode.</summary>
    public string Path => _root;

    /// <summary>Sets one key (creating its znode and missing parents).</summary>
    /// <param name="key">The key, e.g. <c>Logging:LogLevel:Default</c>.</param>
    /// <param name="value">The value; null stores empty data.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException">The key cannot be stored (empty part, '/', control characters).</exception>
    public Task SetAsync(string key, string? value, CancellationToken cancellationToken = default) =>
        SetManyAsync([new KeyValuePair<string, string?>(key, value)], cancellationToken);

    /// <summary>Sets several keys in one multi.</summary>
    /// <param name="values">The keys and values.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException">A key cannot be stored, or appears twice.</exception>
    public Task SetManyAsync(IEnumerable<KeyValuePair<string, string?>> values, CancellationToken cancellationToken = default)
    {
        var desired = ToPaths(values);
        return WriteAsync(desired, replace: false, cancellationToken);
    }

    /// <summary>Deletes a key and every key below it (its znode and subtree), in one multi.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>False when there was no such key.</returns>
    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = KeyMapping.ToPath(_root, key);
        for (var attempt = 1; ; attempt++)
        {
            var nodes = await ReadTreeAsync(path, cancellationToken).ConfigureAwait(false);
            if (nodes.Count == 0)
            {
                return false;
            }

            var ops = nodes.Keys.OrderByDescending(Depth).ThenBy(p => p, StringComparer.Ordinal).Select(p => (Op)Op.Delete(p)).ToList();
            try
            {
                await MultiAsync(ops, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (MultiException exception) when (attempt < Attempts && exception.Code is ErrorCode.NotEmpty or ErrorCode.NoNode)
            {
                // Someone changed the subtree meanwhile: read it again.
            }
        }
    }

    /// <summary>
    /// Imports a JSON document (flattened as the JSON configuration provider does) into the tree in one multi.
    /// With <paramref name="replace"/>, znodes the document does not hold are deleted, so the tree equals the document.
    /// </summary>
    /// <param name="json">The document (UTF-8).</param>
    /// <param name="replace">Whether to delete what the document does not hold.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The number of keys imported.</returns>
    /// <exception cref="FormatException">The document is not valid JSON, or repeats a key.</exception>
    public async Task<int> ImportJsonAsync(Stream json, bool replace = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var buffer = new MemoryStream();
        await json.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        var keys = JsonFlattener.Flatten(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), "");
        var desired = ToPaths(keys);
        await WriteAsync(desired, replace, cancellationToken).ConfigureAwait(false);
        return desired.Count;
    }

    /// <summary>
    /// Writes the tree as one nested JSON document (what <see cref="ImportJsonAsync"/> reads back). Array items come
    /// out as objects with keys "0", "1", ..., which configuration reads the same.
    /// </summary>
    /// <param name="destination">Where the document goes (UTF-8).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="InvalidOperationException">A znode holds a value and also has children, which JSON cannot express.</exception>
    public async Task ExportJsonAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var nodes = await ReadTreeAsync(_root, cancellationToken).ConfigureAwait(false);
        var children = nodes.Keys.Where(p => p.Length > _root.Length)
            .GroupBy(Parent, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        await using var writer = new Utf8JsonWriter(destination, new JsonWriterOptions { Indented = true });
        WriteNode(writer, _root, nodes, children, isRoot: true);
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void WriteNode(Utf8JsonWriter writer, string path, IReadOnlyDictionary<string, NodeSnapshot> nodes, Dictionary<string, List<string>> children, bool isRoot)
    {
        if (children.TryGetValue(path, out var names))
        {
            if (!isRoot && nodes[path].Data is { Length: > 0 })
            {
                throw new InvalidOperationException($"The znode '{path}' holds a value and has children; a JSON document cannot express both.");
            }

            writer.WriteStartObject();
            foreach (var child in names)
            {
                writer.WritePropertyName(child[(child.LastIndexOf('/') + 1)..]);
                WriteNode(writer, child, nodes, children, isRoot: false);
            }

            writer.WriteEndObject();
        }
        else if (isRoot)
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteStringValue(nodes[path].Data is { } data ? Encoding.UTF8.GetString(data) : "");
        }
    }

    private Dictionary<string, byte[]> ToPaths(IEnumerable<KeyValuePair<string, string?>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var desired = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in values)
        {
            if (!desired.TryAdd(KeyMapping.ToPath(_root, key), value is null ? [] : Encoding.UTF8.GetBytes(value)))
            {
                throw new ArgumentException($"The key '{key}' is given more than once.", nameof(values));
            }
        }

        return desired;
    }

    /// <summary>Creates or updates every desired znode (and deletes the rest with <paramref name="replace"/>) in one multi.</summary>
    private async Task WriteAsync(Dictionary<string, byte[]> desired, bool replace, CancellationToken cancellationToken)
    {
        // Every znode from '/' down to each desired one must exist; the desired ones carry data, the others are sections.
        var needed = new SortedSet<string>(desired.Keys, StringComparer.Ordinal);
        foreach (var path in desired.Keys)
        {
            for (var parent = Parent(path); parent != "/"; parent = Parent(parent))
            {
                needed.Add(parent);
            }
        }

        needed.Add(_root);
        needed.Remove("/");
        for (var attempt = 1; ; attempt++)
        {
            IReadOnlyDictionary<string, NodeSnapshot> tree = replace
                ? await ReadTreeAsync(_root, cancellationToken).ConfigureAwait(false)
                : new Dictionary<string, NodeSnapshot>(StringComparer.Ordinal);
            var existing = await ExistingAsync(needed.Where(p => !tree.ContainsKey(p)).ToList(), cancellationToken).ConfigureAwait(false);
            var ops = new List<Op>();
            if (replace)
            {
                foreach (var path in tree.Keys.Where(p => !needed.Contains(p)).OrderByDescending(Depth).ThenBy(p => p, StringComparer.Ordinal))
                {
                    ops.Add(Op.Delete(path, tree[path].Stat.Version));
                }
            }

            foreach (var path in needed.OrderBy(Depth).ThenBy(p => p, StringComparer.Ordinal))
            {
                var exists = tree.TryGetValue(path, out var node) || existing.Contains(path);
                if (!desired.TryGetValue(path, out var data))
                {
                    if (!exists)
                    {
                        ops.Add(Op.Create(path, [], CreateMode.Persistent, _connection.Options.DefaultAcl));
                    }
                }
                else if (!exists)
                {
                    ops.Add(Op.Create(path, data, CreateMode.Persistent, _connection.Options.DefaultAcl));
                }
                else if (node is null || !(node.Data ?? []).AsSpan().SequenceEqual(data))
                {
                    ops.Add(Op.SetData(path, data, node?.Stat.Version ?? -1));
                }
            }

            if (ops.Count == 0)
            {
                return;
            }

            try
            {
                await MultiAsync(ops, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (MultiException exception) when (attempt < Attempts && exception.Code is ErrorCode.NodeExists or ErrorCode.NoNode or ErrorCode.BadVersion or ErrorCode.NotEmpty)
            {
                // A concurrent writer changed the tree between the read and the multi: read again.
            }
        }
    }

    private Task<HashSet<string>> ExistingAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken) =>
        _connection.ExecuteAsync(
            async (client, ct) =>
            {
                var stats = await Task.WhenAll(paths.Select(p => client.ExistsAsync(p, null, ct))).ConfigureAwait(false);
                return paths.Where((_, i) => stats[i] is not null).ToHashSet(StringComparer.Ordinal);
            },
            cancellationToken);

    private Task<IReadOnlyList<OpResult>> MultiAsync(IReadOnlyList<Op> ops, CancellationToken cancellationToken) =>
        _connection.ExecuteAsync((client, ct) => client.MultiAsync(ops, ct), cancellationToken);

    /// <summary>Every znode at and below <paramref name="path"/>, read once through Core's tree cache.</summary>
    private async Task<IReadOnlyDictionary<string, NodeSnapshot>> ReadTreeAsync(string path, CancellationToken cancellationToken)
    {
        var cache = new TreeCache(_connection, path);
        await using (cache.ConfigureAwait(false))
        {
            await cache.StartAsync(cancellationToken).ConfigureAwait(false);
            return cache.Snapshot();
        }
    }

    private static string Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash == 0 ? "/" : path[..slash];
    }

    private static int Depth(string path) => path.Count(c => c == '/');
}
