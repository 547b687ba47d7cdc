namespace Ktizo.Core.Rendering;

/// <summary>
/// What one render may cost. A commit's templates are untrusted input (any merged pull request), and the
/// gatekeeper renders on the machine that serves configs: rendering gets a bounded share of the cores, a
/// budget for the whole commit, and caps on what a single template may build. A commit that exceeds any of
/// them fails as a whole, like any invalid commit (docs/inventory.md lists the error codes).
/// </summary>
public sealed record RenderLimits
{
    /// <summary>Threads that render devices at once. The default leaves one core for serving (docs/benchmarks.md, hostile render).</summary>
    public int Parallelism { get; init; } = DefaultParallelism;

    /// <summary>Wall time for every device of the commit together; when it runs out the commit fails with <c>template-timeout</c>.</summary>
    public TimeSpan Budget { get; init; } = DefaultBudget;

    /// <summary>Wall time for one patch template rendering one device: a template that runs longer is stuck.</summary>
    public TimeSpan TemplateTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Characters one template may write, and the longest string it may build on the way.</summary>
    public int MaxOutputChars { get; init; } = 1024 * 1024;

    /// <summary>The clock of the budget.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(30);

    /// <summary>All cores but one; one on a single-core machine.</summary>
    public static int DefaultParallelism => Math.Max(1, Environment.ProcessorCount - 1);

    public static RenderLimits Default { get; } = new();
}
