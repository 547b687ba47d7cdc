using Ktizo.Core.Files;

namespace Ktizo.Core.Rendering;

/// <summary>Validates and renders a repository tree. Entry point for the CLI, CI and the gatekeeper.</summary>
public static class Renderer
{
    /// <summary>
    /// Validates <paramref name="tree"/> and renders every approved device. Devices whose inputs are
    /// unchanged since <paramref name="previous"/> reuse its bytes.
    /// </summary>
    public static RenderResult Render(IFileTree tree, RenderedSet? previous = null) =>
        throw new NotImplementedException("being written");
}
