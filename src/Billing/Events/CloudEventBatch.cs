namespace Tally.Billing.Events;

/// <summary>What <see cref="CloudEventParser"/> made of a request body: events, or the reasons it refused them all.</summary>
public sealed record CloudEventBatch(IReadOnlyList<UsageEvent> Events, IReadOnlyList<FieldError> Errors)
{
    public bool IsValid => Errors.Count == 0;

    /// <summary>Whether the body was a JSON array (field errors then name events by index).</summary>
    public bool IsArray { get; init; }
}
