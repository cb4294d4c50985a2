using Tally.Billing.Meters;

namespace Tally.Billing.Usage;

/// <summary>
/// Reads a customer's usage for the rating grain when it activates: each meter's aggregate state per
/// window, cut at a log position per (subject, log partition) that the answer also returns, so the
/// grain can fold in exactly the usage deltas that came after the cut (and none it already has).
/// </summary>
public interface IUsageSnapshotReader
{
    Task<UsageSnapshot> ReadAsync(string tenantId, IReadOnlyList<string> subjects, IReadOnlyList<SnapshotRequest> requests, CancellationToken cancellationToken);
}

/// <summary>A meter (already narrowed by a feature's filters) and the windows to aggregate it over; <see cref="Key"/> names it in the answer.</summary>
public sealed record SnapshotRequest(string Key, MeterDefinition Meter, IReadOnlyList<(DateTimeOffset From, DateTimeOffset To)> Windows);

/// <summary>
/// The states of every requested window (absent: nothing measured), and the cut: for each subject and
/// log partition, the last position included (a subject absent from <see cref="Watermarks"/> had no
/// event stored when the snapshot was taken).
/// </summary>
public sealed record UsageSnapshot(
    IReadOnlyDictionary<(string Key, DateTimeOffset From, DateTimeOffset To), UsageState> States,
    IReadOnlyDictionary<(string Subject, int Partition), long> Watermarks);
