using System.ComponentModel.DataAnnotations;

namespace Tally.Stripe;

/// <summary>Configuration section <c>Stripe</c>. Without <see cref="ApiKey"/>, invoices are not pushed.</summary>
public sealed class StripeOptions
{
    public const string SectionName = "Stripe";

    /// <summary>Secret key (<c>sk_live_...</c> / <c>sk_test_...</c>, or a restricted <c>rk_...</c>); from configuration or secrets only.</summary>
    [RegularExpression("^(sk|rk)_[A-Za-z0-9_]+$", ErrorMessage = "Stripe:ApiKey must be a Stripe secret or restricted key (sk_... or rk_...).")]
    public string? ApiKey { get; set; }

    /// <summary>API base address; set only to point at a Stripe-compatible fake in tests.</summary>
    [Url(ErrorMessage = "Stripe:BaseAddress must be an absolute http(s) URL.")]
    public string? BaseAddress { get; set; }

    /// <summary>Days a customer has to pay a pushed invoice.</summary>
    [Range(0, 365, ErrorMessage = "Stripe:DaysUntilDue must be between 0 and 365.")]
    public int DaysUntilDue { get; set; } = 30;
}
