namespace Recipes.Cli.Demo;

/// <summary>
/// Something every demo worker does for as long as it runs, beside taking part in the election and taking turns on
/// the lock: the extension point for per-worker recipes (registering in service discovery, binding hot-reloaded
/// options). Attached once per worker after it connected; the returned object is disposed when the worker stops.
/// </summary>
internal interface IDemoWorkerFeature
{
    Task<IAsyncDisposable> AttachAsync(DemoWorker worker, CancellationToken cancellationToken);
}
