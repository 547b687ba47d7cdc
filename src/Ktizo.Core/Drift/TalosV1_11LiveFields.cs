namespace Ktizo.Core.Drift;

/// <summary>
/// What Talos v1.11 applies to a running machine (<c>talosctl apply-config --mode=no-reboot</c> and the
/// no-reboot branch of <c>--mode=auto</c>): the parts <c>CanApplyImmediate</c> copies from the running config into the
/// new one before comparing the two.
/// Read at v1.11.6 (as at every v1.11 tag).
/// A machine.features.* entry counts only when both configs have <c>machine.features</c>, and a machine.* entry only
/// when both have <c>machine</c>: Talos copies them only then, which Ktizo models as the parts <c>machine</c> and
/// <c>machine.features</c> (present or not) needing a reboot.
/// </summary>
internal static class TalosV1_11LiveFields
{
    private const string File = "internal/app/machined/pkg/runtime/v1alpha1/v1alpha1_runtime.go";

    public static IReadOnlyList<LiveField> Fields { get; } =
    [
        At("debug", 164),
        At("cluster", 165),
        At("machine.ca", 168),
        At("machine.acceptedCAs", 169),
        At("machine.time", 170),
        At("machine.certSANs", 171),
        At("machine.install", 172),
        At("machine.network", 173),
        At("machine.sysfs", 174),
        At("machine.sysctls", 175),
        At("machine.logging", 176),
        At("machine.controlPlane", 177),
        At("machine.kubelet", 178),
        At("machine.kernel", 179),
        At("machine.registries", 180),
        At("machine.pods", 181),
        At("machine.seccompProfiles", 182),
        At("machine.nodeAnnotations", 183),
        At("machine.nodeLabels", 184),
        At("machine.nodeTaints", 185),
        At("machine.features.kubernetesTalosAPIAccess", 188),
        At("machine.features.kubePrism", 189),
        At("machine.features.hostDNS", 190),
        At("machine.features.imageCache", 191),
        At("machine.features.nodeAddressSortAlgorithm", 192),
        // Only the v1alpha1 document is compared (RawV1Alpha1 of both configs); every other document is left out.
        At(LiveField.OtherDocuments, 130),
    ];

    private static LiveField At(string path, int line) => new(path, $"{File}:{line} at v1.11.6");
}
