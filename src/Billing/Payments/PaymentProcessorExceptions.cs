namespace Tally.Billing.Payments;

/// <summary>The payment processor cannot be reached or asks to slow down (network error, 429, 5xx): retry later.</summary>
public sealed class PaymentProcessorUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The payment processor refused the request for good (an invalid request, a bad key): retrying the same request cannot help.</summary>
public sealed class PaymentProcessorRejectedException(string message, Exception? inner = null) : Exception(message, inner);
