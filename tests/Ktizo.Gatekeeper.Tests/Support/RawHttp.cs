using System.Net.Sockets;
using System.Text;

namespace Ktizo.Gatekeeper.Tests.Support;

/// <summary>
/// HTTP/1.1 written by hand on a TCP socket to 127.0.0.1: what HttpClient refuses to send (malformed
/// chunked bodies, a Host that is not one, a body that stalls) and what it hides (an answer arriving
/// before the body was sent).
/// </summary>
public sealed class RawHttp : IAsyncDisposable
{
    private readonly TcpClient _client;

    private RawHttp(TcpClient client)
    {
        _client = client;
        Stream = client.GetStream();
    }

    public NetworkStream Stream { get; }

    public static async Task<RawHttp> ConnectAsync(Uri baseAddress)
    {
        var client = new TcpClient();
        await client.ConnectAsync(baseAddress.Host, baseAddress.Port);
        return new RawHttp(client);
    }

    /// <summary>Sends a request head (lines joined with CRLF, a blank line added) and, when given, body bytes.</summary>
    public async Task SendAsync(string head, byte[]? body = null)
    {
        await Stream.WriteAsync(Encoding.ASCII.GetBytes(head.Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\n\r\n"));
        if (body is not null)
        {
            await Stream.WriteAsync(body);
        }
    }

    public Task SendAsync(byte[] bytes) => Stream.WriteAsync(bytes).AsTask();

    /// <summary>The answer's status code, its head and as much of its body as arrives (until close or a quiet moment).</summary>
    public async Task<(int Status, string Text)> ReadResponseAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var text = new StringBuilder();
        var buffer = new byte[8192];
        while (true)
        {
            int n;
            try
            {
                // After the head has arrived, a short quiet moment ends the read: the connection may stay open.
                using var quiet = text.ToString().Contains("\r\n\r\n", StringComparison.Ordinal)
                    ? CancellationTokenSource.CreateLinkedTokenSource(cts.Token)
                    : null;
                quiet?.CancelAfter(TimeSpan.FromMilliseconds(300));
                n = await Stream.ReadAsync(buffer, (quiet ?? cts).Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                break;
            }

            if (n == 0)
            {
                break;
            }

            text.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }

        var all = text.ToString();
        var parts = all.Split(' ', 3);
        return (parts.Length > 1 && all.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : 0, all);
    }

    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync();
        _client.Dispose();
    }
}
