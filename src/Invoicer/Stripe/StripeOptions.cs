namespace Tally.Invoicer.Stripe;

/// <summary>Configuration section <c>Stripe</c>. Without <see cref="ApiKey"/>, invoices are not pushed.</summary>
public sealed class StripeOptions
{
    public const string SectionName = "Stripe";

    /// <summary>Secret key (<c>sk_live_...</c> / <c>sk_test_...</c>); from configuration or secrets only.</summary>
    public string? ApiKey { get; set; }

    /// <summary>API base address; set only to point at a Stripe-compatible fake in tests.</summary>
    public string? BaseAddress { get; set; }

    /// <summary>Days a customer has to pay a pushed invoice.</summary>
    public int DaysUntilDue { get; set; } = 30;
}
