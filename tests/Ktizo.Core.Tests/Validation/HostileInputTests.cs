using System.Text;
using Ktizo.Core.Rendering;
using Ktizo.Core.Validation;
using Ktizo.Testing;

namespace Ktizo.Core.Tests.Validation;

/// <summary>Inputs written to break the renderer: each must end in an error, never a hang, a crash or a served config.</summary>
public class HostileInputTests
{
    private const string Device = "inventory/devices/worker-09.yaml";

    [Fact]
    public void Render_WhenDeviceFileIsAnAliasBomb_RefusesItQuickly()
    {
        var bomb = new StringBuilder("a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n");
        for (var i = 0; i < 9; i++)
        {
            var prev = (char)('a' + i);
            var next = (char)('b' + i);
            bomb.Append($"{next}: &{next} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n");
        }

        var errors = RenderBroken(t => t.Add(Device, bomb.ToString()));

        Assert.Contains(errors, e => e.Code == "yaml-alias" && e.Location.File == Device);
    }

    [Fact]
    public void Render_WhenDeviceFileIsTenMegabytes_RefusesItWithoutParsing()
    {
        var huge = "mac: 52:54:00:00:05:29\n" + "# " + new string('x', 10 * 1024 * 1024) + "\n";

        var errors = RenderBroken(t => t.Add(Device, huge));

        var error = Assert.Single(errors);
        Assert.Equal("file-too-large", error.Code);
        Assert.Equal(Device, error.Location.File);
    }

    [Theory]
    [InlineData(nameof(HostileTemplates.LoopsForever), "template-loop-limit")]
    [InlineData(nameof(HostileTemplates.RecursesForever), "template-recursion-limit")]
    [InlineData(nameof(HostileTemplates.DoublesAString), "template-output-too-large")]
    [InlineData(nameof(HostileTemplates.DoublesAnArray), "template-loop-limit")]
    [InlineData(nameof(HostileTemplates.CountsABillion), "template-loop-limit")]
    [InlineData(nameof(HostileTemplates.WritesTooMuch), "template-output-too-large")]
    [InlineData("NestsLoops", "template-loop-limit")]
    public void Render_WhenTemplateHitsALimit_ReportsThatLimitsCodeAtTheTemplate(string template, string code)
    {
        var text = template == "NestsLoops"
            ? "{{ for a in 1..5000 }}{{ for b in 1..5000 }}xxxxxxxx{{ end }}{{ end }}\n"
            : (string)typeof(HostileTemplates).GetField(template)!.GetValue(null)!;

        var errors = RenderBroken(t => t.Add(HostileTemplates.PatchPath, text));

        var error = Assert.Single(errors, e => e.Location.File == HostileTemplates.PatchPath);
        Assert.Equal(code, error.Code);
    }

    [Fact]
    public void Render_WhenTemplateBurnsCpu_ReportsTemplateTimeoutNotRuntime()
    {
        var tree = ExampleRepository.Load();
        tree.Add(HostileTemplates.PatchPath, HostileTemplates.BurnsCpu);

        var result = Renderer.Render(tree, limits: new RenderLimits { TemplateTimeout = TimeSpan.FromMilliseconds(200) });

        Assert.Null(result.Set);
        var error = Assert.Single(result.Errors);
        Assert.Equal("template-timeout", error.Code);
        Assert.Equal(HostileTemplates.PatchPath, error.Location.File);
        Assert.Contains("more than 200 ms", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_WhenFileIsNotUtf8_ReportsEncoding()
    {
        var errors = RenderBroken(t => t.Add(Device, [0x6d, 0x61, 0x63, 0x3a, 0x20, 0xff, 0xfe, 0x0a]));

        Assert.Contains(errors, e => e.Code == "invalid-encoding" && e.Location.File == Device);
    }

    [Theory]
    [InlineData("\"cp\\nmachine:\\n  type: worker\"")]
    [InlineData("\"cp: {injected: true}\"")]
    [InlineData("\"- cp\"")]
    [InlineData("\"cp # comment\"")]
    [InlineData("\"{{ cluster.name }}\"")]
    [InlineData("\"cp\\u2028x\"")]
    public void Render_WhenHostnameTriesToInjectYaml_IsAValidationErrorNotAConfig(string hostname)
    {
        var errors = RenderBroken(t => t.Add(Device, $"mac: 52:54:00:00:05:29\nhostname: {hostname}\nrole: worker\nip: 10.0.5.29/24\n"));

        Assert.Contains(errors, e => e.Code == "invalid-hostname" && e.Location.File == Device);
    }

    [Theory]
    [InlineData("labels:\n  rack: \"a\\nmachine: {type: worker}\"\n")]
    [InlineData("labels:\n  \"x\\ny\": a\n")]
    [InlineData("installDisk: \"/dev/sda\\\"\\nwipe: true\"\n")]
    [InlineData("gateway: \"10.0.5.1\\n- x\"\n")]
    [InlineData("mtu: \"1500\\nx: y\"\n")]
    public void Render_WhenOptionalFieldTriesToInjectYaml_IsAValidationError(string extra)
    {
        var errors = RenderBroken(t => t.Add(Device, $"mac: 52:54:00:00:05:29\nhostname: worker-09\nrole: worker\nip: 10.0.5.29/24\n{extra}"));

        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.Equal(Device, e.Location.File));
    }

    private static IReadOnlyList<Diagnostic> RenderBroken(Action<Files.InMemoryFileTree> change)
    {
        var tree = ExampleRepository.Load();
        change(tree);
        var result = Renderer.Render(tree);

        Assert.False(result.IsValid);
        Assert.Null(result.Set);
        return result.Errors;
    }
}
