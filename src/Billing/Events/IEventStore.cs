namespace Tally.Billing.Events;

/// <summary>
/// The stored usage events (ClickHouse): written by the aggregator, deduplicated by identity before
/// they get here, read by meter queries, the event list and the identity index's rebuild.
/// </summary>
public interface IEventStore
{
    /// <summary>Stores events durably; storing the same event again (a replay) leaves one copy in every read.</summary>
    /// <remarks><see cref="InsertEventsAsync"/>, then <see cref="TouchHoursAsync"/>.</remarks>
    Task InsertAsync(IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken);

    /// <summary>Stores events durably without marking their hours for the roll-ups (the caller marks them after).</summary>
    Task InsertEventsAsync(IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken);

    /// <summary>Marks the tenant-hours of stored events as changed, so they are rolled up; only after the events are stored.</summary>
    Task TouchHoursAsync(IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken);

    /// <summary>Keeps rejected records visible (the dead-letter place); storing one again leaves one copy.</summary>
    Task InsertRejectedAsync(IReadOnlyList<RejectedEvent> rejected, DateTimeOffset rejectedAt, CancellationToken cancellationToken);

    /// <summary>The identity and payload digests of the partition's stored events at log positions in [<paramref name="fromPosition"/>, <paramref name="toPosition"/>).</summary>
    IAsyncEnumerable<KeyValuePair<UInt128, ulong>> IdentitiesAsync(int partition, long fromPosition, long toPosition, CancellationToken cancellationToken);

    /// <summary>Drops the tenant's stored and rejected events dated before <paramref name="before"/> (retention).</summary>
    Task DeleteBeforeAsync(string tenantId, DateTimeOffset before, CancellationToken cancellationToken);

    /// <summary>Stored and rejected events of a tenant, newest first (OpenMeter's <c>GET /api/v1/events</c>).</summary>
    Task<IReadOnlyList<ListedEvent>> ListAsync(EventListQuery query, CancellationToken cancellationToken);
}

/// <summary>Filters of the event list; null means no filter on that field.</summary>
public sealed record EventListQuery(
    string TenantId,
    DateTimeOffset? From,
    DateTimeOffset? To,
    DateTimeOffset? IngestedAtFrom,
    DateTimeOffset? IngestedAtTo,
    string? Id,
    IReadOnlyList<string> Subjects,
    int Limit)
{
    /// <summary>Only events stored after this instant (Tally's extension: what an invoice's late-usage line lists).</summary>
    public DateTimeOffset? StoredAfter { get; init; }

    /// <summary>Only events stored at or before this instant (an invoice's usage cutoff).</summary>
    public DateTimeOffset? StoredUntil { get; init; }
}

/// <summary>An event of the list: what was stored (or rejected, with the reason) and when.</summary>
public sealed record ListedEvent(StoredEvent Event, DateTimeOffset StoredAt, string? Rejection);
