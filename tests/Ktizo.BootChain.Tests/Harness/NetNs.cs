using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Ktizo.BootChain.Tests.Harness;

/// <summary>
/// Sockets inside a network namespace, made from this process: a thread of its own enters the
/// namespace, creates the socket and ends. A socket stays in the namespace it was created in, so the
/// test can listen on, and connect to, the namespace's addresses without a route out of it.
/// </summary>
internal static partial class NetNs
{
    private const int CloneNewNet = 0x40000000;

    public static Socket CreateSocket(string ns, AddressFamily family, SocketType type, ProtocolType protocol)
    {
        Socket? socket = null;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var target = File.OpenHandle($"/var/run/netns/{ns}");
                if (SetNs((int)target.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new InvalidOperationException($"setns into network namespace {ns} failed: errno {Marshal.GetLastPInvokeError()}");
                }

                // The thread ends right after; it never runs anything else in the namespace.
                socket = new Socket(family, type, protocol);
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        thread.Start();
        thread.Join();
        return socket ?? throw new InvalidOperationException($"cannot create a socket in network namespace {ns}", error);
    }

    /// <summary>An HTTP client whose every connection is made inside <paramref name="ns"/>.</summary>
    public static HttpClient HttpClient(string ns, Uri baseAddress) =>
        new(new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancel) =>
            {
                var socket = CreateSocket(ns, AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, cancel);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(20),
        };

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEuid();
}
