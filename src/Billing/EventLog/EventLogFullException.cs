namespace Tally.Billing.EventLog;

/// <summary>
/// The event log refused an append because it already holds as much as it may: the ingest gateway's local
/// buffer in front of Kafka is full while Kafka is slow or away. Nothing of the append was stored; callers
/// answer 503 with Retry-After, and appends succeed again once Kafka has taken buffered records.
/// </summary>
public sealed class EventLogFullException(string message) : Exception(message);
