namespace Tally.Billing.Events;

/// <summary>
/// The identities of the events already stored, per log partition, as 128-bit digests with a 64-bit
/// digest of each first-stored payload: how the aggregator tells a new event from a re-sent one in
/// constant time, whatever the volume. Every copy of an event lands in the same partition (the log
/// key is its identity), so one partition's index decides alone. The index is a cache of the event
/// store: it may lag it (after a crash, or when a partition moves to another aggregator) and is then
/// completed from the store; it never holds an identity the store has not stored.
/// </summary>
public interface IEventIdentityIndex : IAsyncDisposable
{
    /// <summary>The payload digests of those of <paramref name="identities"/> the partition has recorded.</summary>
    ValueTask<IReadOnlyDictionary<UInt128, ulong>> FindAsync(int partition, IReadOnlyCollection<UInt128> identities, CancellationToken cancellationToken);

    /// <summary>
    /// Records identities (already present ones are left as they are) and, in the same atomic write,
    /// that the partition is complete up to log position <paramref name="completeThrough"/>; durable
    /// (fsync'd) when the task completes.
    /// </summary>
    ValueTask AddAsync(int partition, IReadOnlyList<KeyValuePair<UInt128, ulong>> identities, long completeThrough, CancellationToken cancellationToken);

    /// <summary>The log position up to which the partition's identities are known complete; 0 when unknown.</summary>
    ValueTask<long> CompleteThroughAsync(int partition, CancellationToken cancellationToken);

    /// <summary>How many identities the partition holds (exact).</summary>
    ValueTask<long> CountAsync(int partition, CancellationToken cancellationToken);
}
