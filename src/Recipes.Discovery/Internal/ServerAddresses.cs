using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Recipes.Discovery.Internal;

/// <summary>
/// The URLs the application's server listens on, read from ASP.NET Core's <c>IServer</c> features when the app has one
/// (looked up by name, so this library does not depend on ASP.NET Core), and the machine's address.
/// </summary>
internal static class ServerAddresses
{
    private const string ServerType = "Microsoft.AspNetCore.Hosting.Server.IServer, Microsoft.AspNetCore.Hosting.Server.Abstractions";
    private const string FeatureType = "Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature, Microsoft.AspNetCore.Hosting.Server.Abstractions";
    private const string CollectionType = "Microsoft.AspNetCore.Http.Features.IFeatureCollection, Microsoft.AspNetCore.Http.Features";

    /// <summary>The bound URLs (e.g. <c>http://127.0.0.1:5000</c>); empty when there is no ASP.NET Core server.</summary>
    public static IReadOnlyList<string> Read(IServiceProvider services)
    {
        var serverType = Type.GetType(ServerType, throwOnError: false);
        var featureType = Type.GetType(FeatureType, throwOnError: false);
        var collectionType = Type.GetType(CollectionType, throwOnError: false);
        if (serverType is null || featureType is null || collectionType is null || services.GetService(serverType) is not { } server)
        {
            return [];
        }

        var features = serverType.GetProperty("Features")?.GetValue(server);
        var feature = features is null ? null : collectionType.GetProperty("Item")?.GetValue(features, [featureType]);
        return feature is null ? [] : (featureType.GetProperty("Addresses")?.GetValue(feature) as IEnumerable<string>)?.ToList() ?? [];
    }

    /// <summary>Parses a bound URL, accepting Kestrel's wildcard hosts (<c>*</c>, <c>+</c>); host null for a wildcard.</summary>
    public static (string Scheme, string? Host, int Port)? Parse(string url)
    {
        var normalized = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
        if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri))
        {
            return null;
        }

        var host = uri.Host.Trim('[', ']');
        var wildcard = IPAddress.TryParse(host, out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any));
        return (uri.Scheme.ToLowerInvariant(), wildcard ? null : host, uri.Port);
    }

    /// <summary>The first up, non-loopback IPv4 address of this machine (Curator's default), else 127.0.0.1.</summary>
    public static string LocalAddress()
    {
        try
        {
            var address = NetworkInterface.GetAllNetworkInterfaces()
                .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(a => a.Address)
                .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
            return address?.ToString() ?? IPAddress.Loopback.ToString();
        }
        catch (NetworkInformationException)
        {
            return IPAddress.Loopback.ToString();
        }
    }

    /// <summary>The port as text, for log lines.</summary>
    public static string Text(int? port) => port?.ToString(CultureInfo.InvariantCulture) ?? "-";
}
