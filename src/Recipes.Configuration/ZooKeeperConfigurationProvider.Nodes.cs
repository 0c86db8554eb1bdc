using System.Text;
using Microsoft.Extensions.Logging;
using Recipes.Configuration.Internal;
using Recipes.Core;

namespace Recipes.Configuration;

// The znodes as the tree cache reports them, each with what it contributes to the keys. Handlers run on the cache's
// loop, one at a time; the publisher reads under the same lock.
public sealed partial class ZooKeeperConfigurationProvider
{
    private readonly Lock _nodesLock = new();
    private readonly Dictionary<string, NodeEntry> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<(ZooKeeperConfigurationErrorKind, string), ZooKeeperConfigurationErrorEventArgs> _errors = [];
    private readonly HashSet<string> _collisionsLogged = new(StringComparer.OrdinalIgnoreCase);

    private void OnNodeChanged(object? sender, TreeCacheEventArgs e)
    {
        var node = e.NewNode!;
        if (_options.Mode == ZooKeeperConfigurationMode.Tree)
        {
            lock (_nodesLock)
            {
                _nodes[e.Path] = new NodeEntry(node.Data, null);
            }
        }
        else
        {
            Dictionary<string, string?> keys;
            try
            {
                keys = node.Data is { Length: > 0 } data
                    ? JsonFlattener.Flatten(data, KeyMapping.ToKey(_root, e.Path))
                    : new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            }
            catch (FormatException exception)
            {
                bool hadGood;
                lock (_nodesLock)
                {
                    hadGood = _nodes.ContainsKey(e.Path);
                }

                _logger.LogError(
                    "The JSON document in znode '{Path}' (version {Version}) is malformed, so it is ignored and {Kept}: {Reason}",
                    e.Path, node.Stat.Version, hadGood ? "its last good content stays in force" : "it contributes no keys", exception.Message);
                ReportError(ZooKeeperConfigurationErrorKind.MalformedDocument, e.Path, $"The JSON document (version {node.Stat.Version}) is malformed: {exception.Message}", exception);
                return;
            }

            lock (_nodesLock)
            {
                _nodes[e.Path] = new NodeEntry(null, keys);
            }

            ClearError(ZooKeeperConfigurationErrorKind.MalformedDocument, e.Path);
        }

        RequestPublish();
    }

    private void OnNodeDeleted(object? sender, TreeCacheEventArgs e)
    {
        lock (_nodesLock)
        {
            _nodes.Remove(e.Path);
        }

        ClearError(ZooKeeperConfigurationErrorKind.MalformedDocument, e.Path);
        RequestPublish();
    }

    /// <summary>The keys of every znode, prefixed and filtered: the candidate for the next publish.</summary>
    private Dictionary<string, string?> BuildKeys()
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var prefix = _options.KeyPrefix;
        var filter = _options.KeyFilter;
        lock (_nodesLock)
        {
            if (_options.Mode == ZooKeeperConfigurationMode.Tree)
            {
                HashSet<string>? parents = null;
                foreach (var (path, entry) in _nodes)
                {
                    if (path.Length == _root.Length)
                    {
                        continue; // the root's own data has no key
                    }

                    string? value;
                    if (entry.Value is { Length: > 0 } bytes)
                    {
                        value = Encoding.UTF8.GetString(bytes);
                    }
                    else
                    {
                        // Empty data: a section when it has children, otherwise a key holding "".
                        parents ??= ParentsOf(_nodes.Keys);
                        if (parents.Contains(path))
                        {
                            continue;
                        }

                        value = "";
                    }

                    Add(data, KeyMapping.Combine(prefix, KeyMapping.ToKey(_root, path)), value, filter, path);
                }
            }
            else
            {
                foreach (var (path, entry) in _nodes)
                {
                    foreach (var (key, value) in entry.Keys!)
                    {
                        Add(data, KeyMapping.Combine(prefix, key), value, filter, path);
                    }
                }
            }
        }

        return data;
    }

    private void Add(Dictionary<string, string?> data, string key, string? value, Func<string, bool>? filter, string path)
    {
        if (filter is not null && !filter(key))
        {
            return;
        }

        if (!data.TryAdd(key, value) && _collisionsLogged.Add(key))
        {
            _logger.LogWarning(
                "The configuration key '{Key}' comes from more than one znode under '{Root}' (keys ignore case; this one is '{Path}'); one of them wins arbitrarily.",
                key, _root, path);
        }

        data[key] = value;
    }

    private HashSet<string> ParentsOf(IEnumerable<string> paths)
    {
        var parents = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            if (path.Length > _root.Length)
            {
                var slash = path.LastIndexOf('/');
                parents.Add(slash == 0 ? "/" : path[..slash]);
            }
        }

        return parents;
    }

    private void ReportError(ZooKeeperConfigurationErrorKind kind, string source, string message, Exception? exception)
    {
        var error = new ZooKeeperConfigurationErrorEventArgs(kind, source, message, exception, _options.TimeProvider.GetUtcNow());
        lock (_errors)
        {
            _errors[(kind, source)] = error;
        }

        try
        {
            UpdateRejected?.Invoke(this, error);
        }
        catch (Exception handlerException)
        {
            _logger.LogError(handlerException, "An UpdateRejected handler of the ZooKeeper configuration '{Root}' threw.", _root);
        }
    }

    private void ClearError(ZooKeeperConfigurationErrorKind kind, string source)
    {
        bool removed;
        lock (_errors)
        {
            removed = _errors.Remove((kind, source));
        }

        if (removed)
        {
            _logger.LogInformation("The configuration problem at '{Source}' ({Kind}) is resolved.", source, kind);
        }
    }

    /// <summary>What one znode contributes: its raw value (tree mode) or its flattened document (JSON mode).</summary>
    private sealed record NodeEntry(byte[]? Value, IReadOnlyDictionary<string, string?>? Keys);
}
