namespace Tally.Billing.Payments;

/// <summary>
/// The processor could not be reached or asked to come back later (connection errors, timeouts, 429,
/// 5xx, a concurrent request with the same idempotency key). Nothing is lost: retry the same call
/// with backoff, no sooner than <see cref="RetryAfter"/> when the processor named it.
/// </summary>
public sealed class PaymentProcessorUnavailableException(string processor, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public string Processor { get; } = processor;

    /// <summary>The processor's request id, to quote to its support.</summary>
    public string? RequestId { get; init; }

    public TimeSpan? RetryAfter { get; init; }
}
