namespace Ktizo.Core.Drift;

/// <summary>
/// What Talos v1.13 applies to a running machine (<c>talosctl apply-config --mode=no-reboot</c> and the
/// no-reboot branch of <c>--mode=auto</c>): the parts <c>CanApplyImmediate</c> copies from the running config into the
/// new one before comparing the two.
/// Read at v1.13.9; the same at every v1.13 tag, and the same parts as the v1.11 and v1.12 table at other lines. v1.13 also skips
/// the check in maintenance mode, which a drifted, installed machine is not in.
/// A machine.features.* entry counts only when both configs have <c>machine.features</c>, and a machine.* entry only
/// when both have <c>machine</c>: Talos copies them only then, which Ktizo models as the parts <c>machine</c> and
/// <c>machine.features</c> (present or not) needing a reboot.
/// </summary>
internal static class TalosV1_13LiveFields
{
    private const string File = "internal/app/machined/pkg/runtime/v1alpha1/v1alpha1_runtime.go";

    public static IReadOnlyList<LiveField> Fields { get; } =
    [
        At("debug", 175),
        At("cluster", 176),
        At("machine.ca", 179),
        At("machine.acceptedCAs", 180),
        At("machine.time", 181),
        At("machine.certSANs", 182),
        At("machine.install", 183),
        At("machine.network", 184),
        At("machine.sysfs", 185),
        At("machine.sysctls", 186),
        At("machine.logging", 187),
        At("machine.controlPlane", 188),
        At("machine.kubelet", 189),
        At("machine.kernel", 190),
        At("machine.registries", 191),
        At("machine.pods", 192),
        At("machine.seccompProfiles", 193),
        At("machine.nodeAnnotations", 194),
        At("machine.nodeLabels", 195),
        At("machine.nodeTaints", 196),
        At("machine.features.kubernetesTalosAPIAccess", 199),
        At("machine.features.kubePrism", 200),
        At("machine.features.hostDNS", 201),
        At("machine.features.imageCache", 202),
        At("machine.features.nodeAddressSortAlgorithm", 203),
        // Only the v1alpha1 document is compared (RawV1Alpha1 of both configs); every other document is left out.
        At(LiveField.OtherDocuments, 141),
    ];

    private static LiveField At(string path, int line) => new(path, $"{File}:{line} at v1.13.9");
}
