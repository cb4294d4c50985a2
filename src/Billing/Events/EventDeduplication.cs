namespace Tally.Billing.Events;

/// <summary>What one batch holds once every identity is judged against what is already stored.</summary>
public sealed record DeduplicatedBatch(
    IReadOnlyList<StoredEvent> New,
    IReadOnlyList<StoredEvent> Resent,
    IReadOnlyList<StoredEvent> Conflicting);

/// <summary>
/// The dedup rule, pure: one event per identity, and the first one stored wins. Within a batch "first"
/// is log order; across batches it is whatever the store already holds (<c>known</c>: identity digest
/// to payload digest). A later copy with the same payload is a re-send (dropped silently, as OpenMeter
/// does); one with a different payload conflicts (dropped, and kept visible as a rejection).
/// </summary>
public static class EventDeduplication
{
    public static DeduplicatedBatch Deduplicate(IReadOnlyList<StoredEvent> batch, IReadOnlyDictionary<UInt128, ulong> known)
    {
        var kept = new Dictionary<UInt128, ulong>();
        var fresh = new List<StoredEvent>(batch.Count);
        var resent = new List<StoredEvent>();
        var conflicting = new List<StoredEvent>();
        foreach (var candidate in batch)
        {
            if (known.TryGetValue(candidate.IdentityDigest, out var payload) || kept.TryGetValue(candidate.IdentityDigest, out payload))
            {
                (payload == candidate.PayloadDigest ? resent : conflicting).Add(candidate);
                continue;
            }

            kept[candidate.IdentityDigest] = candidate.PayloadDigest;
            fresh.Add(candidate);
        }

        return new DeduplicatedBatch(fresh, resent, conflicting);
    }
}
