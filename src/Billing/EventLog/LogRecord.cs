namespace Tally.Billing.EventLog;

/// <summary>
/// One record of the usage event log. <see cref="Key"/> decides the partition (Tally uses
/// <c>{tenantId}:{subject}</c> so one customer's events stay in order); <see cref="Value"/> is the
/// normalized CloudEvent JSON written by Ingest.
/// </summary>
public sealed record LogRecord(string Key, ReadOnlyMemory<byte> Value);

/// <summary>A record as read back, with the partition and position it was stored at.</summary>
public sealed record StoredRecord(int Partition, long Position, string Key, ReadOnlyMemory<byte> Value);

/// <summary>
/// Consecutive records of one partition: positions <see cref="FirstPosition"/> up to, not including,
/// <see cref="NextPosition"/>. Committing <see cref="NextPosition"/> marks the whole batch as processed.
/// </summary>
public sealed record LogBatch(int Partition, long FirstPosition, long NextPosition, IReadOnlyList<StoredRecord> Records);
