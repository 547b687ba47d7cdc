using System.Text.RegularExpressions;
using Ktizo.Gatekeeper.Notifications;
using Ktizo.Gatekeeper.Settings;
using Ktizo.Gatekeeper.Tests.Support;
using Ktizo.Testing;
using Microsoft.Extensions.Configuration;

namespace Ktizo.Gatekeeper.Tests.Notifications;

/// <summary>The receivers list and the delivery section go through the one validator, with one message naming every bad entry.</summary>
public sealed class NotificationSettingsTests : IDisposable
{
    private readonly TempFolder _folder = new("ktizo-notify-settings");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Check_WithBadReceiversAndDelivery_NamesEachByItsEnvironmentVariable_WithoutRepeatingAUrl()
    {
        var errors = Check(new()
        {
            ["Notifications:0:Url"] = "ftp://hooks.example.com/x",
            ["Notifications:0:SecretEnvironmentVariable"] = "HOOK_SECRET",
            ["Notifications:1:Url"] = "https://hooks.example.com/services/T0/B0/TOKEN",
            ["Notifications:1:Format"] = "xml",
            ["Notifications:1:Events"] = "device.pending, device.exploded",
            ["Notifications:2:Url"] = "https://ok.example.com/",
            ["Notifications:3:Url"] = "https://ok.example.com/",
            ["Notifications:3:SecretFile"] = _folder.Sub("missing"),
            ["NotificationDelivery:FoldThreshold"] = "0",
            ["NotificationDelivery:Timeout"] = "20m",
            ["NotificationDelivery:MaxQueuedPerReceiver"] = "many",
        });

        Assert.Equal(
            [
                "NotificationDelivery:MaxQueuedPerReceiver (--notificationdelivery-max-queued-per-receiver, KTIZO_NOTIFICATIONDELIVERY__MAXQUEUEDPERRECEIVER): 'many' is not a whole number",
                "NotificationDelivery:FoldThreshold (--notificationdelivery-fold-threshold, KTIZO_NOTIFICATIONDELIVERY__FOLDTHRESHOLD): 0 is not from 1 to 10000",
                "NotificationDelivery:Timeout (--notificationdelivery-timeout, KTIZO_NOTIFICATIONDELIVERY__TIMEOUT): 20m is not from 100ms to 5m",
                "Notifications:0:Url (KTIZO_NOTIFICATIONS__0__URL): not an absolute http or https URL (without user info or fragment)",
                "Notifications:1:Format (KTIZO_NOTIFICATIONS__1__FORMAT): 'xml' is not one of json, slack",
                "Notifications:1:Events (KTIZO_NOTIFICATIONS__1__EVENTS): 'device.exploded' is not an event (known: device.pending, device.approved, device.rejected, commit.failed, claim.refused)",
                "Notifications:2:SecretFile (KTIZO_NOTIFICATIONS__2__SECRETFILE): no secret: a json receiver needs SecretFile or SecretEnvironmentVariable to verify what it gets",
                $"Notifications:3:SecretFile (KTIZO_NOTIFICATIONS__3__SECRETFILE): the secret file '{_folder.Sub("missing")}' cannot be read: FileNotFoundException",
            ],
            errors);
        Assert.DoesNotContain(errors, e => e.Contains("TOKEN", StringComparison.Ordinal));
    }

    [Fact]
    public void Receivers_FromGoodSettings_ReadTheSecretFromItsFile_AndFilterEvents()
    {
        File.WriteAllText(_folder.Sub("secret"), "file-secret-0123456789\n");
        var configuration = Configuration(new()
        {
            ["Repository"] = "https://example.org/r.git",
            ["Notifications:0:Url"] = "https://hooks.example.com/ktizo",
            ["Notifications:0:SecretFile"] = _folder.Sub("secret"),
            ["Notifications:0:Events"] = "commit.failed,device.pending",
            ["Notifications:1:Url"] = "http://chat.example.com/hooks/abc",
            ["Notifications:1:Format"] = "slack",
        });

        Assert.Empty(new SettingsValidator(_ => null).Check(configuration, KtizoSettings.Serve, _folder.Path));
        var receivers = NotificationReceiver.From(SettingsValidator.Receivers(configuration), _ => null);

        Assert.Equal("file-secret-0123456789"u8.ToArray(), receivers[0].Secret);
        Assert.True(receivers[0].Wants("device.pending.summary"));
        Assert.False(receivers[0].Wants("device.approved"));
        Assert.Null(receivers[1].Secret);
        Assert.True(receivers[1].Wants("claim.refused"));
        Assert.Equal("1 (chat.example.com)", receivers[1].Label);
        Assert.NotEqual(receivers[0].Key, receivers[1].Key);
    }

    [Fact]
    public void DocumentedReceiverTable_ListsEveryReceiverSetting_WithItsVariableKeyAndDefault()
    {
        var doc = File.ReadAllLines(Path.Combine(ExampleRepository.Root, "docs", "gatekeeper.md"));
        var header = Array.FindIndex(doc, l => l.StartsWith("| receiver setting | environment variable | appsettings.json key | default |", StringComparison.Ordinal));
        Assert.True(header >= 0, "the receiver table is missing from docs/gatekeeper.md");
        var rows = doc.Skip(header + 2).TakeWhile(l => l.StartsWith('|'))
            .Select(l => l.Split('|').Select(c => c.Trim().Trim('`')).ToArray())
            .ToList();

        Assert.Equal(KtizoSettings.NotificationReceiver.Select(s => s.Key), rows.Select(r => r[1]));
        foreach (var (setting, row) in KtizoSettings.NotificationReceiver.Zip(rows))
        {
            Assert.Equal(setting.EnvironmentVariable, row[2]);
            Assert.Equal(setting.Default, row[4]);
            Assert.Matches(new Regex($"^\\{{\"Notifications\": \\[\\{{\"{setting.Property}\": …\\}}\\]\\}}$"), row[3]);
        }
    }

    private List<string> Check(Dictionary<string, string?> values)
    {
        values["Repository"] = "https://example.org/r.git";
        return [.. new SettingsValidator(name => name == "HOOK_SECRET" ? "env-secret-0123456789" : null).Check(Configuration(values), KtizoSettings.Serve, _folder.Path)];
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
