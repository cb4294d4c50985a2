using Microsoft.Extensions.Logging;

namespace Tally.Stripe;

/// <summary>Every log message of the Stripe adapter, with stable event ids (6000-6099).</summary>
internal static partial class StripeLog
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Information, Message = "Invoice {InvoiceId} pushed to Stripe as {StripeInvoiceId}")]
    public static partial void Pushed(ILogger logger, string invoiceId, string stripeInvoiceId);
}
