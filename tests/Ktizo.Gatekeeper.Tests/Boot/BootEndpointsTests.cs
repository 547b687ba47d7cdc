using System.Net;
using System.Net.Http.Headers;
using Ktizo.Core.Inventory;
using Ktizo.Core.Rendering;
using Ktizo.Gatekeeper.Boot;
using Ktizo.Gatekeeper.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Ktizo.Gatekeeper.Tests.Boot;

public sealed class BootEndpointsTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ktizo-boot-").FullName;
    private readonly byte[] _kernel = Enumerable.Range(0, 10_000).Select(i => (byte)(i * 7)).ToArray();
    private WebApplication? _app;

    public async Task InitializeAsync()
    {
        await File.WriteAllBytesAsync(Path.Combine(_folder, "vmlinuz"), _kernel);
        await File.WriteAllTextAsync(Path.Combine(_folder, "initramfs.xz"), "initramfs");
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task BootIpxe_WithPublicBaseUrl_PointsEverythingThere()
    {
        var client = await Start(o => o.PublicBaseUrl = "http://10.0.5.2:8000/");

        var script = await client.GetStringAsync("/boot.ipxe");

        Assert.StartsWith("#!ipxe\n", script, StringComparison.Ordinal);
        Assert.Contains("kernel http://10.0.5.2:8000/talos/vmlinuz initrd=initramfs.xz talos.platform=metal console=tty0 init_on_alloc=1 ", script, StringComparison.Ordinal);
        Assert.Contains(" talos.config=http://10.0.5.2:8000/api/v1/config/download?mac=${mac:hexhyp}&uuid=${uuid}\n", script, StringComparison.Ordinal);
        Assert.Contains("initrd --name initramfs.xz http://10.0.5.2:8000/talos/initramfs.xz\n", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BootIpxe_WithoutPublicBaseUrl_UsesTheRequestsHost()
    {
        var client = await Start(o => o.ConsoleArgs = "console=ttyS0,115200n8");
        var request = new HttpRequestMessage(HttpMethod.Get, "/boot.ipxe");
        request.Headers.Host = "ktizo.lan:8000";

        var response = await client.SendAsync(request);
        var script = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("kernel http://ktizo.lan:8000/talos/vmlinuz ", script, StringComparison.Ordinal);
        Assert.Contains(" console=ttyS0,115200n8 ", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BootIpxe_WhenAnArgumentBreaksTheScript_Returns500WithoutDetail()
    {
        var client = await Start(o => o.KernelArgs = "pti=on\nchain http://elsewhere/");

        var response = await client.GetAsync("/boot.ipxe");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.DoesNotContain("elsewhere", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Talos_WholeFile_ReturnsBytesAndLength()
    {
        var client = await Start();

        var response = await client.GetAsync("/talos/vmlinuz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_kernel.Length, response.Content.Headers.ContentLength);
        Assert.Equal("bytes", response.Headers.AcceptRanges.Single());
        Assert.Equal(_kernel, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Talos_WholeFileLargerThanAnyCopyBuffer_ReturnsIdenticalBytesAndHeaders()
    {
        // Odd-sized and well past the 256 KiB chunk the whole-file path reads at a time.
        var large = Enumerable.Range(0, 3 * 1024 * 1024 + 12_345).Select(i => (byte)(i * 31 + (i >> 16))).ToArray();
        await File.WriteAllBytesAsync(Path.Combine(_folder, "initramfs.xz"), large);
        var lastWrite = File.GetLastWriteTimeUtc(Path.Combine(_folder, "initramfs.xz"));
        var client = await Start();

        var response = await client.GetAsync("/talos/initramfs.xz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(large.Length, response.Content.Headers.ContentLength);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("bytes", response.Headers.AcceptRanges.Single());
        Assert.Equal(new DateTimeOffset(lastWrite.AddTicks(-(lastWrite.Ticks % TimeSpan.TicksPerSecond))), response.Content.Headers.LastModified);
        Assert.Equal(large, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Talos_IfModifiedSinceTheLastWrite_Returns304WithoutBody()
    {
        var lastWrite = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(Path.Combine(_folder, "vmlinuz"), lastWrite);
        var client = await Start();
        var request = new HttpRequestMessage(HttpMethod.Get, "/talos/vmlinuz");
        request.Headers.IfModifiedSince = new DateTimeOffset(lastWrite);

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Talos_Range_Returns206WithThatSlice()
    {
        var client = await Start();
        var request = new HttpRequestMessage(HttpMethod.Get, "/talos/vmlinuz");
        request.Headers.Range = new RangeHeaderValue(1000, 1999);

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(1000, response.Content.Headers.ContentLength);
        Assert.Equal("bytes 1000-1999/10000", response.Content.Headers.ContentRange?.ToString());
        Assert.Equal(_kernel[1000..2000], await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Talos_RangeBeyondTheEnd_Returns416()
    {
        var client = await Start();
        var request = new HttpRequestMessage(HttpMethod.Get, "/talos/vmlinuz");
        request.Headers.Range = new RangeHeaderValue(20_000, null);

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
    }

    [Fact]
    public async Task Talos_Head_ReturnsLengthWithoutBody()
    {
        var client = await Start();

        var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/talos/initramfs.xz"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(9, response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/talos/missing")]
    [InlineData("/talos/..%2fsecret")]
    [InlineData("/talos/%2e%2e%2fsecret")]
    [InlineData("/talos/%2e%2e")]
    [InlineData("/talos/..%5csecret")]
    [InlineData("/talos/%2fetc%2fpasswd")]
    [InlineData("/talos/.hidden")]
    [InlineData("/talos/outside-link")]
    public async Task Talos_WhenThePathLeavesTheFolderOrIsMissing_Returns404(string url)
    {
        var secret = Path.Combine(Path.GetDirectoryName(_folder)!, $"secret-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(secret, "secret");
        File.CreateSymbolicLink(Path.Combine(_folder, "outside-link"), secret);
        await File.WriteAllTextAsync(Path.Combine(_folder, ".hidden"), "hidden");
        try
        {
            var client = await Start();

            var response = await client.GetAsync(url.Replace("secret", Path.GetFileName(secret), StringComparison.Ordinal));

            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        finally
        {
            File.Delete(secret);
        }
    }

    [Theory]
    [InlineData("ftp://10.0.5.2/")]
    [InlineData("http://10.0.5.2/${x}")]
    [InlineData("not a url")]
    public async Task AddBoot_WithAnUnusableBaseUrl_FailsAtStart(string url)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration["Boot:AssetsPath"] = _folder;
        builder.Configuration["Boot:PublicBaseUrl"] = url;
        builder.Services.AddBoot();
        builder.Services.AddOptions<BootOptions>().ValidateOnStart();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<BootOptions>>(new Settings.SettingsValidator(_ => null));
        _app = builder.Build();

        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => _app.StartAsync());

        Assert.Contains("Boot:PublicBaseUrl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddBoot_WithAMissingAssetsFolder_FailsAtStart()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration["Boot:AssetsPath"] = Path.Combine(_folder, "missing");
        builder.Services.AddBoot();
        builder.Services.AddOptions<BootOptions>().ValidateOnStart();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<BootOptions>>(new Settings.SettingsValidator(_ => null));
        _app = builder.Build();

        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => _app.StartAsync());

        Assert.Contains("Boot:AssetsPath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddBoot_WithoutBootSettings_TakesTheGatekeepersBaseUrlAndServesNoAssets()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration["PublicBaseUrl"] = "http://10.0.5.2:8000";
        builder.Services.AddBoot();
        _app = builder.Build();
        _app.MapBoot();
        await _app.StartAsync();
        var client = _app.GetTestClient();

        Assert.Contains("kernel http://10.0.5.2:8000/talos/vmlinuz ", await client.GetStringAsync("/boot.ipxe"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/talos/vmlinuz")).StatusCode);
    }

    [Fact]
    public async Task BootIpxe_WhileNoRenderIsServed_CarriesTheNewestTalosDefaultsAndHalts()
    {
        var client = await Start(o => o.PublicBaseUrl = "http://10.0.5.2:8000");

        var script = await client.GetStringAsync("/boot.ipxe");

        Assert.Contains(" selinux=1 module.sig_enforce=1 proc_mem.force_override=never talos.halt_if_installed=1 talos.config=", script, StringComparison.Ordinal);
        Assert.DoesNotContain("ima_", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BootIpxe_ForAServedV111ClusterThatDoesNotHalt_CarriesV111DefaultsOnly()
    {
        var cluster = new Cluster("c", "https://10.0.5.10:6443", "v1.11.6", null, new ClusterDefaults(null, [], null, null)) { Boot = new ClusterBoot(HaltIfInstalled: false) };
        var state = new ServingState();
        state.Swap(new ServingSnapshot(new RenderedSet("abc", cluster, [], []), "abc", DateTimeOffset.UnixEpoch));
        var client = await Start(o => o.PublicBaseUrl = "http://10.0.5.2:8000", state);

        var script = await client.GetStringAsync("/boot.ipxe");

        Assert.Contains("console=tty0 init_on_alloc=1 slab_nomerge pti=on consoleblank=0 nvme_core.io_timeout=4294967295 printk.devkmsg=on selinux=1 talos.config=", script, StringComparison.Ordinal);
        Assert.DoesNotContain("halt_if_installed", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BootIpxe_WithKernelArgsSet_TakesThemInsteadOfTalosDefaultsAndStillHalts()
    {
        var client = await Start(o => o.KernelArgs = "pti=on ima_hash=sha512");

        var script = await client.GetStringAsync("/boot.ipxe");

        Assert.Contains("talos.platform=metal console=tty0 pti=on ima_hash=sha512 talos.halt_if_installed=1 talos.config=", script, StringComparison.Ordinal);
    }

    private async Task<HttpClient> Start(Action<BootOptions>? configure = null, ServingState? state = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        if (state is not null)
        {
            builder.Services.AddSingleton(state);
        }

        builder.Services.Configure<BootOptions>(o =>
        {
            o.AssetsPath = _folder;
            configure?.Invoke(o);
        });
        _app = builder.Build();
        _app.MapBoot();
        await _app.StartAsync();
        return _app.GetTestClient();
    }
}
