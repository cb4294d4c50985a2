using System.Net;
using Stripe;
using Tally.Billing.Payments;
using Tally.Stripe;

namespace Tally.Tests.Payments;

/// <summary>The one sorting of Stripe's failures into retry-with-backoff and park-for-a-person.</summary>
public sealed class StripeErrorsTests
{
    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests, "rate_limit_error", null, true, null)]
    [InlineData(HttpStatusCode.Conflict, "idempotency_error", null, true, null)]
    [InlineData(HttpStatusCode.BadRequest, "idempotency_error", null, true, null)]
    [InlineData(HttpStatusCode.InternalServerError, "api_error", null, true, null)]
    [InlineData(HttpStatusCode.BadGateway, "api_error", null, true, null)]
    [InlineData(HttpStatusCode.ServiceUnavailable, "api_error", null, true, null)]
    [InlineData(HttpStatusCode.BadRequest, "invalid_request_error", "parameter_missing", false, "parameter_missing")]
    [InlineData(HttpStatusCode.PaymentRequired, "card_error", "card_declined", false, "card_declined")]
    [InlineData(HttpStatusCode.Unauthorized, "invalid_request_error", null, false, "unauthorized")]
    [InlineData(HttpStatusCode.Forbidden, "invalid_request_error", null, false, "invalid_request_error")]
    [InlineData(HttpStatusCode.NotFound, "invalid_request_error", "resource_missing", false, "resource_missing")]
    public void Classify_StripeAnswer_IsRetryableOrRejected(HttpStatusCode status, string type, string? code, bool retryable, string? rejectedCode)
    {
        var exception = new StripeException(status, new StripeError { Type = type, Code = code, Param = "amount", Message = "m" }, "m");

        var classified = StripeErrors.Classify(exception, "testing", CancellationToken.None);

        Assert.Equal(retryable, classified is PaymentProcessorUnavailableException);
        Assert.Equal(rejectedCode, (classified as PaymentProcessorRejectedException)?.Code);
        Assert.Equal($"Stripe answered {(int)status} while testing: m", classified!.Message);
        if (classified is PaymentProcessorRejectedException rejected)
        {
            Assert.Equal(("amount", (int)status), (rejected.Field, rejected.StatusCode));
        }
    }

    [Fact]
    public void Classify_NetworkFailureOrTimeout_IsRetryable()
    {
        Assert.IsType<PaymentProcessorUnavailableException>(StripeErrors.Classify(new HttpRequestException("reset"), "testing", CancellationToken.None));
        Assert.IsType<PaymentProcessorUnavailableException>(StripeErrors.Classify(new IOException("broken pipe"), "testing", CancellationToken.None));
        Assert.IsType<PaymentProcessorUnavailableException>(StripeErrors.Classify(new TaskCanceledException("timeout"), "testing", CancellationToken.None));
    }

    [Fact]
    public void Classify_OurOwnCancellationOrADefect_IsLeftAlone()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Null(StripeErrors.Classify(new OperationCanceledException(cancelled.Token), "testing", cancelled.Token));
        Assert.Null(StripeErrors.Classify(new InvalidOperationException("bug"), "testing", CancellationToken.None));
    }
}
