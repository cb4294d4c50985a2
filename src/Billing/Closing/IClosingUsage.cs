using Tally.Billing.Meters;

namespace Tally.Billing.Closing;

/// <summary>
/// Usage as the period close freezes it: totals per customer over events stored at or before a cutoff
/// taken from the usage store's own clock, so a re-run with the same cutoff reads the same numbers and
/// whatever is stored later is, by definition, late.
/// </summary>
public interface IClosingUsage
{
    /// <summary>The usage store's current instant: everything it has stored so far is stored at or before it.</summary>
    Task<DateTimeOffset> CutoffAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The meter's aggregate per customer over events in [from, to) stored at or before <paramref name="cutoff"/>
    /// , attributing subjects with <paramref name="customerBySubject"/>;
    /// customers without a measurable event are left out.
    /// </summary>
    Task<IReadOnlyDictionary<string, decimal>> TotalsByCustomerAsync(
        MeterDefinition meter,
        IReadOnlyDictionary<string, IReadOnlyList<string>> filterGroupBy,
        IReadOnlyDictionary<string, string> customerBySubject,
        DateTimeOffset from,
        DateTimeOffset to,
        DateTimeOffset cutoff,
        CancellationToken cancellationToken);

    /// <summary>How many events of the meter in [from, to) over the subjects were stored in (storedAfter, storedUntil].</summary>
    Task<long> CountEventsAsync(
        MeterDefinition meter,
        IReadOnlyDictionary<string, IReadOnlyList<string>> filterGroupBy,
        IReadOnlyList<string> subjects,
        DateTimeOffset from,
        DateTimeOffset to,
        DateTimeOffset? storedAfter,
        DateTimeOffset storedUntil,
        CancellationToken cancellationToken);
}

/// <summary>
/// Whether the aggregator has stored everything the event log acknowledged up to a moment: a snapshot
/// of the log's end positions, then a wait until the aggregator's committed positions reach it.
/// </summary>
public interface IUsageWatermark
{
    /// <summary>The log's end position of every partition now.</summary>
    Task<IReadOnlyList<long>> SnapshotAsync(CancellationToken cancellationToken);

    /// <summary>Whether the aggregator has committed at least <paramref name="snapshot"/> in every partition.</summary>
    Task<bool> ReachedAsync(IReadOnlyList<long> snapshot, CancellationToken cancellationToken);
}
