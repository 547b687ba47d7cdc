namespace Ktizo.Cli.Tests;

/// <summary><c>ktizo confirm</c>: the admin token comes from the environment or a file, never a flag; failures are one line.</summary>
public class ConfirmCommandTests
{
    [Fact]
    public void Confirm_WithoutAnAdminToken_FailsNamingWhereToPutIt()
    {
        var run = CliRun.Invoke("confirm", "BCDF-GHJK", "--gatekeeper", "http://127.0.0.1:1");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("KTIZO_ADMINTOKEN", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Confirm_WithTheTokenAsAFlag_IsAUsageError()
    {
        var run = CliRun.Invoke("confirm", "BCDF-GHJK", "--admin-token", "admin-token-0123456789");

        Assert.NotEqual(0, run.ExitCode);
        Assert.DoesNotContain("Confirmed", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Confirm_WhenTheGatekeeperIsUnreachable_SaysSoInOneLine()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "admin-token-0123456789\n");
            var run = CliRun.Invoke(new Dictionary<string, string> { ["KTIZO_ADMINTOKENFILE"] = file }, "confirm", "BCDF-GHJK", "--gatekeeper", "http://127.0.0.1:1");

            Assert.Equal(2, run.ExitCode);
            Assert.StartsWith("error: cannot reach the gatekeeper at http://127.0.0.1:1/", run.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("admin-token-0123456789", run.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
