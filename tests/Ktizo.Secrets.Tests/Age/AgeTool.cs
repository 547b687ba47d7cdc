namespace Ktizo.Secrets.Tests.Age;

/// <summary>Debian's real <c>age</c> and <c>age-keygen</c> (tests/install-deps.sh installs them), working on files in a temporary folder.</summary>
internal sealed class AgeTool : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("ktizo-age-").FullName;

    public void Dispose() => Directory.Delete(Dir, recursive: true);

    public string PathOf(string name) => Path.Combine(Dir, name);

    /// <summary>A new identity file from age-keygen, and its recipient as <c>age-keygen -y</c> prints it.</summary>
    public (string IdentityFile, string Recipient) KeyGen(string name)
    {
        var file = PathOf(name);
        Run("age-keygen", "-o", file);
        return (file, Run("age-keygen", "-y", file).Trim());
    }

    public string Run(string tool, params string[] args)
    {
        var (code, output, error) = Tool.Run(tool, args);
        Assert.True(code == 0, $"{tool} {string.Join(' ', args)} exited {code}: {error}");
        return output;
    }

    public (int Code, string Error) TryRun(string tool, params string[] args)
    {
        var (code, _, error) = Tool.Run(tool, args);
        return (code, error);
    }
}
