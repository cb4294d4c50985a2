namespace Tally.Billing.EventLog;

/// <summary>
/// Whether the event log currently takes appends, and if not, why (for <c>/readyz</c>). A log that takes
/// appends but cannot pass them on (a buffer whose Kafka is away) is <see cref="Degraded"/>; <see cref="Details"/>
/// carries figures an operator reads there (pending records, bytes, ages).
/// </summary>
public sealed record EventLogHealth(bool Ready, string Description, bool Degraded = false, IReadOnlyDictionary<string, object>? Details = null)
{
    public static EventLogHealth Healthy(string description) => new(true, description);

    public static EventLogHealth Unhealthy(string description) => new(false, description);
}
