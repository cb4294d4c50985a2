namespace Tally.Billing.Events;

/// <summary>
/// A validated CloudEvent in Tally's normalized form: <see cref="Json"/> holds
/// <c>specversion, id, source, type, subject, time (UTC), tallyingested, data</c> and is what the event log stores.
/// </summary>
public sealed record UsageEvent(string Id, string Source, string Type, string Subject, DateTimeOffset Time, ReadOnlyMemory<byte> Json)
{
    /// <summary>The event's <c>data</c> object inside <see cref="Json"/>; empty when the event has none.</summary>
    public ReadOnlyMemory<byte> Data { get; init; }
}
