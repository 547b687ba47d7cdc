using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ktizo.Testing.Git;

/// <summary>
/// A git smart-HTTP server on 127.0.0.1 for tests: Kestrel in front of <c>git http-backend</c> (CGI), serving
/// every repository under a folder, read-only. With a user and password it demands HTTP Basic authentication,
/// which is how a token reaches GitHub. Needs the system <c>git</c>.
/// </summary>
/// <example>
/// <code>
/// using var remote = new TempGitRemote();
/// await using var server = await GitHttpServer.StartAsync(remote.Root, "x-access-token", "s3cret");
/// var url = server.UrlFor("remote.git");           // http://127.0.0.1:PORT/remote.git
/// </code>
/// </example>
public sealed class GitHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _refused;
    private int _accepted;

    private GitHttpServer(WebApplication app) => _app = app;

    /// <summary>Base address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Requests answered 401 because credentials were missing or wrong.</summary>
    public int RefusedRequests => _refused;

    /// <summary>Requests handed to git http-backend.</summary>
    public int AcceptedRequests => _accepted;

    /// <summary>The URL of a repository under the served folder.</summary>
    public string UrlFor(string repositoryRelativePath) => new Uri(BaseAddress, repositoryRelativePath).AbsoluteUri;

    /// <param name="projectRoot">Folder whose repositories are served (e.g. <see cref="TempGitRemote.Root"/>).</param>
    /// <param name="user">Required Basic user, or null for no authentication.</param>
    /// <param name="password">Required Basic password (the token).</param>
    public static async Task<GitHttpServer> StartAsync(string projectRoot, string? user = null, string? password = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new GitHttpServer(app);
        var expected = user is null ? null : "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
        app.Run(context => server.HandleAsync(context, projectRoot, expected));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context, string projectRoot, string? expectedAuthorization)
    {
        if (expectedAuthorization is not null && context.Request.Headers.Authorization.ToString() != expectedAuthorization)
        {
            Interlocked.Increment(ref _refused);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"git\"";
            return;
        }

        Interlocked.Increment(ref _accepted);
        var request = context.Request;
        var start = new ProcessStartInfo("git", "http-backend")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The CGI variables http-backend reads (see git-http-backend(1)).
        start.Environment["GIT_PROJECT_ROOT"] = projectRoot;
        start.Environment["GIT_HTTP_EXPORT_ALL"] = "1";
        start.Environment["PATH_INFO"] = request.Path.Value ?? "/";
        start.Environment["QUERY_STRING"] = request.QueryString.HasValue ? request.QueryString.Value![1..] : "";
        start.Environment["REQUEST_METHOD"] = request.Method;
        start.Environment["CONTENT_TYPE"] = request.ContentType ?? "";
        start.Environment["REMOTE_ADDR"] = "127.0.0.1";
        start.Environment["HTTP_CONTENT_ENCODING"] = request.Headers.ContentEncoding.ToString();
        start.Environment["GIT_PROTOCOL"] = request.Headers["Git-Protocol"].ToString();

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdin = Task.Run(async () =>
        {
            await request.Body.CopyToAsync(process.StandardInput.BaseStream);
            process.StandardInput.Close();
        });

        var output = process.StandardOutput.BaseStream;
        foreach (var header in await ReadCgiHeadersAsync(output))
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            var name = header[..colon].Trim();
            var value = header[(colon + 1)..].Trim();
            if (name.Equals("Status", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.StatusCode = int.Parse(value.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                context.Response.Headers[name] = value;
            }
        }

        await output.CopyToAsync(context.Response.Body);
        await stdin;
        await stderr;
        await process.WaitForExitAsync();
    }

    /// <summary>Header lines up to the blank line; the stream is left at the body's first byte.</summary>
    private static async Task<List<string>> ReadCgiHeadersAsync(Stream output)
    {
        var headers = new List<string>();
        var line = new List<byte>();
        var one = new byte[1];
        while (await output.ReadAsync(one) == 1)
        {
            if (one[0] == (byte)'\n')
            {
                var text = Encoding.ASCII.GetString(line.ToArray()).TrimEnd('\r');
                if (text.Length == 0)
                {
                    break;
                }

                headers.Add(text);
                line.Clear();
            }
            else
            {
                line.Add(one[0]);
            }
        }

        return headers;
    }
}
