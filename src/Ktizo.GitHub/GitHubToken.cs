using Ktizo.Core;

namespace Ktizo.GitHub;

/// <summary>
/// Reads the token from where <see cref="GitHubOptions"/> points. Errors name the place, never the value.
/// </summary>
public static class GitHubToken
{
    public static string Read(GitHubOptions options, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (!string.IsNullOrWhiteSpace(options.TokenFile))
        {
            string text;
            try
            {
                text = File.ReadAllText(options.TokenFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new KtizoException($"GitHub token file '{options.TokenFile}' cannot be read: {e.GetType().Name}.");
            }

            var token = text.Trim();
            return token.Length > 0 ? token : throw new KtizoException($"GitHub token file '{options.TokenFile}' is empty.");
        }

        var fromEnvironment = environment(options.TokenEnvironmentVariable)?.Trim();
        return string.IsNullOrEmpty(fromEnvironment)
            ? throw new KtizoException($"GitHub token: environment variable {options.TokenEnvironmentVariable} is not set.")
            : fromEnvironment;
    }
}
