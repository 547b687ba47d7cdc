namespace Ktizo.Core.Drift;

/// <summary>
/// What Talos v1.11 and v1.12 apply to a running machine (<c>talosctl apply-config --mode=no-reboot</c> and the
/// no-reboot branch of <c>--mode=auto</c>): the parts <c>CanApplyImmediate</c> copies from the running config into the
/// new one before comparing the two.
/// Read at v1.11.6 and v1.12.11: the same parts at the same lines at every v1.11 and v1.12 tag (v1.12.5 changed only
/// how a refusal prints its diff), so one list serves both, each entry naming the tag it was read at.
/// A machine.features.* entry counts only when both configs have <c>machine.features</c>, and a machine.* entry only
/// when both have <c>machine</c>: Talos copies them only then, which Ktizo models as the parts <c>machine</c> and
/// <c>machine.features</c> (present or not) needing a reboot.
/// </summary>
internal static class TalosV1_11And12LiveFields
{
    private const string File = "internal/app/machined/pkg/runtime/v1alpha1/v1alpha1_runtime.go";

    public static IReadOnlyList<LiveField> V1_11 { get; } = Read("v1.11.6");

    public static IReadOnlyList<LiveField> V1_12 { get; } = Read("v1.12.11");

    private static IReadOnlyList<LiveField> Read(string tag) =>
    [
        At("debug", 164, tag),
        At("cluster", 165, tag),
        At("machine.ca", 168, tag),
        At("machine.acceptedCAs", 169, tag),
        At("machine.time", 170, tag),
        At("machine.certSANs", 171, tag),
        At("machine.install", 172, tag),
        At("machine.network", 173, tag),
        At("machine.sysfs", 174, tag),
        At("machine.sysctls", 175, tag),
        At("machine.logging", 176, tag),
        At("machine.controlPlane", 177, tag),
        At("machine.kubelet", 178, tag),
        At("machine.kernel", 179, tag),
        At("machine.registries", 180, tag),
        At("machine.pods", 181, tag),
        At("machine.seccompProfiles", 182, tag),
        At("machine.nodeAnnotations", 183, tag),
        At("machine.nodeLabels", 184, tag),
        At("machine.nodeTaints", 185, tag),
        At("machine.features.kubernetesTalosAPIAccess", 188, tag),
        At("machine.features.kubePrism", 189, tag),
        At("machine.features.hostDNS", 190, tag),
        At("machine.features.imageCache", 191, tag),
        At("machine.features.nodeAddressSortAlgorithm", 192, tag),
        // Only the v1alpha1 document is compared (RawV1Alpha1 of both configs); every other document is left out.
        At(LiveField.OtherDocuments, 130, tag),
    ];

    private static LiveField At(string path, int line, string tag) => new(path, $"{File}:{line} at {tag}");
}
