using System.Diagnostics;
using Ktizo.Core.Rendering;
using Ktizo.Testing;

namespace Ktizo.Core.Tests.Rendering;

/// <summary>The per-commit budget: a hostile template cannot hold the renderer for its timeout times the number of devices.</summary>
public class RenderBudgetTests
{
    [Fact]
    public void Render_WhenFortyDevicesBurnCpu_FailsTheCommitAsAWholeWithinTheBudget()
    {
        var tree = ExampleRepository.Load();
        tree.Add(HostileTemplates.PatchPath, HostileTemplates.BurnsCpu);
        foreach (var (path, content) in HostileTemplates.Workers(40))
        {
            tree.Add(path, content);
        }

        var limits = new RenderLimits { Parallelism = 1, Budget = TimeSpan.FromSeconds(3), TemplateTimeout = TimeSpan.FromSeconds(1) };
        var clock = Stopwatch.StartNew();
        var result = Renderer.Render(tree, limits: limits);
        clock.Stop();

        Assert.False(result.IsValid);
        Assert.Null(result.Set);

        // Without the budget: 45 devices at 1 s each. With it: 3 s, and a little to unwind.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(8));
        Assert.DoesNotContain(result.Errors, e => e.Code == "template-runtime");
        Assert.All(result.Errors, e => Assert.Equal("template-timeout", e.Code));
        var budget = Assert.Single(result.Errors, e => e.Message.Contains("render budget of 3 s", StringComparison.Ordinal));
        Assert.Equal(HostileTemplates.PatchPath, budget.Location.File);
        Assert.Matches(@"\(rendering [a-z0-9-]+", budget.Message);
    }

    [Fact]
    public void Render_WhenBudgetIsAmple_RendersAsBefore()
    {
        var tree = ExampleRepository.Load();
        foreach (var (path, content) in HostileTemplates.Workers(40))
        {
            tree.Add(path, content);
        }

        var bounded = Renderer.Render(tree, limits: new RenderLimits { Parallelism = 3 });
        var single = Renderer.Render(tree, limits: new RenderLimits { Parallelism = 1 });

        Assert.True(bounded.IsValid, string.Join("\n", bounded.Errors));
        Assert.Equal(45, bounded.Set!.Approved.Count);
        Assert.Equal(
            single.Set!.Approved.ToDictionary(kv => kv.Key, kv => kv.Value.Sha256),
            bounded.Set.Approved.ToDictionary(kv => kv.Key, kv => kv.Value.Sha256));
    }

    [Fact]
    public void Render_WhenBudgetRunsOutBetweenTemplates_NamesTheFirstDeviceNotRendered()
    {
        var tree = ExampleRepository.Load();

        // A budget that is spent before the first device starts: the commit fails, naming that device's file.
        var result = Renderer.Render(tree, limits: new RenderLimits { Budget = TimeSpan.Zero });

        Assert.Null(result.Set);
        var error = Assert.Single(result.Errors);
        Assert.Equal("template-timeout", error.Code);
        Assert.StartsWith("inventory/devices/", error.Location.File, StringComparison.Ordinal);
        Assert.Contains("(0 of 5 devices done)", error.Message, StringComparison.Ordinal);
    }
}
