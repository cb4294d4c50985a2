namespace Tally.Billing.Events;

/// <summary>
/// Parses and validates CloudEvents 1.0 in structured JSON mode, one event or a batch, as OpenMeter
/// accepts them, and writes each event in Tally's normalized form in the same pass (one
/// <c>Utf8JsonReader</c> over the body, no DOM). A batch is all-or-nothing: one invalid event refuses
/// the request and nothing is stored, so a client can fix and resend it whole. Every refusal names the
/// event (<c>[3].subject</c>) and the fix; nothing a client sends makes it throw.
/// </summary>
public static class CloudEventParser
{
    /// <summary>Most events one request may carry.</summary>
    public const int MaxBatchSize = Limits.EventsPerRequest;

    /// <summary>Most field errors one refusal lists; the last one then says how many more there were.</summary>
    public const int MaxErrors = 100;

    /// <inheritdoc cref="Parse(ReadOnlyMemory{byte}, bool?, DateTimeOffset, CloudEventRules)"/>
    public static CloudEventBatch Parse(ReadOnlyMemory<byte> body, bool? expectBatch, DateTimeOffset now) =>
        Parse(body, expectBatch, now, CloudEventRules.Default);

    /// <param name="body">The request body.</param>
    /// <param name="expectBatch">True for <c>application/cloudevents-batch+json</c>, false for a single event,
    /// null for <c>application/json</c> (either).</param>
    /// <param name="now">The time of arrival: the time of events without <c>time</c>, every event's
    /// <c>tallyingested</c>, and what <c>time</c> may not lie too far beyond.</param>
    /// <param name="rules">Configurable checks, such as the allowed future skew of <c>time</c>.</param>
    public static CloudEventBatch Parse(ReadOnlyMemory<byte> body, bool? expectBatch, DateTimeOffset now, CloudEventRules rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        return new CloudEventReader(body, now, rules).Read(expectBatch);
    }
}
