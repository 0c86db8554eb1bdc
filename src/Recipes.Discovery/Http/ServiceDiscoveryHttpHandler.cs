using Microsoft.Extensions.Logging;

namespace Recipes.Discovery.Http;

/// <summary>
/// Sends a request for <c>http://&lt;service&gt;/path</c> to a live instance of <c>&lt;service&gt;</c> picked by the
/// discovery's shared provider; an instance that cannot be reached is reported to the down-instance policy and the next
/// one is tried, up to <see cref="ServiceDiscoveryHttpOptions.MaxAttempts"/> instances.
/// </summary>
internal sealed class ServiceDiscoveryHttpHandler(ServiceDiscovery discovery, ServiceDiscoveryHttpOptions options, ILogger<ServiceDiscoveryHttpHandler> logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var original = request.RequestUri;
        if (original is null || !original.IsAbsoluteUri)
        {
            throw new InvalidOperationException(
                $"A request through ZooKeeper discovery needs an absolute URI naming the service as its host (e.g. http://orders/api), not '{original}'.");
        }

        var service = original.Host;
        var provider = await discovery.GetProviderAsync(service, cancellationToken).ConfigureAwait(false);
        if (request.Content is not null)
        {
            // Buffered so that a retry on another instance can send it again.
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        }

        var tried = new List<ServiceInstance>();
        HttpRequestException? lastError = null;
        for (var attempt = 0; attempt < options.MaxAttempts; attempt++)
        {
            var instance = Pick(provider, tried);
            if (instance is null)
            {
                break;
            }

            tried.Add(instance);
            request.RequestUri = Rewrite(original, instance);
            try
            {
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested)
            {
                provider.NoteError(instance);
                lastError = e;
                if (!MayRetry(request, e))
                {
                    logger.LogWarning(e, "Request to {Instance} of service '{Service}' failed after it may have been sent; not retried ({Method}).", instance, service, request.Method);
                    throw;
                }

                logger.LogWarning(e, "Request to {Instance} of service '{Service}' failed ({Message}); trying another instance.", instance, service, e.Message);
            }
            finally
            {
                request.RequestUri = original;
            }
        }

        var reason = tried.Count == 0
            ? $"there is no live, enabled and up instance of service '{service}' under '{discovery.BasePath}'"
            : $"none of the {tried.Count} instance(s) of service '{service}' tried ({string.Join(", ", tried.Select(i => i.Id))}) could be reached";
        throw new HttpRequestException($"Request to {original} failed: {reason}.", lastError);
    }

    /// <summary>
    /// Whether another instance may be tried: always when no connection could be made (nothing was sent); otherwise only
    /// for idempotent methods, since the failed instance may have acted on the request.
    /// </summary>
    private static bool MayRetry(HttpRequestMessage request, HttpRequestException error) =>
        error.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
        || request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Options
        || request.Method == HttpMethod.Put || request.Method == HttpMethod.Delete || request.Method == HttpMethod.Trace;

    /// <summary>The strategy's pick, or when it picks one already tried, the first usable one not yet tried.</summary>
    private static ServiceInstance? Pick(ServiceInstanceProvider provider, List<ServiceInstance> tried)
    {
        var picked = provider.GetInstance();
        if (picked is not null && !tried.Any(t => StickyStrategy.SameEndpoint(t, picked)))
        {
            return picked;
        }

        return provider.GetAllInstances().FirstOrDefault(i => !tried.Any(t => StickyStrategy.SameEndpoint(t, i)));
    }

    private static Uri Rewrite(Uri original, ServiceInstance instance)
    {
        var secure = string.Equals(original.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase);
        var port = secure ? instance.SslPort ?? instance.Port : instance.Port ?? instance.SslPort;
        if (string.IsNullOrEmpty(instance.Address) || port is null)
        {
            throw new HttpRequestException($"Instance {instance} of service '{instance.Name}' has no address or port to send {original} to.");
        }

        var builder = new UriBuilder(original) { Host = instance.Address, Port = port.Value };
        return builder.Uri;
    }
}
