using Tally.Billing.Meters;

namespace Tally.Billing.Usage;

/// <summary>
/// Pre-aggregated usage: each meter's aggregate per tenant, hour and subject, recomputed whole from
/// the stored events once an hour has settled, and again whenever late events change it. Readers use
/// it for settled, unchanged hours and the events themselves for the rest, so a total never depends on
/// whether a roll-up has caught up; reconciliation compares the two, hour by hour.
/// </summary>
public interface IUsageRollups
{
    /// <summary>The meter's hours that received events since it was last rolled up there, starting before <paramref name="settledBefore"/>.</summary>
    Task<IReadOnlyList<PendingHour>> PendingAsync(MeterDefinition meter, DateTimeOffset settledBefore, int limit, CancellationToken cancellationToken);

    /// <summary>Recomputes the meter's hour from the stored events, covering every change up to the hour's touch.</summary>
    Task RollUpAsync(MeterDefinition meter, PendingHour hour, CancellationToken cancellationToken);

    /// <summary>Every hour of [<paramref name="from"/>, <paramref name="to"/>) where the roll-up and the events disagree, or the roll-up is behind.</summary>
    Task<IReadOnlyList<HourDifference>> ReconcileAsync(MeterDefinition meter, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);
}

/// <summary>An hour whose events changed at <see cref="TouchedAt"/> (the usage store's clock).</summary>
public sealed record PendingHour(DateTimeOffset Hour, DateTimeOffset TouchedAt);

/// <summary>
/// One hour where pre-aggregated usage and the events differ: the values (null when there is none)
/// and event counts on each side, and whether the roll-up is merely behind (<see cref="Pending"/>).
/// </summary>
public sealed record HourDifference(DateTimeOffset Hour, decimal? RolledUp, decimal? Events, long RolledUpEvents, long EventCount, bool Pending);
