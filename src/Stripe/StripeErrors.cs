using System.Net;
using Stripe;
using Tally.Billing.Payments;

namespace Tally.Stripe;

/// <summary>
/// The one place that sorts Stripe's failures (after Stripe.net's own retries) into the two kinds
/// the period close acts on: <see cref="PaymentProcessorUnavailableException"/> (back off and retry)
/// and <see cref="PaymentProcessorRejectedException"/> (park for a person).
/// </summary>
internal static class StripeErrors
{
    public const string Processor = "stripe";

    /// <summary>The exception to throw for <paramref name="exception"/>, or null when it is not Stripe's doing (then let it fly).</summary>
    public static Exception? Classify(Exception exception, string action, CancellationToken cancellationToken) => exception switch
    {
        StripeException stripe => FromStripe(stripe, action),
        HttpRequestException or IOException => new PaymentProcessorUnavailableException(Processor, $"Stripe could not be reached while {action}: {exception.Message}", exception),
        OperationCanceledException when !cancellationToken.IsCancellationRequested =>
            new PaymentProcessorUnavailableException(Processor, $"Stripe did not answer in time while {action}.", exception),
        _ => null,
    };

    private static Exception FromStripe(StripeException exception, string action)
    {
        var status = (int)exception.HttpStatusCode;
        var error = exception.StripeError;
        var requestId = exception.StripeResponse?.RequestId;
        var detail = $"Stripe answered {status} while {action}: {error?.Message ?? exception.Message}";
        var retryable = exception.HttpStatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.Conflict
            || status >= 500
            // A key reused with other parameters: the object exists from an earlier attempt whose answer was lost.
            // The next attempt finds it by its metadata (Stripe's search index catches up within minutes).
            || error?.Type == "idempotency_error";
        if (retryable)
        {
            return new PaymentProcessorUnavailableException(Processor, detail, exception) { RequestId = requestId, RetryAfter = RetryAfter(exception) };
        }

        var code = exception.HttpStatusCode == HttpStatusCode.Unauthorized ? "unauthorized" : error?.Code ?? error?.Type ?? "rejected";
        return new PaymentProcessorRejectedException(Processor, code, detail, exception) { Field = error?.Param, StatusCode = status, RequestId = requestId };
    }

    private static TimeSpan? RetryAfter(StripeException exception) =>
        exception.StripeResponse?.Headers?.RetryAfter?.Delta;
}
