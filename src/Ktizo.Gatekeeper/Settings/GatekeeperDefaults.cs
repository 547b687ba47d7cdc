using Microsoft.Extensions.Options;

namespace Ktizo.Gatekeeper.Settings;

/// <summary>
/// Completes what depends on where the gatekeeper runs: no Repository means the checkout around the current
/// directory, no Branch its current branch (<c>main</c> for a URL), and relative paths resolve against the
/// current directory. What cannot be completed is left empty for <see cref="SettingsValidator"/> to name.
/// </summary>
public sealed class GatekeeperDefaults(string currentDirectory) : IPostConfigureOptions<GatekeeperOptions>
{
    public void PostConfigure(string? name, GatekeeperOptions options)
    {
        options.DataFolder = Path.GetFullPath(string.IsNullOrWhiteSpace(options.DataFolder) ? "data" : options.DataFolder.Trim(), currentDirectory);
        options.Repository = options.Repository.Trim();
        options.Branch = options.Branch.Trim();
        string? branchFromCheckout = null;
        if (options.Repository.Length == 0)
        {
            if (LocalCheckout.FindTop(currentDirectory) is { } top)
            {
                options.Repository = top;
                branchFromCheckout = LocalCheckout.CurrentBranch(top);
            }
        }
        else if (!RepositoryLocation.IsRemote(options.Repository, out _))
        {
            options.Repository = Path.GetFullPath(options.Repository, currentDirectory);
            branchFromCheckout = Directory.Exists(options.Repository) ? LocalCheckout.CurrentBranch(options.Repository) : null;
        }
        else
        {
            // A remote URL without a branch: the common default.
            branchFromCheckout = "main";
        }

        if (options.Branch.Length == 0)
        {
            options.Branch = branchFromCheckout ?? string.Empty;
        }

        options.RepositoryToken = Blank(options.RepositoryToken);
        options.WebhookSecret = Blank(options.WebhookSecret);
        options.AdminToken = Blank(options.AdminToken);
        options.ViewerToken = Blank(options.ViewerToken);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
