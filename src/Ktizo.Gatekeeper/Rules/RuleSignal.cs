using Ktizo.Hosting;

namespace Ktizo.Gatekeeper.Rules;

/// <summary>Wakes the <see cref="RulesWorker"/> on a first sighting.</summary>
public sealed class RuleSignal : WakeSignal;
