namespace Tally.Billing.EventLog;

/// <summary>Whether the event log currently takes appends, and if not, why (for <c>/readyz</c>).</summary>
public sealed record EventLogHealth(bool Ready, string Description)
{
    public static EventLogHealth Healthy(string description) => new(true, description);

    public static EventLogHealth Unhealthy(string description) => new(false, description);
}
