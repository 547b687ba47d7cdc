using Ktizo.Gatekeeper.Observability;
using Prometheus;

namespace Ktizo.Gatekeeper.DeviceAuth;

/// <summary>The device-flow counters, on the gatekeeper's registry (served at <c>/metrics</c>).</summary>
public sealed class DeviceAuthMetrics(GatekeeperMetrics metrics)
{
    /// <summary>Config downloads refused for a device with <c>deviceAuth</c> on: no token, or another MAC's.</summary>
    public Counter ConfigUnauthenticated { get; } = metrics.Factory.CreateCounter(
        "ktizo_config_unauthenticated_total", "Config downloads refused (401) because the bearer token was missing or not issued for the MAC.");

    public Counter FlowsStarted { get; } = metrics.Factory.CreateCounter(
        "ktizo_device_flows_started_total", "Device authorizations started (POST /device/code answered 200).");

    public Counter TokensIssued { get; } = metrics.Factory.CreateCounter(
        "ktizo_device_tokens_issued_total", "Access tokens issued to device flows.");

    /// <summary>A MAC claimed by two live flows at once in <c>first</c> mode: both wait for a confirmation.</summary>
    public Counter Contested { get; } = metrics.Factory.CreateCounter(
        "ktizo_device_flows_contested_total", "Device flows that found a second live claimant of their MAC (first mode): both wait for a confirmation.");
}
