namespace Tally.Billing.Payments;

/// <summary>
/// The processor refused the request for a reason a retry of the same call cannot fix (an invalid
/// request, a revoked key, a declined card, a missing object, no app installed): park the document
/// with this message for a person. <see cref="Code"/> is the processor's error code (or Tally's, e.g.
/// <c>not_connected</c>), <see cref="Field"/> the parameter it named, if any.
/// </summary>
public sealed class PaymentProcessorRejectedException(string processor, string code, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public string Processor { get; } = processor;

    public string Code { get; } = code;

    public string? Field { get; init; }

    /// <summary>The HTTP status the processor answered, when it answered.</summary>
    public int? StatusCode { get; init; }

    public string? RequestId { get; init; }
}
