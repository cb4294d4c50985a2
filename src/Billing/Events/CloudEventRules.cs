namespace Tally.Billing.Events;

/// <summary>What <see cref="CloudEventParser"/> enforces beyond the fixed <see cref="Limits"/>: set by configuration.</summary>
/// <param name="MaxFutureSkew">How far past the time of arrival an event's <c>time</c> may lie (clock skew of the sender).</param>
public sealed record CloudEventRules(TimeSpan MaxFutureSkew)
{
    /// <summary>Five minutes of allowed future skew.</summary>
    public static CloudEventRules Default { get; } = new(TimeSpan.FromMinutes(5));
}
