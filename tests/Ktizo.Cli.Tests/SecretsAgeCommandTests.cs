using System.Diagnostics;
using Ktizo.Core.ClusterSecrets;
using Ktizo.Crypto.Age;

namespace Ktizo.Cli.Tests;

/// <summary><c>ktizo secrets encrypt|decrypt</c> and <c>generate --age-recipient</c>, against Debian's real age too.</summary>
public sealed class SecretsAgeCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ktizo-secrets-age-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string In(string name) => Path.Combine(_dir, name);

    private static string RunTool(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        args.ToList().ForEach(start.ArgumentList.Add);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{tool} exited {process.ExitCode}: {error.Result}");
        return output;
    }

    private (string File, AgeIdentity Identity) NewIdentity(string name)
    {
        var identity = AgeIdentity.Generate();
        File.WriteAllText(In(name), $"# public key: {identity.Recipient}\n{identity.Encode()}\n");
        return (In(name), identity);
    }

    private static void AssertOwnerOnly(string file)
    {
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public void GenerateToAgeRecipients_AgeDecryptsTheBundleAndNoOutputShowsASecret()
    {
        RunTool("age-keygen", "-o", In("admin.txt"));
        var admin = RunTool("age-keygen", "-y", In("admin.txt")).Trim();
        var (gatekeeperFile, gatekeeper) = NewIdentity("gatekeeper.txt");

        var run = CliRun.Invoke("secrets", "generate", "--age-recipient", admin, "--age-recipient", gatekeeper.Recipient.ToString(), "--out", In("bundle.yaml.age"));

        Assert.True(run.ExitCode == 0, run.Error);
        RunTool("age", "-d", "-i", In("admin.txt"), "-o", In("plain.yaml"), In("bundle.yaml.age"));
        var bundle = SecretsBundleReader.ReadOrThrow(File.ReadAllText(In("plain.yaml")), "plain.yaml");
        Assert.Contains(bundle.Fingerprint, run.Error, StringComparison.Ordinal);
        var decrypt = CliRun.Invoke("secrets", "decrypt", "--identity", gatekeeperFile, "--in", In("bundle.yaml.age"), "--out", In("mine.yaml"));
        Assert.True(decrypt.ExitCode == 0, decrypt.Error);
        Assert.Equal(File.ReadAllText(In("plain.yaml")), File.ReadAllText(In("mine.yaml")));
        AssertOwnerOnly(In("mine.yaml"));
        var outputs = run.Out + run.Error + decrypt.Out + decrypt.Error;
        foreach (var value in bundle.Values().Append(gatekeeper.Encode()))
        {
            Assert.DoesNotContain(value, outputs, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Encrypt_WhatAgeEncryptedTheSame_DecryptsToTheInput()
    {
        Assert.Equal(0, CliRun.Invoke("secrets", "generate", "--out", In("secrets.yaml")).ExitCode);
        RunTool("age-keygen", "-o", In("admin.txt"));
        var admin = RunTool("age-keygen", "-y", In("admin.txt")).Trim();

        var encrypt = CliRun.Invoke("secrets", "encrypt", "--recipient", admin, "--in", In("secrets.yaml"), "--out", In("secrets.yaml.age"));
        var toStdout = CliRun.Invoke("secrets", "decrypt", "--identity", In("admin.txt"), "--in", In("secrets.yaml.age"), "--out", "-");

        Assert.True(encrypt.ExitCode == 0, encrypt.Error);
        RunTool("age", "-d", "-i", In("admin.txt"), "-o", In("by-age.yaml"), In("secrets.yaml.age"));
        Assert.Equal(File.ReadAllText(In("secrets.yaml")), File.ReadAllText(In("by-age.yaml")));
        Assert.Equal(File.ReadAllText(In("secrets.yaml")), toStdout.Out);
    }

    [Fact]
    public void Encrypt_AFileThatIsNotABundle_IsRefused()
    {
        File.WriteAllText(In("notes.txt"), "hello\n");

        var run = CliRun.Invoke("secrets", "encrypt", "--recipient", AgeIdentity.Generate().Recipient.ToString(), "--in", In("notes.txt"), "--out", In("n.age"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("notes.txt", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(In("n.age")));
    }

    [Fact]
    public void Decrypt_WithoutOut_RefusesToPrintTheKeys()
    {
        var (file, identity) = NewIdentity("id.txt");
        File.WriteAllBytes(In("b.age"), AgeFile.Encrypt("x"u8, [identity.Recipient]));

        var run = CliRun.Invoke("secrets", "decrypt", "--identity", file, "--in", In("b.age"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--out -", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Out);
    }

    [Fact]
    public void Decrypt_WithAWrongIdentity_FailsNamingTheFileAndWritesNothing()
    {
        var (_, right) = NewIdentity("right.txt");
        var (wrongFile, wrong) = NewIdentity("wrong.txt");
        File.WriteAllBytes(In("b.age"), AgeFile.Encrypt("x"u8, [right.Recipient]));

        var run = CliRun.Invoke("secrets", "decrypt", "--identity", wrongFile, "--in", In("b.age"), "--out", In("out.yaml"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(In("b.age"), run.Error, StringComparison.Ordinal);
        Assert.Contains("none of the age identities", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong.Encode(), run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(In("out.yaml")));
    }

    [Fact]
    public void GenerateToARecipient_WithoutOut_IsRefused()
    {
        var run = CliRun.Invoke("secrets", "generate", "--age-recipient", AgeIdentity.Generate().Recipient.ToString());

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("needs --out", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Out);
    }

    [Fact]
    public void Encrypt_ToAMistypedRecipient_SaysSo()
    {
        Assert.Equal(0, CliRun.Invoke("secrets", "generate", "--out", In("secrets.yaml")).ExitCode);
        var recipient = AgeIdentity.Generate().Recipient.ToString();
        var typo = recipient[..^1] + (recipient[^1] == 'q' ? 'p' : 'q');

        var run = CliRun.Invoke("secrets", "encrypt", "--recipient", typo, "--in", In("secrets.yaml"), "--out", In("s.age"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("checksum", run.Error, StringComparison.Ordinal);
    }
}
