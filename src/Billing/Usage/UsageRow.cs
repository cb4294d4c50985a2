namespace Tally.Billing.Usage;

/// <summary>
/// One meter's usage for one subject, group and minute, as folded from a batch of the log.
/// <see cref="GroupBy"/> is a JSON object of the meter's group-by values, keys sorted.
/// </summary>
public sealed record UsageRow(
    string TenantId,
    string MeterId,
    string Subject,
    string GroupBy,
    DateTimeOffset WindowStart,
    decimal Value,
    long EventCount);
