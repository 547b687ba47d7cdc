namespace Ktizo.Gatekeeper.Http;

/// <summary>
/// The last <see cref="Capacity"/> webhook deliveries that passed the signature check, by their
/// <c>X-GitHub-Delivery</c> id and by their signature. The signature covers only the body, so a replay
/// may carry a fresh delivery id; its signature, the HMAC of the same body, is still one seen before.
/// Two genuine pushes never share a body (each names its own <c>after</c> commit). Held in memory only:
/// a restart forgets it, and a replay after a restart costs one fetch.
/// </summary>
internal sealed class RecentDeliveries(int capacity)
{
    private readonly Queue<string> _order = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public int Capacity { get; } = capacity;

    /// <summary>Records the delivery; false when its id or its signature was among the recent ones (a replay).</summary>
    public bool TryAdd(string? deliveryId, string signature)
    {
        var id = string.IsNullOrEmpty(deliveryId) ? null : "id:" + deliveryId;
        var sig = "sig:" + signature.ToLowerInvariant();
        lock (_lock)
        {
            if ((id is not null && _seen.Contains(id)) || _seen.Contains(sig))
            {
                return false;
            }

            Remember(sig);
            if (id is not null)
            {
                Remember(id);
            }

            return true;
        }
    }

    private void Remember(string key)
    {
        _seen.Add(key);
        _order.Enqueue(key);
        // Two keys per delivery.
        while (_order.Count > 2 * Capacity)
        {
            _seen.Remove(_order.Dequeue());
        }
    }
}
