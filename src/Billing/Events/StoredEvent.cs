namespace Tally.Billing.Events;

/// <summary>
/// A usage event as the usage store keeps it: its identity, what it says, when it happened and when
/// Tally acknowledged it, plus the digests and the log position the aggregator found it at.
/// <see cref="Data"/> is the JSON object text of the event's data, empty when it had none.
/// </summary>
public sealed record StoredEvent(EventIdentity Identity, string Type, string Subject, DateTimeOffset Time, string Data, DateTimeOffset IngestedAt)
{
    /// <summary>128-bit digest of <see cref="Identity"/>, the key of dedup.</summary>
    public UInt128 IdentityDigest { get; init; }

    /// <summary>64-bit digest of type, subject, time and data: tells a re-send from a different event under the same identity.</summary>
    public ulong PayloadDigest { get; init; }

    /// <summary>The log partition the event was read from; every copy of an identity lands in the same one.</summary>
    public int Partition { get; init; }

    /// <summary>The event's position in its partition (bookkeeping for rebuilding the identity index, never for identity).</summary>
    public long Position { get; init; }
}

/// <summary>
/// A log record the aggregator did not count: unreadable, outside what the store holds, or a second
/// event under an identity already stored with a different payload (first stored wins).
/// <see cref="Event"/> is null when the record could not be read at all.
/// </summary>
public sealed record RejectedEvent(string TenantId, StoredEvent? Event, string Reason, string Raw, int Partition, long Position);
