using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Recipes.Discovery.Tests;

/// <summary>A tiny HTTP server on 127.0.0.1 (HttpListener) that answers every request with its name and the path it got.</summary>
internal sealed class TestHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private int _requests;

    private TestHttpServer(string name)
    {
        Name = name;
        for (var attempt = 0; ; attempt++)
        {
            Port = FreePort();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // The port was taken between probing and binding: try another.
            }
        }

        _loop = Task.Run(ServeAsync);
    }

    public string Name { get; }

    public int Port { get; }

    public int Requests => Volatile.Read(ref _requests);

    public static TestHttpServer Start(string name) => new(name);

    public async ValueTask DisposeAsync()
    {
        if (_listener.IsListening)
        {
            _listener.Stop();
        }

        await _loop;
        _listener.Close();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            Interlocked.Increment(ref _requests);
            var body = Encoding.UTF8.GetBytes($"{Name} {context.Request.HttpMethod} {context.Request.Url!.PathAndQuery}");
            context.Response.StatusCode = 200;
            context.Response.ContentLength64 = body.Length;
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
    }
}
